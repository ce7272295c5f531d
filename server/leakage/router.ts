// tRPC procedures for leakage evidence and drift monitoring: officers and auditors read reports and request tests;
// officers set drift thresholds. Results are internal evidence, not DP output (they look at training records).
import { eq } from "drizzle-orm";
import { z } from "zod";
import { driftThresholds, modelFamilies, modelVersions } from "../../db/schema";
import { actorOf } from "../actor";
import { guarantees } from "../models/service";
import { roleProcedure, router } from "../trpc";
import { logFprGrid, maxTprCurve } from "./epsilon-meaning";
import { driftTimeline, evaluateInput, leakageOverview, requestEvaluation, setThresholds, thresholdsInput } from "./service";

const reader = roleProcedure("privacy_officer", "auditor");

export const leakageRouter = router({
  overview: reader.input(z.object({ versionId: z.uuid() })).query(({ ctx, input }) => {
    const g = guarantees(ctx.db, input.versionId)[0];
    return {
      ...leakageOverview(ctx.db, input.versionId),
      timeline: driftTimeline(ctx.db, [input.versionId]),
      // "What this epsilon means": the most any attack's true-positive rate can be at each false-positive rate.
      ceiling: g ? { epsilon: g.epsilon, delta: g.delta, curve: maxTprCurve([{ epsilon: g.epsilon, delta: g.delta }], logFprGrid(61, 1e-4)) } : null,
    };
  }),
  evaluate: reader.input(evaluateInput).mutation(({ ctx, input }) => requestEvaluation(ctx.db, actorOf(ctx.user), input)),
  setThresholds: roleProcedure("privacy_officer").input(thresholdsInput).mutation(({ ctx, input }) => setThresholds(ctx.db, actorOf(ctx.user), input)),
  /** Deployed versions under monitoring, with their thresholds and drift timelines. */
  monitored: reader.query(({ ctx }) =>
    ctx.db
      .select({ id: modelVersions.id, version: modelVersions.version, family: modelFamilies.name, status: modelVersions.status })
      .from(modelVersions)
      .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
      .where(eq(modelVersions.status, "deployed"))
      .all()
      .map((v) => ({
        ...v,
        thresholds: ctx.db.select().from(driftThresholds).where(eq(driftThresholds.modelVersionId, v.id)).get() ?? null,
        timeline: driftTimeline(ctx.db, [v.id]),
      })),
  ),
});
