// tRPC procedures for privacy budgets: officers set, renew, decide and release DP counts; engineers request; everyone
// overseeing reads.
import { z } from "zod";
import { actorOf } from "../actor";
import { env } from "../env";
import { roleProcedure, router } from "../trpc";
import { listDatasets } from "../datasets/service";
import {
  budgetStatus,
  decideRequest,
  decideRequestInput,
  renewBudget,
  renewBudgetInput,
  requestBudget,
  requestBudgetInput,
  setBudget,
  setBudgetInput,
} from "./service";
import { releaseCounts, releaseCountsInput } from "./count-release";

const reader = roleProcedure("engineer", "privacy_officer", "auditor");
const officer = roleProcedure("privacy_officer");

export const budgetsRouter = router({
  /** Every visible dataset's budget and spend, for the Budgets page. */
  overview: reader.query(({ ctx }) => listDatasets(ctx.db, ctx.user).map((d) => budgetStatus(ctx.db, ctx.user, d.id))),
  status: reader.input(z.object({ datasetId: z.uuid() })).query(({ ctx, input }) => budgetStatus(ctx.db, ctx.user, input.datasetId)),
  set: officer.input(setBudgetInput).mutation(({ ctx, input }) => setBudget(ctx.db, actorOf(ctx.user), input)),
  renew: officer.input(renewBudgetInput).mutation(({ ctx, input }) => renewBudget(ctx.db, actorOf(ctx.user), input)),
  request: roleProcedure("engineer")
    .input(requestBudgetInput)
    .mutation(({ ctx, input }) => requestBudget(ctx.db, ctx.user, actorOf(ctx.user), input)),
  decide: officer.input(decideRequestInput).mutation(({ ctx, input }) => decideRequest(ctx.db, actorOf(ctx.user), input)),
  /** DP counts of a dataset version for the disclosure report, charged to the lineage's budget (once per version). */
  releaseCounts: officer
    .input(releaseCountsInput)
    .mutation(({ ctx, input }) => releaseCounts(ctx.db, ctx.user, actorOf(ctx.user), input, env().DATA_DIR)),
});
