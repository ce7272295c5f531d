// The signed-in user's own session: who they are, which dashboard sections they may open and what they may do.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ROLES } from "../../db/schema/roles";
import { ROLE_LABELS, SECTION_IDS, SECTIONS, mayUseSection, sectionsFor } from "../auth/access";
import { env, oidcEnabled } from "../env";
import { canMap, publicProcedure, router, signedInProcedure, type ProcedureAccess } from "../trpc";

const sectionSchema = z.object({
  id: z.enum(SECTION_IDS),
  label: z.string(),
  href: z.templateLiteral(["/", z.enum(SECTION_IDS)]),
  roles: z.array(z.enum(ROLES)).readonly(),
  summary: z.string(),
});

/** session.me: a contract (scripts/load-bench.ts reads it). */
export const meOutput = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES), roleLabel: z.string() }),
  sections: z.array(sectionSchema),
});

/** session.can: whether the caller may call each procedure ("runs.cancel": true) or has each ability of access.ts. */
export const canOutput = z.record(z.string(), z.boolean());

/**
 * The session router. `procedures` lists every procedure of the app router with who may call it (from their
 * meta); it is a function because the app router that holds this router is built after it (server/root.ts).
 */
export function createSessionRouter(procedures: () => readonly ProcedureAccess[]) {
  return router({
    /**
     * What the sign-in page needs: whether the caller is already signed in, whether the session they bring belongs to
     * a user who has since been disabled (so the page can say why they were signed out), and the SSO button's label.
     */
    signInOptions: publicProcedure.query(({ ctx }) => {
      const e = env();
      return { signedIn: ctx.user !== null, disabled: ctx.disabledSession === true, oidcName: oidcEnabled(e) ? e.OIDC_DISPLAY_NAME : null };
    }),
    me: signedInProcedure.output(meOutput).query(({ ctx }) => ({
      user: { ...ctx.user, roleLabel: ROLE_LABELS[ctx.user.role] },
      sections: sectionsFor(ctx.user.role),
    })),
    /** What the signed-in user may do, so that the UI offers only what the server will allow. */
    can: signedInProcedure.output(canOutput).query(({ ctx }) => canMap(procedures(), ctx.user)),
    /** Called by each section's page before it renders: the server, not the navigation, decides. */
    enterSection: signedInProcedure.input(z.object({ section: z.enum(SECTION_IDS) })).query(({ ctx, input }) => {
      if (!mayUseSection(ctx.user.role, input.section)) {
        throw new TRPCError({ code: "FORBIDDEN", message: `The ${SECTIONS[input.section].label} section is not open to your role.` });
      }
      return { ...SECTIONS[input.section], role: ctx.user.role, userId: ctx.user.id };
    }),
  });
}
