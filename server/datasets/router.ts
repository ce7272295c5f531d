// tRPC procedures for datasets: listing and detail for every role that oversees or trains, access grants by
// privacy officers and admins, retention and deletion of versions' files by privacy officers. Uploads arrive through
// the streaming route app/api/datasets/upload.
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { env } from "../env";
import { activeUsersWithRole } from "../users/service";
import { deleteFilesInput, deleteVersionFiles, retentionInput, setRetention } from "./version-files";
import { accessInput, datasetDetail, grantAccess, listDatasets, minimiseInput, minimiseVersion, revokeAccess } from "./service";

const reader = allowedTo("readDatasets");
const grantor = allowedTo("grantAccess");
const governor = allowedTo("govern");

export const datasetsRouter = router({
  list: reader.query(({ ctx }) => listDatasets(ctx.db, ctx.user)),
  get: reader.input(z.object({ datasetId: z.uuid() })).query(({ ctx, input }) => datasetDetail(ctx.db, ctx.user, input.datasetId)),
  /** Active engineers, to choose whom to grant access. */
  engineers: grantor.query(async ({ ctx }) => await activeUsersWithRole(ctx.db, "engineer")),
  minimise: allowedTo("minimise")
    .input(minimiseInput)
    .mutation(({ ctx, input }) => minimiseVersion(ctx.db, ctx.user, ctx.actor, input, env().DATA_DIR)),
  grantAccess: grantor.input(accessInput).mutation(({ ctx, input }) => grantAccess(ctx.db, ctx.actor, input)),
  revokeAccess: grantor.input(accessInput).mutation(({ ctx, input }) => revokeAccess(ctx.db, ctx.actor, input)),
  setRetention: governor.input(retentionInput).mutation(({ ctx, input }) => setRetention(ctx.db, ctx.actor, input)),
  deleteVersionFiles: governor
    .input(deleteFilesInput)
    .mutation(({ ctx, input }) => deleteVersionFiles(ctx.db, ctx.user, ctx.actor, input, env().DATA_DIR)),
});
