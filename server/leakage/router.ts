// tRPC procedures for leakage evidence and drift monitoring: officers and auditors read reports and request tests;
// officers set drift thresholds. Results are internal evidence, not DP output (they look at training records).
import { z } from "zod";
import { guarantees } from "../models/service";
import { allowedTo, router } from "../trpc";
import { logFprGrid, maxTprCurve } from "./epsilon-meaning";
import { driftTimeline, evaluateInput, leakageOverview, monitoredVersions, requestEvaluation, setThresholds, thresholdsInput } from "./service";

const reader = allowedTo("oversee");

export const leakageRouter = router({
  overview: reader.input(z.object({ versionId: z.uuid() })).query(async ({ ctx, input }) => {
    const overview = await leakageOverview(ctx.db, input.versionId);
    const g = (await guarantees(ctx.db, input.versionId))[0];
    return {
      ...overview,
      timeline: await driftTimeline(ctx.db, [input.versionId]),
      // "What this epsilon means": the most any attack's true-positive rate can be at each false-positive rate.
      ceiling: g ? { epsilon: g.epsilon, delta: g.delta, curve: maxTprCurve([{ epsilon: g.epsilon, delta: g.delta }], logFprGrid(61, 1e-4)) } : null,
    };
  }),
  evaluate: reader.input(evaluateInput).mutation(({ ctx, input }) => requestEvaluation(ctx.db, ctx.actor, input)),
  setThresholds: allowedTo("govern").input(thresholdsInput).mutation(({ ctx, input }) => setThresholds(ctx.db, ctx.actor, input)),
  /** Deployed versions under monitoring, with their thresholds and drift timelines. */
  monitored: reader.query(({ ctx }) => monitoredVersions(ctx.db)),
});
