// One run as its page shows it: settings and progress, the epsilon recomputed on the server from the charged steps,
// the model version it produced, and for a failed run the reason in words (./run-failure.ts).
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { first, type Executor } from "../../db/client";
import { datasetVersions, modelFamilies, modelVersions, runEvaluations, runSteps, runs } from "../../db/schema";
import { dpSgdEvent, groupPrivacy } from "../../trainer/privacy";
import { LEDGER_ACCOUNTANT, isActive, lineageDelta, reservedSteps } from "../budgets/ledger";
import { partiesPerPersonOfRuns } from "../budgets/parties-per-person";
import type { SessionUser } from "../context";
import { maySeeDataset } from "../datasets/access";
import { AppError } from "../errors";
import { explainFailure } from "./run-failure";
import { runRequestInput } from "./run-request";
import { runView } from "./run-views";

/** A run with its charted progress, and epsilon recomputed on the server from the charged steps. */
export async function runDetail(db: Executor, user: SessionUser, runId: string) {
  const run = await first(db.select().from(runs).where(eq(runs.id, runId)));
  if (!run || !(await maySeeDataset(db, user, run.datasetId))) throw new AppError("NOT_FOUND", "No such run.");
  const delta = await lineageDelta(db, run.datasetId);
  const steps = await db.select().from(runSteps).where(eq(runSteps.runId, run.id)).orderBy(asc(runSteps.id));
  const evaluations = await db.select().from(runEvaluations).where(eq(runEvaluations.runId, run.id)).orderBy(asc(runEvaluations.id));
  const epsilonAt = (n: number) => (n === 0 ? 0 : LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, n), delta));
  // The server's own epsilon curve, at up to 100 points (it never takes the trainer's figures for it).
  const every = Math.max(1, Math.ceil(run.chargedSteps / 100));
  const epsilonCurve = Array.from({ length: Math.floor(run.chargedSteps / every) }, (_, i) => (i + 1) * every).map((step) => ({ step, epsilon: epsilonAt(step) }));
  const produced = run.resultModelVersionId
    ? ((await first(
        db
          .select({ id: modelVersions.id, version: modelVersions.version, family: modelFamilies.name })
          .from(modelVersions)
          .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
          .where(eq(modelVersions.id, run.resultModelVersionId)),
      )) ?? null)
    : null;
  const chargedEpsilon = epsilonAt(run.chargedSteps);
  // A federated run protects each party (or each person at one party); a person at k parties has k-fold group privacy
  // (k from the overlap of subjects).
  const federated = runRequestInput.parse(JSON.parse(run.spec)).federation !== undefined;
  const partyK = federated ? await partiesPerPersonOfRuns(db, [run.id], (await first(db.select({ n: datasetVersions.recordCount }).from(datasetVersions).where(eq(datasetVersions.id, run.datasetVersionId))))!.n) : null;
  return {
    run: { ...runView(run), spec: runRequestInput.parse(JSON.parse(run.spec)) },
    /** The model version the run produced (family and number), or null. */
    produced,
    /** A failed run's reason in words, what to do, and the raw message. */
    failure: run.status === "failed" ? explainFailure(run.statusReason) : null,
    delta,
    chargedEpsilon,
    /** A federated run: k, and the person-level figure of the charged epsilon (null when k is 1). */
    partiesPerPerson: partyK,
    personLevel: partyK && partyK.k > 1 ? groupPrivacy(chargedEpsilon, delta, partyK.k) : null,
    reservedEpsilon: isActive(run) ? epsilonAt(reservedSteps(run)) : null,
    epsilonCurve,
    steps: steps.map((s) => ({ ...s, gradNormQuantiles: s.gradNormQuantiles === null ? null : quantilesSchema.parse(JSON.parse(s.gradNormQuantiles)) })),
    evaluations,
  };
}

const quantilesSchema = z.object({ p10: z.number(), p50: z.number(), p90: z.number(), max: z.number() });
