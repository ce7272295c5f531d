// tRPC procedure for the Budgets page's spend breakdown: per ledger entry and per model version, for every reader of
// training.
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { spendBreakdown } from "./service";

export const spendRouter = router({
  breakdown: allowedTo("readTraining")
    .input(z.object({ datasetId: z.uuid() }))
    .query(({ ctx, input }) => spendBreakdown(ctx.db, ctx.user, input.datasetId)),
});
