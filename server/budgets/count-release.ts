// DP counts of a dataset version for the disclosure report: the Gaussian mechanism on its record and subject counts,
// released once per version by a privacy officer and charged to the lineage's budget on the same ledger as its runs.
import { createHash, randomUUID } from "node:crypto";
import path from "node:path";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { first, type Db, type Executor } from "../../db/client";
import { countReleases, type Budget, type CountRelease } from "../../db/schema";
import { parseEvent, serialiseEvent } from "../../trainer/privacy";
import type { UserActor } from "../actor";
import { audited } from "../audit/service";
import type { SessionUser } from "../context";
import { readRecords } from "../datasets/ingest/records";
import { visibleVersion } from "../datasets/service";
import { AppError } from "../errors";
import { chargeRefusal } from "./admission";
import { DEFAULT_COUNT_NOISE_MULTIPLIER, clippedCounts, countReleaseEvent, countSensitivities, noisyCounts, type RecordsPerSubject } from "./dp-counts";
import { addEvent, copyCurve, epsilonOfCurve } from "./curve-math";
import { LEDGER_ACCOUNTANT } from "./ledger";
import { lockLineageCurves, recordReleaseOnLedger } from "./lineage-curve";
import { existingBudget, lockedBudget } from "./service";

export const releaseCountsInput = z.object({
  datasetVersionId: z.uuid(),
  /** sigma: each count gets Gaussian noise of standard deviation sigma times its sensitivity. */
  noiseMultiplier: z
    .number()
    .min(1, "noise multiplier must be at least 1")
    .max(1000, "noise multiplier must be at most 1000")
    .default(DEFAULT_COUNT_NOISE_MULTIPLIER),
});

/** Reads a version's stored file (checking its digest) into its records-per-subject histogram. */
export async function recordsPerSubject(file: string, contentDigest: string): Promise<RecordsPerSubject> {
  const hash = createHash("sha256");
  const perSubject = new Map<string, number>();
  let anonymous = 0;
  try {
    for await (const record of readRecords(file, (chunk) => hash.update(chunk))) {
      if (record.subject === null) anonymous += 1;
      else perSubject.set(record.subject, (perSubject.get(record.subject) ?? 0) + 1);
    }
  } catch {
    throw new AppError("CONFLICT", "The stored file of this version cannot be read; its counts cannot be released.");
  }
  if (hash.digest("hex") !== contentDigest) {
    throw new AppError("CONFLICT", "The stored file of this version does not match its digest; it was altered on disk.");
  }
  const histogram = new Map<number, number>();
  for (const n of perSubject.values()) histogram.set(n, (histogram.get(n) ?? 0) + 1);
  if (anonymous > 0) histogram.set(1, (histogram.get(1) ?? 0) + anonymous);
  return histogram;
}

/**
 * Releases DP counts of a dataset version, once: checked against the lineage's budget and charged to it in one
 * immediate transaction, as a launch is. With subjects as the unit, the version's file is read first for each
 * subject's number of records (each counted up to the budget's k).
 */
export async function releaseCounts(db: Db, user: SessionUser, actor: UserActor, input: z.infer<typeof releaseCountsInput>, dataDir: string): Promise<CountRelease> {
  const version = await visibleVersion(db, user, input.datasetVersionId);
  const unitBefore = (await existingBudget(db, version.datasetId)).privacyUnit;
  const histogram = unitBefore === "subject" ? await recordsPerSubject(path.join(dataDir, version.storagePath), version.contentDigest) : null;
  const id = randomUUID();
  const audit = { actor, action: "budget.release_counts", entityType: "dataset_version", entityId: version.id, input: { ...input, releaseId: id } };
  return audited(db, audit, async (tx) => {
    const budget = await lockedBudget(tx, version.datasetId);
    const earlier = await releaseOf(tx, version.id);
    if (earlier) {
      throw new AppError("CONFLICT", `The counts of this version were already released on ${earlier.releasedAt}; they are public, and releasing them again would spend budget for nothing.`);
    }
    if (budget.privacyUnit === "subject" && !histogram) throw new AppError("CONFLICT", "The budget's privacy unit changed while the counts were read; release them again.");
    const k = budget.recordsPerPersonBound;
    const exact = histogram ? clippedCounts(histogram, k) : { records: version.recordCount, subjects: version.subjectCount };
    const event = countReleaseEvent(input.noiseMultiplier);
    const releasedAt = new Date().toISOString();
    const curves = await lockLineageCurves(tx, version.datasetId);
    const before = epsilonOfCurve(curves.reserved, budget.delta);
    const after = epsilonOfCurve(addEvent(copyCurve(curves.reserved), event), budget.delta);
    const charge = { what: "This count release", forbidden: "no count may be released" };
    const refusal = chargeRefusal(budget, charge, before, after, LEDGER_ACCOUNTANT.epsilon(event, budget.delta));
    if (refusal) throw new AppError("CONFLICT", refusal);
    const noisy = noisyCounts(exact, countSensitivities(budget.privacyUnit, k), input.noiseMultiplier);
    await tx
      .insert(countReleases)
      .values({ id, datasetId: version.datasetId, datasetVersionId: version.id, event: serialiseEvent(event), ...noisy, releasedBy: actor.id, releasedAt });
    await recordReleaseOnLedger(tx, version.datasetId, curves, event);
    return (await releaseOf(tx, version.id))!;
  });
}

/** The DP count release of a dataset version, if its counts were released. */
export function releaseOf(db: Executor, datasetVersionId: string): Promise<CountRelease | undefined> {
  return first(db.select().from(countReleases).where(eq(countReleases.datasetVersionId, datasetVersionId)));
}

/**
 * A release as the disclosure report and the provenance export state it. With subjects as the unit the record count
 * counted each person's records up to k, the bound at the time of release: its sensitivity, recordNoiseStd / sigma.
 */
export function releasedCounts(release: CountRelease, unit: Budget["privacyUnit"]) {
  const event = parseEvent(release.event);
  const noiseMultiplier = event.type === "self_composed" && event.event.type === "gaussian" ? event.event.noise_multiplier : null;
  if (noiseMultiplier === null) throw new Error(`count release ${release.id} has an event that is not two Gaussian queries`);
  return {
    releaseId: release.id,
    recordCount: release.noisyRecordCount,
    subjectCount: release.noisySubjectCount,
    recordNoiseStd: release.recordNoiseStd,
    subjectNoiseStd: release.subjectNoiseStd,
    noiseMultiplier,
    recordsCountedUpTo: unit === "subject" ? Math.round(release.recordNoiseStd / noiseMultiplier) : null,
    event,
    releasedAt: release.releasedAt,
  };
}
