// tRPC procedures for the model registry: read by everyone who trains or oversees (engineers only the versions whose
// data they may see); status changes by privacy officers.
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { listModels, setModelStatus, setStatusInput, versionDetail } from "./service";

const reader = allowedTo("readTraining");

export const modelsRouter = router({
  list: reader.query(({ ctx }) => listModels(ctx.db, ctx.user)),
  get: reader.input(z.object({ versionId: z.uuid() })).query(({ ctx, input }) => versionDetail(ctx.db, ctx.user, input.versionId)),
  setStatus: allowedTo("govern")
    .input(setStatusInput)
    .mutation(({ ctx, input }) => setModelStatus(ctx.db, ctx.actor, input)),
});
