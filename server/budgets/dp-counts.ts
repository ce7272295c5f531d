// The maths of a DP count release, pure and free of the database (the offline verifier imports it): the privacy event,
// each count's sensitivity, counting a person's records up to k, and the Gaussian noise (from node:crypto).
import type { Budget } from "../../db/schema";
import { gaussian, selfComposed, type PrivacyEvent } from "../../trainer/privacy";
import { gaussians } from "../../trainer/contract/secure-random";

export const DEFAULT_COUNT_NOISE_MULTIPLIER = 10;

/**
 * The privacy event of one release: two Gaussian queries (the record count and the subject count), each with noise
 * multiplier sigma relative to its sensitivity; together a Gaussian mechanism with noise multiplier sigma / sqrt(2).
 */
export function countReleaseEvent(noiseMultiplier: number): PrivacyEvent {
  return selfComposed(gaussian(noiseMultiplier), 2);
}

/**
 * Sensitivity of each count under add-or-remove-one-unit adjacency. A subject changes the subject count by 1 either
 * way. One record changes the record count by 1; one person changes it by up to k once each person's records are
 * counted up to k, the budget's stated bound (never the observed maximum, which is private).
 */
export function countSensitivities(unit: Budget["privacyUnit"], recordsPerPersonBound: number) {
  return { records: unit === "subject" ? recordsPerPersonBound : 1, subjects: 1 };
}

/** How many subjects have each number of records; a record with no subject is a subject of its own. */
export type RecordsPerSubject = ReadonlyMap<number, number>;

/** The record count with each subject's records counted up to k, and the number of subjects. */
export function clippedCounts(histogram: RecordsPerSubject, k: number) {
  let records = 0;
  let subjects = 0;
  for (const [n, many] of histogram) {
    records += Math.min(n, k) * many;
    subjects += many;
  }
  return { records, subjects };
}

export interface NoisyCounts {
  noisyRecordCount: number;
  noisySubjectCount: number;
  recordNoiseStd: number;
  subjectNoiseStd: number;
}

/**
 * The Gaussian mechanism on the two counts: noise of standard deviation sigma times each count's sensitivity, drawn
 * from node:crypto; the results are rounded and floored at zero (post-processing, which costs nothing).
 */
export function noisyCounts(exact: { records: number; subjects: number }, sensitivities: { records: number; subjects: number }, noiseMultiplier: number): NoisyCounts {
  const [zRecords, zSubjects] = gaussians(2);
  const recordNoiseStd = noiseMultiplier * sensitivities.records;
  const subjectNoiseStd = noiseMultiplier * sensitivities.subjects;
  return {
    noisyRecordCount: Math.max(0, Math.round(exact.records + recordNoiseStd * (zRecords as number))),
    noisySubjectCount: Math.max(0, Math.round(exact.subjects + subjectNoiseStd * (zSubjects as number))),
    recordNoiseStd,
    subjectNoiseStd,
  };
}

