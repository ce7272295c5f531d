// What a run will take, before it is launched: the trainer's memory (the shared memory model, trainer/contract/
// memory-model.ts, against the WebAssembly heap, the least memory any of the trainer's backends has) and a rough time.
// A run whose single unit cannot fit is refused here, before anything is reserved or charged.
import { chooseMicroBatch, formatBytes, memoryModel, parameterCounts, peakBytes, WASM_HEAP_BYTES, type FineTuningShape } from "../../trainer/contract/memory-model";
import type { ModelConfig } from "../../trainer/contract/model-config";
import type { PrivacyUnit } from "../../trainer/privacy";

/** Floating-point operations a second and the cost of a token beyond them, measured with the wasm backend on two
 * CPU cores (the demo model: about 2.2 ms a token with LoRA, 2.4 ms with full fine-tuning; trainer/run/memory.test.ts). */
const FLOPS_PER_SECOND = 1.6e9;
const SECONDS_PER_TOKEN = 1e-4;
/** Starting the trainer: the process, the backend, the base model and the data. */
const START_SECONDS = 5;

export interface RunEstimate {
  /** Units per micro-batch the trainer will take; 0 when one unit cannot fit. */
  microBatch: number;
  /** The trainer's peak memory for a large sample (the expected batch plus three standard deviations, in micro-batches
   * of at most `microBatch`); for one unit when none fits. */
  peakBytes: number;
  /** What the trainer may use of the wasm heap. */
  usableBytes: number;
  /** The most records one subject may bring to a step and still fit. */
  maxRecordsPerUnit: number;
  /** Records one unit brings to a step, at most: k for subjects (fewer when no subject has k), 1 for records. */
  recordsPerUnit: number;
  /** Rough wall-clock seconds for the whole run. */
  seconds: number;
  /** Why the run cannot fit, or null. */
  refusal: string | null;
}

export interface EstimateInput {
  model: ModelConfig;
  fineTuning: FineTuningShape;
  privacyUnit: PrivacyUnit;
  /** The cap the engineer chose (subject-level runs). */
  maxRecordsPerSubject: number;
  /** The version's counts (internal figures, used only to size the work). */
  recordCount: number;
  subjectCount: number;
  mostRecordsOfOneSubject: number;
  expectedBatchSize: number;
  steps: number;
}

/** Multiply-adds times two per token of one DP step: forward and backward through the frozen or trained weights,
 * the per-unit gradients of the trained ones, and attention. */
function flopsPerToken(model: ModelConfig, fineTuning: FineTuningShape): number {
  const { total, trainable } = parameterCounts(model, fineTuning);
  const attention = 12 * model.n_layer * model.context_length * model.n_embd;
  return 4 * total + 2 * trainable + attention;
}

export function estimateRun(input: EstimateInput): RunEstimate {
  const subjects = input.privacyUnit === "subject";
  const recordsPerUnit = subjects ? Math.max(1, Math.min(input.maxRecordsPerSubject, input.mostRecordsOfOneSubject)) : 1;
  const memory = { model: input.model, fineTuning: input.fineTuning, recordsPerUnit };
  const choice = chooseMicroBatch(memory, WASM_HEAP_BYTES);
  // Poisson sampling: a step's sample rarely exceeds its mean by more than three standard deviations.
  const largeSample = Math.ceil(input.expectedBatchSize + 3 * Math.sqrt(input.expectedBatchSize));
  const meanRecords = subjects ? Math.min(recordsPerUnit, input.recordCount / Math.max(1, input.subjectCount)) : 1;
  const tokensPerStep = input.expectedBatchSize * meanRecords * input.model.context_length;
  const secondsPerStep = tokensPerStep * (flopsPerToken(input.model, input.fineTuning) / FLOPS_PER_SECOND + SECONDS_PER_TOKEN);
  const unit = subjects ? `one subject's ${recordsPerUnit} records need` : "one record needs";
  const refusal =
    choice.microBatch > 0
      ? null
      : `This run cannot fit in the trainer's memory: ${unit} about ${formatBytes(choice.peakBytes)} at once, more than the ` +
        `${formatBytes(choice.usableBytes)} it can use. ` +
        (subjects && choice.maxRecordsPerUnit > 0
          ? `Set records per subject to at most ${choice.maxRecordsPerUnit}, or choose LoRA or a smaller base model.`
          : "Choose LoRA or a smaller base model.");
  return {
    microBatch: choice.microBatch,
    peakBytes: choice.microBatch > 0 ? peakBytes(memoryModel(memory), Math.min(choice.microBatch, largeSample)) : choice.peakBytes,
    usableBytes: choice.usableBytes,
    maxRecordsPerUnit: choice.maxRecordsPerUnit,
    recordsPerUnit,
    seconds: START_SECONDS + input.steps * secondsPerStep,
    refusal,
  };
}
