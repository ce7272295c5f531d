// The signed-in user's own session: who they are and which dashboard sections they may open.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ROLE_LABELS, SECTION_IDS, SECTIONS, mayUseSection, sectionsFor } from "../auth/access";
import { env, oidcEnabled } from "../env";
import { publicProcedure, router, signedInProcedure } from "../trpc";

export const sessionRouter = router({
  /** What the sign-in page needs: whether the caller is already signed in, and the SSO button's label if any. */
  signInOptions: publicProcedure.query(({ ctx }) => {
    const e = env();
    return { signedIn: ctx.user !== null, oidcName: oidcEnabled(e) ? e.OIDC_DISPLAY_NAME : null };
  }),
  me: signedInProcedure.query(({ ctx }) => ({
    user: { ...ctx.user, roleLabel: ROLE_LABELS[ctx.user.role] },
    sections: sectionsFor(ctx.user.role),
  })),
  /** Called by each section's page before it renders: the server, not the navigation, decides. */
  enterSection: signedInProcedure.input(z.object({ section: z.enum(SECTION_IDS) })).query(({ ctx, input }) => {
    if (!mayUseSection(ctx.user.role, input.section)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `The ${SECTIONS[input.section].label} section is not open to your role.` });
    }
    return { ...SECTIONS[input.section], role: ctx.user.role, userId: ctx.user.id };
  }),
});
