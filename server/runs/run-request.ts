// What an engineer asks of a run, validated at every boundary: a leaf module (zod and the canary plan only), so that
// the launch, the job runner's run files and the disclosure report share it without importing each other.
import { z } from "zod";
import { LORA_TARGETS, loraTargetsSchema } from "../../trainer/contract/model-config";
import { PRIVACY_UNITS } from "../../trainer/privacy";
import { canaryPlanSchema } from "../leakage/canaries";
import { lineText } from "../validation";

const positive = (max: number, what: string) => z.number().gt(0, `${what} must be > 0`).max(max, `${what} must be at most ${max}`);

export const runRequestInput = z.object({
  datasetVersionId: z.uuid(),
  baseModelVersionId: z.uuid(),
  privacyUnit: z.enum(PRIVACY_UNITS),
  privacy: z.discriminatedUnion("mode", [
    z.object({ mode: z.literal("target_epsilon"), targetEpsilon: positive(100, "target epsilon") }),
    z.object({ mode: z.literal("noise_multiplier"), noiseMultiplier: positive(1000, "noise multiplier") }),
  ]),
  batch: z.discriminatedUnion("by", [
    z.object({ by: z.literal("sampling_rate"), samplingRate: positive(1, "sampling rate") }),
    z.object({ by: z.literal("expected_batch_size"), expectedBatchSize: z.number().int().min(1).max(100_000) }),
  ]),
  length: z.discriminatedUnion("by", [
    z.object({ by: z.literal("steps"), steps: z.number().int().min(1).max(1_000_000) }),
    z.object({ by: z.literal("epochs"), epochs: positive(1000, "epochs") }),
  ]),
  clipNorm: positive(1000, "clip norm").default(1),
  learningRate: positive(10, "learning rate").default(1e-3),
  fineTuning: z.discriminatedUnion("method", [
    z.object({
      method: z.literal("lora"),
      rank: z.number().int().min(1).max(256),
      /** The layers that carry adapters: c_attn, c_proj, c_fc (trainer/contract/model-config.ts); absent, every one. */
      targets: loraTargetsSchema.optional(),
    }),
    z.object({ method: z.literal("full") }),
  ]),
  /** With subjects as the unit: the most records one subject may contribute to a step. */
  maxRecordsPerSubject: z.number().int().min(1).max(10_000).default(8),
  /** Canaries for the one-run audit and exposure tests: drawn, committed and audited at launch, before training. */
  canaries: canaryPlanSchema.optional(),
  /**
   * A classification task: the dataset's field that holds each record's label, and the labels, stated (not read from
   * the data, so that what is published of the run does not depend on which labels occur). Records with one of them
   * are trained as "<label>: <text>" (trainer/contract/labelled-text.ts); each evaluation measures the task.
   */
  task: z
    .object({
      labelField: lineText().min(1, "Name the label field").max(100),
      labels: z
        .array(lineText().min(1, "A label must not be empty").max(40, "A label must be at most 40 characters"))
        .min(2, "A task needs at least two labels")
        .max(20, "At most 20 labels")
        .refine((labels) => new Set(labels).size === labels.length, "Each label at most once"),
    })
    .optional(),
  /**
   * A federated run (DP-FedAvg over the parties of a declaration version of the federation's lineage, the party as the
   * unit): the batch's sampling rate is each party's chance to be sampled per round, the steps are rounds, the clip
   * norm bounds each party's whole delta, and the learning rate is the parties' local one.
   */
  federation: z
    .strictObject({
      /** Local Adam steps each sampled party takes per round. */
      localSteps: z.number().int().min(1).max(1000).default(2),
      /** Units per local step. */
      localBatchSize: z.number().int().min(1).max(4096).default(8),
      /** How long the coordinator waits for each party's answer at each step of a round. */
      answerSeconds: z.number().int().min(5).max(3600).default(120),
      /**
       * Who adds the noise: the coordinator, Gaussian, to the sum it unmasks (central); or each party its share of
       * discrete Gaussian noise before masking (distributed: the coordinator never sees a sum without it).
       */
      noise: z.enum(["central", "distributed"]).default("central"),
      /**
       * What each party clips: its whole update (the party is the unit), or each person's share of it, one SGD step of
       * per-person clipped gradients (a person is the unit; at most maxRecordsPerSubject records of each).
       */
      clip: z.enum(["party", "person"]).default("party"),
    })
    .optional(),
});
export type RunRequest = z.infer<typeof runRequestInput>;

/**
 * Why a request cannot be what it says, or null. Runs on the federation's lineage (`federationLineage`) are federated
 * runs and no other is. A federated run protects a party, or a person when parties clip per person (then one local
 * step of central noise: see trainer/federation/local-update.ts); it has no canaries and no task (the server holds
 * none of the parties' records to plant them in or to score); distributed noise is given by its own settings.
 */
export function federatedRequestRefusal(input: RunRequest, federationLineage: boolean): string | null {
  const federation = input.federation;
  if (federationLineage !== (federation !== undefined)) {
    return federationLineage
      ? "This is the federation's lineage: its runs are federated runs (give the federation settings), trained by the parties."
      : "Only the federation's lineage takes federated runs.";
  }
  if (!federation) return input.privacyUnit === "party" ? "Only a federated run has the party as its privacy unit." : null;
  const unit = federation.clip === "person" ? "subject" : "party";
  if (input.privacyUnit !== unit) {
    return federation.clip === "person"
      ? "When parties clip per person, the privacy unit is a subject (a person)."
      : "A federated run whose parties clip their whole update protects each party: its privacy unit must be party.";
  }
  if (input.canaries) return "A federated run cannot plant canaries: the coordinator holds none of the parties' records.";
  if (input.task) return "A federated run has no task: the coordinator holds no labelled record to score it on.";
  if (input.fineTuning.method === "lora" && input.fineTuning.targets && input.fineTuning.targets.length < LORA_TARGETS.length) {
    return `A federated run's LoRA adapts every layer (${LORA_TARGETS.join(", ")}): the parties build their adapters so.`;
  }
  if (federation.clip === "person" && (federation.noise !== "central" || federation.localSteps !== 1)) {
    return "Clipping per person takes one local step with central noise: a second step would let one person move the others' gradients, and distributed noise is calibrated to whole updates.";
  }
  if (federation.noise === "distributed" && (input.privacy.mode !== "noise_multiplier" || input.batch.by !== "sampling_rate")) {
    return "With distributed noise, give the noise multiplier and the parties' sampling rate themselves: the charge is computed from them.";
  }
  return null;
}
