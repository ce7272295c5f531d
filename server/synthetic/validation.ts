// The leakage validation of synthetic records against the source run's records: exact and near duplicates of training
// records (MinHash), distance to the closest record for training records versus held-out ones (DCR), PII values
// copied from training records, and inserted canaries appearing. Training records stream past once; memory grows with
// the synthetic records and the training PII values, not with the dataset.
import { randomInt } from "node:crypto";
import { findEntities, maskEntities, type EntityType } from "../datasets/ingest/pii";
import { wilsonInterval } from "../proportion-interval";
import { Reservoir } from "../reservoir";
import { NearDuplicateIndex, estimatedJaccard, normaliseForMatch, signature, SHINGLE_CHARS, SIGNATURE_LENGTH } from "./minhash";
import type { Thresholds, ValidationReport } from "./report";

/** Held-out records at most that DCR compares with (and training records sampled to as many). */
const MAX_REFERENCE = 256;

export interface SyntheticRecord {
  text: string;
  label: string | null;
}

export interface ValidationInput {
  synthetic: readonly SyntheticRecord[];
  /** The source run's training texts as trained on, canaries aside. */
  training: AsyncIterable<string>;
  /** Its held-out texts (never trained on). */
  heldOut: readonly string[];
  /** The secrets of the canaries inserted into its training data. */
  canarySecrets: readonly string[];
  thresholds: Thresholds;
}

/** `n` items drawn uniformly without replacement (node:crypto), in their original order. */
function sampleOf<T>(items: readonly T[], n: number): T[] {
  const idx = items.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, n).sort((a, b) => a - b).map((i) => items[i]!);
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The distance (1 − estimated Jaccard) from a signature to the closest of `refs`. */
function closest(sig: Uint32Array, refs: readonly Uint32Array[]): number {
  let best = 1;
  for (const r of refs) best = Math.min(best, 1 - estimatedJaccard(sig, r));
  return best;
}

/** The part of a canary's secret from its first digit to its last: what a model that learnt the secret would repeat. */
export function secretDigits(secret: string): string {
  const first = secret.search(/\d/);
  if (first < 0) return secret;
  const last = secret.length - 1 - [...secret].reverse().join("").search(/\d/);
  return secret.slice(first, last + 1);
}

const add = (counts: Partial<Record<EntityType, number>>, type: EntityType) => (counts[type] = (counts[type] ?? 0) + 1);

export async function validateSynthetic(input: ValidationInput): Promise<ValidationReport> {
  const { synthetic, thresholds } = input;
  const texts = synthetic.map((r) => r.text);
  const index = new NearDuplicateIndex(texts, thresholds.near_duplicate_jaccard);
  const byNormalised = new Map<string, number[]>();
  texts.forEach((t, k) => byNormalised.set(normaliseForMatch(t), [...(byNormalised.get(normaliseForMatch(t)) ?? []), k]));
  const exact = new Set<number>();
  const trainingPii = new Set<string>();
  const trainSample = new Reservoir<string>(MAX_REFERENCE);
  let trainingRecords = 0;
  for await (const text of input.training) {
    trainingRecords++;
    index.add(text);
    for (const k of byNormalised.get(normaliseForMatch(text)) ?? []) exact.add(k);
    for (const e of findEntities(text)) trainingPii.add(`${e.type}\u0000${e.value}`);
    trainSample.add(text);
  }

  // Duplicates.
  const duplicates = texts.map((_, k) => exact.has(k) || index.bestMatches[k]! >= thresholds.near_duplicate_jaccard);
  const near = duplicates.filter(Boolean).length;
  const duplicateShare = texts.length === 0 ? 0 : near / texts.length;
  const duplicatesPassed = duplicateShare <= thresholds.max_duplicate_share;

  // DCR: equal numbers of held-out and training records, so that chance puts half the records closer to each.
  const reference = Math.min(input.heldOut.length, MAX_REFERENCE, trainingRecords);
  const trainRefs = sampleOf(trainSample.items(), reference).map(signature);
  const holdRefs = sampleOf(input.heldOut, reference).map(signature);
  const trainDistances: number[] = [];
  const holdDistances: number[] = [];
  let closer = 0;
  if (reference > 0) {
    for (const sig of index.signatures) {
      const dt = closest(sig, trainRefs);
      const dh = closest(sig, holdRefs);
      trainDistances.push(dt);
      holdDistances.push(dh);
      closer += dt < dh ? 1 : dt === dh ? 0.5 : 0;
    }
  }
  const closerShare = texts.length === 0 || reference === 0 ? 0.5 : closer / texts.length;
  const interval = wilsonInterval(closerShare, reference === 0 ? 0 : texts.length);
  // Fails only when the share is over the threshold and chance (one half) is outside its 95% interval.
  const dcrPassed = reference === 0 || !(closerShare > thresholds.max_closer_share && interval.low > 0.5);

  // PII.
  const found: Partial<Record<EntityType, number>> = {};
  const copied: Partial<Record<EntityType, number>> = {};
  const piiExamples: string[] = [];
  let copiedTotal = 0;
  for (const text of texts) {
    const entities = findEntities(text);
    let copiedHere = false;
    for (const e of entities) {
      add(found, e.type);
      if (trainingPii.has(`${e.type}\u0000${e.value}`)) {
        add(copied, e.type);
        copiedTotal++;
        copiedHere = true;
      }
    }
    if (copiedHere && piiExamples.length < 5) piiExamples.push(maskEntities(text, entities));
  }
  const piiPassed = copiedTotal <= thresholds.max_copied_pii;

  // Canaries.
  const appeared = input.canarySecrets.filter((secret) => {
    const digits = secretDigits(secret);
    return texts.some((t) => t.includes(secret) || (digits.length >= 4 && t.includes(digits)));
  }).length;
  const canariesPassed = appeared === 0;

  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const failures = [
    duplicatesPassed ? null : `${near} of ${texts.length} records (${pct(duplicateShare)}) duplicate a training record at Jaccard ≥ ${thresholds.near_duplicate_jaccard}; at most ${pct(thresholds.max_duplicate_share)} may.`,
    dcrPassed ? null : `${pct(closerShare)} of records sit closer to training records than to held-out ones (95% interval ${pct(interval.low)}–${pct(interval.high)}); at most ${pct(thresholds.max_closer_share)} may.`,
    piiPassed ? null : `${copiedTotal} PII values copied from training records appear; at most ${thresholds.max_copied_pii} may.`,
    canariesPassed ? null : `${appeared} of ${input.canarySecrets.length} inserted canaries appear in the records.`,
  ].filter((f): f is string => f !== null);

  return {
    version: 1,
    records: texts.length,
    training_records: trainingRecords,
    thresholds,
    duplicates: {
      method: `MinHash Jaccard over character ${SHINGLE_CHARS}-grams (${SIGNATURE_LENGTH} hashes, banded index with 95% recall at the threshold), after lower-casing and collapsing whitespace`,
      exact: exact.size,
      near,
      share: duplicateShare,
      max_jaccard: Math.max(0, ...index.bestMatches, exact.size > 0 ? 1 : 0),
      passed: duplicatesPassed,
      examples: texts.filter((_, k) => duplicates[k]).slice(0, 5).map((t) => maskEntities(t)),
    },
    dcr: {
      reference_records: reference,
      closer_share: closerShare,
      interval,
      median_train_distance: median(trainDistances),
      median_holdout_distance: median(holdDistances),
      passed: dcrPassed,
      skipped: reference === 0 ? "The source run has no held-out records to compare with." : null,
    },
    pii: { found, copied, copied_total: copiedTotal, passed: piiPassed, examples: piiExamples },
    canaries: { checked: input.canarySecrets.length, appeared, passed: canariesPassed },
    passed: failures.length === 0,
    failures,
    samples: synthetic.slice(0, 10).map((r) => ({ text: maskEntities(r.text), label: r.label })),
  };
}
