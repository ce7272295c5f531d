// The trainer's protocol with the server, versioned: the run spec that comes in (a file or stdin) and the JSON lines
// that go out on stdout, one message per line, each validated here before it is written. Human-readable progress
// goes to stderr. Version 1.
//
// Messages, in order: started; then step (one per optimisation step, each charged), with evaluation and checkpoint
// messages between steps; then finished or failed as the last line. On SIGTERM the run stops at the next step
// boundary, writes a checkpoint (a checkpoint message) and ends with finished, outcome "interrupted"; running the
// same spec with --resume continues from that checkpoint, privacy account included.
//
// Privacy: each step message carries that step's privacy event, and checkpoint and finished carry the run's whole
// event so far (all segments of a resumed run), in the accountant's stored form { version, event }. The server
// recomputes epsilon from these. The loss, clipped fraction and gradient-norm quantiles of a step are computed on
// the sampled training records and are not covered by the DP guarantee: internal diagnostics, not for publication.
//
// Free of TensorFlow, so that the server can import it to write specs and read messages.

import { z } from "zod";
import { LORA_TARGETS, loraTargetsSchema, modelConfigSchema } from "./model-config";
import { accountantNameSchema, privacyEventDocumentSchema, privacyUnitSchema } from "../privacy";

export const PROTOCOL_VERSION = 1;

/** LoRA's alpha when a run does not give one: the adapter's output is scaled by alpha / rank. */
export const DEFAULT_LORA_ALPHA = 16;

/** TensorFlow.js backends, best first (run/backend.ts chooses among them). */
export const BACKENDS = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export const backendChoiceSchema = z.enum(["auto", ...BACKENDS]);
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = z.infer<typeof backendChoiceSchema>;

export const optimizerConfigSchema = z.discriminatedUnion("name", [
  z.strictObject({
    name: z.literal("sgd"),
    learning_rate: z.number().gt(0),
    momentum: z.number().min(0).lt(1).default(0),
  }),
  z.strictObject({
    name: z.literal("adam"),
    learning_rate: z.number().gt(0),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    epsilon: z.number().gt(0).default(1e-8),
  }),
]);
export type OptimizerConfig = z.infer<typeof optimizerConfigSchema>;

const positiveInt = z.number().int().min(1);
const finitePositive = z.number().gt(0).refine(Number.isFinite, "must be finite");

export const dpSpecSchema = z.strictObject({
  mode: z.literal("dp"),
  unit: privacyUnitSchema.default("record"), // the privacy unit: a record, or a person (subject_id)
  records_per_subject: positiveInt.default(4), // k: a subject's records used per step, at most (unit "subject")
  target_epsilon: finitePositive, // the run stops before its epsilon would exceed this
  delta: z.number().gt(0).lt(1).default(1e-5),
  noise_multiplier: finitePositive.optional(), // sigma; when absent, calibrated to reach target_epsilon in `steps`
  clip_norm: finitePositive.default(1), // C: bound on a unit's gradient norm
  clipping: z.enum(["flat", "per_layer"]).default("flat"),
  accountant: accountantNameSchema.default("rdp"),
});

export const runSpecSchema = z.strictObject({
  protocol_version: z.literal(PROTOCOL_VERSION),
  run_id: z.string().min(1),
  base_model: z.string().min(1), // a model directory (weights.safetensors, config.json, provenance.json)
  output_dir: z.string().min(1), // receives checkpoint/ and model/
  data: z.strictObject({
    train: z.string().min(1), // JSON lines of {"text": ..., "subject_id"?: ..., "label"?: ...}
    validation: z.string().min(1).optional(), // same format; evaluated, never trained on
  }),
  backend: backendChoiceSchema.default("auto"),
  fine_tuning: z
    .discriminatedUnion("method", [
      z.strictObject({
        method: z.literal("lora"),
        rank: positiveInt.default(8),
        alpha: finitePositive.default(DEFAULT_LORA_ALPHA),
        // The layers that carry adapters (model-config.ts); every one by default.
        targets: loraTargetsSchema.default([...LORA_TARGETS]),
      }),
      z.strictObject({ method: z.literal("full") }),
    ])
    .default({ method: "lora", rank: 8, alpha: DEFAULT_LORA_ALPHA, targets: [...LORA_TARGETS] }),
  optimizer: optimizerConfigSchema.default({ name: "adam", learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
  steps: positiveInt, // planned optimisation steps
  expected_batch_size: finitePositive, // q N: units sampled per step on average (Poisson sampling)
  // units per forward/backward pass, at most (memory bound only; the result is the same): the trainer takes the most
  // that fit in its backend's memory (contract/memory-model.ts), never more than this when it is given
  max_physical_batch: positiveInt.optional(),
  privacy: z.discriminatedUnion("mode", [dpSpecSchema, z.strictObject({ mode: z.literal("none") })]),
  evaluation_every: z.number().int().min(0).default(0), // steps between evaluations (0: only at the end)
  evaluation_records: positiveInt.default(256), // validation records evaluated, at most
  checkpoint_every: z.number().int().min(0).default(0), // steps between checkpoints (0: only when stopped)
  seed: z.number().int().default(0), // LoRA initialisation only; never DP noise or sampling
  // A classification task: records whose label is one of these are trained as "<label>: <text>" (labelled-text.ts),
  // and each evaluation also classifies the validation records by scoring each as each label's continuation (eval/task.ts)
  task: z.strictObject({ labels: z.array(z.string().min(1)).min(2).max(20) }).optional(),
});
export type RunSpec = z.infer<typeof runSpecSchema>;
export type RunSpecInput = z.input<typeof runSpecSchema>;

const eventDocument = privacyEventDocumentSchema;
const quantiles = z.strictObject({ p10: z.number(), p50: z.number(), p90: z.number(), max: z.number() });

export const messageSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("started"),
    protocol_version: z.literal(PROTOCOL_VERSION),
    run_id: z.string(),
    backend: z.enum(BACKENDS),
    backends_skipped: z.array(z.string()),
    model: modelConfigSchema,
    parameters: z.strictObject({ total: z.number().int(), trainable: z.number().int() }),
    fine_tuning: z.string(),
    dataset: z.strictObject({ records: z.number().int(), units: z.number().int(), sha256: z.string() }),
    privacy: z.union([
      z.strictObject({
        mode: z.literal("dp"),
        unit: privacyUnitSchema,
        sampling_rate: z.number(),
        noise_multiplier: z.number(),
        clip_norm: z.number(),
        clipping: z.enum(["flat", "per_layer"]),
        delta: z.number(),
        target_epsilon: z.number(),
        accountant: accountantNameSchema,
        planned_steps: z.number().int(),
        affordable_steps: z.number().int(), // steps charged in all (every segment of the run) within target_epsilon
        // steps charged before this segment's first step, as the trainer counts them: the server's --charged-steps, or
        // more when its own write-ahead record shows a step begun that the server did not hear of (the server then
        // charges those too: the step may have been applied)
        charged_steps: z.number().int().min(0),
        planned_epsilon: z.number(), // epsilon after the affordable steps
      }),
      z.strictObject({ mode: z.literal("none"), sampling_rate: z.number(), planned_steps: z.number().int() }),
    ]),
    resumed_from_step: z.number().int().nullable(),
    // DP runs: the micro-batch chosen from the backend's memory (bytes it may use, and the planned peak)
    memory: z.strictObject({ backend_bytes: z.number(), micro_batch: z.number().int().min(1), planned_peak_bytes: z.number() }).optional(),
  }),
  z.strictObject({
    type: z.literal("step"),
    step: z.number().int().min(1),
    batch_size: z.number().int(), // units sampled
    records: z.number().int(),
    tokens: z.number().int(),
    loss: z.number().nullable(), // mean token loss (nats) of the batch; null when empty
    epsilon: z.number().nullable(), // the run's epsilon after this step (null without DP)
    clipped_fraction: z.number().nullable(),
    grad_norm_quantiles: quantiles.nullable(),
    privacy_event: eventDocument.nullable(), // this step's event
    elapsed_ms: z.number(),
  }),
  z.strictObject({
    type: z.literal("evaluation"),
    step: z.number().int(),
    validation_loss: z.number(),
    perplexity: z.number(),
    tokens: z.number().int(),
    // with a task: the validation records with one of its labels, classified (accuracy, macro-F1)
    task: z.strictObject({ records: z.number().int().min(1), accuracy: z.number(), macro_f1: z.number() }).optional(),
  }),
  z.strictObject({
    type: z.literal("checkpoint"),
    step: z.number().int(),
    dir: z.string(),
    epsilon: z.number().nullable(),
    privacy_event: eventDocument.nullable(), // the whole run's event so far
  }),
  z.strictObject({
    type: z.literal("finished"),
    outcome: z.enum(["completed", "budget_exhausted", "interrupted"]),
    steps: z.number().int(),
    epsilon: z.number().nullable(),
    delta: z.number().nullable(),
    privacy_event: eventDocument.nullable(),
    model_dir: z.string(),
    weights_sha256: z.string(),
    config_sha256: z.string(),
    adapter_sha256: z.string().nullable(),
  }),
  // step: the last step the trainer charged (its update may have been applied); null when it charged none.
  z.strictObject({ type: z.literal("failed"), reason: z.string(), step: z.number().int().min(1).nullable() }),
]);
export type Message = z.infer<typeof messageSchema>;

/** One protocol line: the message validated, as JSON with a newline. */
export const messageLine = (message: Message): string => `${JSON.stringify(messageSchema.parse(message))}\n`;

export function parseRunSpec(value: unknown): RunSpec {
  const result = runSpecSchema.safeParse(value);
  if (!result.success) {
    throw new Error(`invalid run spec: ${result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  return result.data;
}
