// tRPC procedures for the model registry: read by everyone who trains or oversees; status changes by privacy officers.
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { listModels, setModelStatus, setStatusInput, versionDetail } from "./service";

const reader = allowedTo("readTraining");

export const modelsRouter = router({
  list: reader.query(({ ctx }) => listModels(ctx.db)),
  get: reader.input(z.object({ versionId: z.uuid() })).query(({ ctx, input }) => versionDetail(ctx.db, input.versionId)),
  setStatus: allowedTo("govern")
    .input(setStatusInput)
    .mutation(({ ctx, input }) => setModelStatus(ctx.db, ctx.actor, input)),
});
