// The stored form of one leakage evaluation (a leakage_reports row's JSON), read back through this schema; free of
// the trainer, so that the web server can read reports the job runner wrote.
import { z } from "zod";
import { leakageReportSchema } from "./report";

/** What is stored for a report: the leakage figures, what they are compared with, and a probe's output scan. */
export const storedLeakageSchema = z.strictObject({
  leakage: leakageReportSchema,
  /** The guarantee the one-run audit tests: the accountant's, or (canaries repeated as records) its group version. */
  accountant: z.strictObject({ epsilon: z.number(), delta: z.number(), group_size: z.number().int().min(1) }),
  /**
   * The exposure plot: the fine-tuned model's losses of random members of the canaries' space (the reference
   * distribution, with the fitted skew-normal's expected counts when exposure was extrapolated) and of the inserted
   * and the other canaries, on shared bins.
   */
  histogram: z.strictObject({
    edges: z.array(z.number()),
    reference: z.array(z.number()),
    expected: z.array(z.number()).nullable(),
    inserted: z.array(z.number()),
    others: z.array(z.number()),
  }),
  /** PII found per 1000 sampled outputs, by type (drift probes). */
  output_pii: z.strictObject({ outputs: z.number().int(), per_1000: z.record(z.string(), z.number()) }).nullable(),
});
export type StoredLeakage = z.infer<typeof storedLeakageSchema>;
