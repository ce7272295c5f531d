// The stored form of a leakage report for one model version (JSON, validated with zod): exposure per canary, the
// membership-inference summary, the one-run audit, the extraction tally, attribute inference and, side by side, the
// base model's figures.
import { z } from "zod";

const rate = z.number().min(0).max(1);
const count = z.number().int().min(0);

export const canaryExposureSchema = z.strictObject({
  /** The canary's commitment, as written to the audit log before training (canaries.ts). */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  included: z.boolean(),
  /** Bits; between 0 and log2|R|. */
  exposure: z.number().min(0),
  /** "exact" ranks against every member of R; "extrapolated" uses the skew-normal fit (exposure.ts). */
  method: z.enum(["exact", "extrapolated"]),
});

export const membershipSummarySchema = z.strictObject({
  auc: rate,
  tpr_at_fpr_0_1pct: rate,
  tpr_at_fpr_1pct: rate,
  members: count.min(1),
  non_members: count.min(1),
  /** False when fewer than 1000 (resp. 100) non-members: the figure is then the zero-FPR point. */
  fpr_0_1pct_resolved: z.boolean(),
  fpr_1pct_resolved: z.boolean(),
  /** ROC points with FPR > 0, thinned for a log-log plot (membership.ts). */
  roc: z.array(z.strictObject({ fpr: rate, tpr: rate })),
});

export const oneRunAuditSchema = z
  .strictObject({
    m: count.min(1),
    k_plus: count,
    k_minus: count,
    /** r = k_plus + k_minus. */
    guesses: count,
    correct: count,
    /** The delta of the tested hypothesis; compare epsilon_lower_bound with the accountant's epsilon at it. */
    delta: z.number().min(0).lt(1),
    confidence: z.number().gt(0).lt(1),
    epsilon_lower_bound: z.number().min(0),
  })
  .refine((a) => a.guesses === a.k_plus + a.k_minus && a.guesses <= a.m && a.correct <= a.guesses, {
    message: "need guesses = k_plus + k_minus <= m and correct <= guesses",
  });

export const extractionSummarySchema = z.strictObject({
  prompts: count,
  /** Verbatim PII completions per PII type (extraction.ts). */
  verbatim_pii: z.record(z.string().min(1), count),
});

export const attributeInferenceSchema = z.strictObject({
  members: count.min(1),
  non_members: count.min(1),
  member_hits: count,
  non_member_hits: count,
  /** Members' rate of completed attributes minus non-members', with its 95% interval (attribute-inference.ts). */
  advantage: z.number().min(-1).max(1),
  advantage_low: z.number(),
  advantage_high: z.number(),
  /** The most advantage the guarantee below allows at the non-members' rate. */
  allowed_advantage: z.number().min(0).max(1),
  /** The evidence breaks the guarantee even at its interval's most favourable ends. */
  exceeds: z.boolean(),
  /** The guarantee per subject: the run's, over group_size records at record level. */
  guarantee: z.strictObject({ epsilon: z.number().min(0), delta: z.number().min(0).max(1), group_size: z.number().int().min(1) }),
});

/** The figures computed for any model, the fine-tuned one and its base model alike. */
const leakageFigures = {
  canaries: z.array(canaryExposureSchema),
  membership: membershipSummarySchema,
  extraction: extractionSummarySchema,
  /**
   * Attribute inference on training against held-out subjects; null when it could not run (the dataset names no
   * subjects, or no member or no held-out subject has a record with an e-mail address or phone number); absent from
   * reports made before it existed.
   */
  attribute_inference: attributeInferenceSchema.nullable().optional(),
};

export const leakageReportSchema = z.strictObject({
  ...leakageFigures,
  /** Only for the fine-tuned model: the base model never saw the canaries. */
  one_run_audit: oneRunAuditSchema,
  /** The same figures for the base model, for comparison. */
  base_model: z.strictObject(leakageFigures).optional(),
  computed_at: z.iso.datetime(),
});
export type LeakageReport = z.infer<typeof leakageReportSchema>;
