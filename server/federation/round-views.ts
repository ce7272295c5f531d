// What the Federation page shows of federated runs: the lineage's latest declarations with the person-level k, and
// each round with its participants (sampled, contributing, dropped) and its spend, recomputed from the run's events:
// the round's own epsilon, and the run's after it (its applied rounds so far, composed by the ledger's accountant).
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { first, type Executor } from "../../db/client";
import { datasetVersions, federationParties, federationRounds, runs } from "../../db/schema";
import { dpSgdEvent } from "../../trainer/privacy";
import { LEDGER_ACCOUNTANT, lineageDelta } from "../budgets/ledger";
import { partiesPerPerson } from "../budgets/parties-per-person";
import { declarationsOf, federationLineage } from "./declarations";

/** The most rounds the page lists (the latest). */
const ROUNDS_SHOWN = 200;

const outcomeSchema = z.object({ sampled: z.array(z.string()), survivors: z.array(z.string()), dropped: z.array(z.string()), reason: z.string().optional() });

/** The federation's lineage, its latest declaration version (parties, stated units) and k for person-level statements. */
export async function federationCohort(db: Executor) {
  const lineage = await federationLineage(db);
  if (!lineage) return null;
  const latest = await first(db.select().from(datasetVersions).where(eq(datasetVersions.datasetId, lineage.id)).orderBy(desc(datasetVersions.version)).limit(1));
  if (!latest) return { datasetId: lineage.id, datasetName: lineage.name, latest: null };
  const declarations = await declarationsOf(db, latest.id);
  return {
    datasetId: lineage.id,
    datasetName: lineage.name,
    latest: {
      versionId: latest.id,
      version: latest.version,
      createdAt: latest.createdAt,
      contentDigest: latest.contentDigest,
      parties: declarations.map((d) => ({ id: d.partyId, name: d.name, statedUnits: d.statedUnits })),
      partiesPerPerson: await partiesPerPerson(db, declarations.map((d) => d.partyId)),
    },
  };
}

/** The latest rounds, newest first, with party names and each applied round's spend. */
export async function listRounds(db: Executor) {
  const rounds = await db.select().from(federationRounds).orderBy(desc(federationRounds.startedAt)).limit(ROUNDS_SHOWN);
  const names = new Map((await db.select({ id: federationParties.id, name: federationParties.name }).from(federationParties)).map((p) => [p.id, p.name]));
  const runIds = [...new Set(rounds.flatMap((r) => (r.runId ? [r.runId] : [])))];
  const runRows = runIds.length === 0 ? [] : await db.select().from(runs).where(inArray(runs.id, runIds));
  const deltas = new Map(await Promise.all(runRows.map(async (r) => [r.id, await lineageDelta(db, r.datasetId)] as const)));
  // Each applied round's place among its run's applied rounds (all of them, not only those shown): the n-th has spent
  // n rounds' events.
  const appliedOrder = new Map<string, number>();
  const applied = runIds.length === 0 ? [] : await db.select({ id: federationRounds.id, runId: federationRounds.runId }).from(federationRounds).where(and(inArray(federationRounds.runId, runIds), eq(federationRounds.status, "applied"))).orderBy(asc(federationRounds.startedAt), asc(federationRounds.attempt));
  const counted = new Map<string, number>();
  for (const r of applied) {
    const n = (counted.get(r.runId!) ?? 0) + 1;
    counted.set(r.runId!, n);
    appliedOrder.set(r.id, n);
  }
  const named = (ids: readonly string[]) => ids.map((id) => names.get(id) ?? id);
  return rounds.map((r) => {
    const outcome = r.outcome ? outcomeSchema.parse(JSON.parse(r.outcome)) : null;
    const run = runRows.find((x) => x.id === r.runId);
    const nth = appliedOrder.get(r.id);
    const spend =
      run && nth !== undefined
        ? {
            delta: deltas.get(run.id)!,
            roundEpsilon: LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, 1), deltas.get(run.id)!),
            runEpsilonAfter: LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, nth), deltas.get(run.id)!),
          }
        : null;
    return {
      id: r.id,
      runId: r.runId,
      attempt: r.attempt,
      status: r.status,
      declared: (JSON.parse(r.parties) as string[]).length,
      sampled: named(outcome?.sampled ?? []),
      /** The sampled parties whose delta is in the sum (the others that answered sent zeros). */
      contributed: named((outcome?.sampled ?? []).filter((id) => outcome!.survivors.includes(id))),
      survivors: named(outcome?.survivors ?? []),
      dropped: named(outcome?.dropped ?? []),
      reason: outcome?.reason ?? null,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      spend,
    };
  });
}
