// The leakage validation report of a synthetic version, as stored and shown: the thresholds it was checked against,
// each check's figures and verdict, and a few sample records, every text masked where it holds PII. Zod only, so that
// pages may import it.
import { z } from "zod";

/** The organisation's thresholds (db/schema/synthetic.ts), as the form and the report name them. */
export const thresholdsSchema = z.strictObject({
  near_duplicate_jaccard: z.number().min(0.3, "The Jaccard threshold must be at least 0.3").max(1, "The Jaccard threshold must be at most 1"),
  max_duplicate_share: z.number().min(0, "Shares are between 0 and 1").max(1, "Shares are between 0 and 1"),
  max_closer_share: z.number().min(0.5, "The DCR share must be at least 0.5 (what chance gives)").max(1, "Shares are between 0 and 1"),
  max_copied_pii: z.number().int().min(0).max(1_000_000),
});
export type Thresholds = z.infer<typeof thresholdsSchema>;

/** Until a privacy officer sets them: no duplicates, DCR share 0.6, no copied PII value. */
export const DEFAULT_THRESHOLDS: Thresholds = { near_duplicate_jaccard: 0.7, max_duplicate_share: 0, max_closer_share: 0.6, max_copied_pii: 0 };

const share = z.number().min(0).max(1);
/** Counts by the PII detector's entity type (server/datasets/ingest/pii.ts, not imported: it is not for pages). */
const byType = z.record(z.string(), z.number().int().nonnegative());

const scores = z.strictObject({ accuracy: share, macro_f1: share });

/** Train on synthetic, test on real (utility.ts), or why it was not measured. */
export const utilitySchema = z.union([
  z.strictObject({
    labels: z.array(z.string()),
    /** The source run's held-out records with one of the labels: what both classifiers predict. */
    test_records: z.number().int().positive(),
    /** The classifier trained on the synthetic records. */
    synthetic: scores,
    /** The same classifier trained on the source run's real training records (up to 5000). */
    real: scores,
  }),
  z.strictObject({ skipped: z.string() }),
]);
export type Utility = z.infer<typeof utilitySchema>;

export const validationReportSchema = z.strictObject({
  version: z.literal(1),
  records: z.number().int().nonnegative(),
  training_records: z.number().int().nonnegative(),
  thresholds: thresholdsSchema,
  duplicates: z.strictObject({
    method: z.string(),
    /** Synthetic records equal to a training record (after lower-casing and collapsing whitespace). */
    exact: z.number().int().nonnegative(),
    /** Synthetic records whose estimated Jaccard similarity to some training record reaches the threshold (exact ones included). */
    near: z.number().int().nonnegative(),
    share,
    /** The highest similarity found of a synthetic record to a training record (exact from the threshold up; below it a lower bound). */
    max_jaccard: share,
    passed: z.boolean(),
    /** Up to five of the duplicates, masked. */
    examples: z.array(z.string()).max(5),
  }),
  dcr: z.strictObject({
    /** Held-out records, and training records sampled to the same number, each synthetic record is compared with. */
    reference_records: z.number().int().nonnegative(),
    /** Share of synthetic records closer to the training sample than to the held-out records (ties count half). */
    closer_share: share,
    interval: z.strictObject({ low: share, high: share }),
    median_train_distance: share,
    median_holdout_distance: share,
    passed: z.boolean(),
    /** Why the check could not be made (no held-out records), else null: a skipped check does not fail. */
    skipped: z.string().nullable(),
  }),
  pii: z.strictObject({
    found: byType,
    /** Values found that also occur, verbatim, in a training record. */
    copied: byType,
    copied_total: z.number().int().nonnegative(),
    passed: z.boolean(),
    examples: z.array(z.string()).max(5),
  }),
  canaries: z.strictObject({
    /** Canaries inserted into the source run's training data. */
    checked: z.number().int().nonnegative(),
    /** Of them, those whose text or secret digits appear in a synthetic record. */
    appeared: z.number().int().nonnegative(),
    passed: z.boolean(),
  }),
  passed: z.boolean(),
  /** One sentence per failed check. */
  failures: z.array(z.string()),
  /** Utility beyond perplexity, for records with labels (not a check: it passes or fails nothing); absent before it was measured. */
  utility: utilitySchema.optional(),
  /** The first records, masked. */
  samples: z.array(z.strictObject({ text: z.string(), label: z.string().nullable() })).max(10),
});
export type ValidationReport = z.infer<typeof validationReportSchema>;
