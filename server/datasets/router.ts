// tRPC procedures for datasets: listing and detail for every role that oversees or trains, access grants by
// privacy officers and admins. Uploads arrive through the streaming route app/api/datasets/upload.
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "../../db/schema";
import { actorOf } from "../actor";
import { roleProcedure, router } from "../trpc";
import { env } from "../env";
import { accessInput, datasetDetail, grantAccess, listDatasets, minimiseInput, minimiseVersion, revokeAccess } from "./service";

const reader = roleProcedure("engineer", "privacy_officer", "auditor", "admin");
const grantor = roleProcedure("privacy_officer", "admin");

export const datasetsRouter = router({
  list: reader.query(({ ctx }) => listDatasets(ctx.db, ctx.user)),
  get: reader.input(z.object({ datasetId: z.uuid() })).query(({ ctx, input }) => datasetDetail(ctx.db, ctx.user, input.datasetId)),
  /** Active engineers, to choose whom to grant access. */
  engineers: grantor.query(({ ctx }) =>
    ctx.db
      .select({ id: users.id, email: users.email, name: users.name })
      .from(users)
      .where(and(eq(users.role, "engineer"), eq(users.disabled, false)))
      .orderBy(asc(users.email))
      .all(),
  ),
  minimise: roleProcedure("engineer")
    .input(minimiseInput)
    .mutation(({ ctx, input }) => minimiseVersion(ctx.db, ctx.user, actorOf(ctx.user), input, env().DATA_DIR)),
  grantAccess: grantor.input(accessInput).mutation(({ ctx, input }) => grantAccess(ctx.db, actorOf(ctx.user), input)),
  revokeAccess: grantor.input(accessInput).mutation(({ ctx, input }) => revokeAccess(ctx.db, actorOf(ctx.user), input)),
});
