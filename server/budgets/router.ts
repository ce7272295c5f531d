// tRPC procedures for privacy budgets: officers set, renew, decide and release DP counts; engineers request; everyone
// overseeing reads.
import { z } from "zod";
import { env } from "../env";
import { allowedTo, router } from "../trpc";
import {
  decideRequest,
  decideRequestInput,
  renewBudget,
  renewBudgetInput,
  requestBudget,
  requestBudgetInput,
  setBudget,
  setBudgetInput,
} from "./service";
import { budgetStatus, budgetsOverview } from "./budget-status";
import { releaseCounts, releaseCountsInput } from "./count-release";

const reader = allowedTo("readTraining");
const officer = allowedTo("govern");

export const budgetsRouter = router({
  /** Every visible dataset's budget and spend, for the Budgets page. */
  overview: reader.query(({ ctx }) => budgetsOverview(ctx.db, ctx.user)),
  status: reader.input(z.object({ datasetId: z.uuid() })).query(({ ctx, input }) => budgetStatus(ctx.db, ctx.user, input.datasetId)),
  set: officer.input(setBudgetInput).mutation(({ ctx, input }) => setBudget(ctx.db, ctx.actor, input)),
  renew: officer.input(renewBudgetInput).mutation(({ ctx, input }) => renewBudget(ctx.db, ctx.actor, input)),
  request: allowedTo("train")
    .input(requestBudgetInput)
    .mutation(({ ctx, input }) => requestBudget(ctx.db, ctx.user, ctx.actor, input)),
  decide: officer.input(decideRequestInput).mutation(({ ctx, input }) => decideRequest(ctx.db, ctx.actor, input)),
  /** DP counts of a dataset version for the disclosure report, charged to the lineage's budget (once per version). */
  releaseCounts: officer
    .input(releaseCountsInput)
    .mutation(({ ctx, input }) => releaseCounts(ctx.db, ctx.user, ctx.actor, input, env().DATA_DIR)),
});
