// tRPC procedures of synthetic datasets: engineers ask for synthetic records from an approved version and cancel;
// privacy officers approve validated versions and set the organisation's thresholds; readers of training follow the
// jobs and reports (masked) from the model's and the dataset's pages.
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { thresholdsSchema } from "./report";
import {
  approveSynthetic,
  cancelSynthetic,
  currentThresholds,
  requestSynthetic,
  requestSyntheticInput,
  setThresholds,
  syntheticJobInput,
  syntheticOfDataset,
  syntheticOfModel,
} from "./service";

const reader = allowedTo("readTraining");

export const syntheticRouter = router({
  ofDataset: reader.input(z.object({ datasetId: z.uuid() })).query(({ ctx, input }) => syntheticOfDataset(ctx.db, ctx.user, input.datasetId)),
  ofModel: reader.input(z.object({ versionId: z.uuid() })).query(({ ctx, input }) => syntheticOfModel(ctx.db, ctx.user, input.versionId)),
  thresholds: reader.query(({ ctx }) => currentThresholds(ctx.db)),
  request: allowedTo("train").input(requestSyntheticInput).mutation(({ ctx, input }) => requestSynthetic(ctx.db, ctx.user, ctx.actor, input)),
  cancel: allowedTo("cancelRun").input(syntheticJobInput).mutation(({ ctx, input }) => cancelSynthetic(ctx.db, ctx.user, ctx.actor, input)),
  approve: allowedTo("govern").input(syntheticJobInput).mutation(({ ctx, input }) => approveSynthetic(ctx.db, ctx.actor, input)),
  setThresholds: allowedTo("govern").input(thresholdsSchema).mutation(({ ctx, input }) => setThresholds(ctx.db, ctx.actor, input)),
});
