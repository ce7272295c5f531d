// The physical micro-batch of a DP run, chosen from the memory the backend has (contract/memory-model.ts): the wasm
// heap's limit, or the machine's free memory for the native and plain-JavaScript backends. A unit that cannot fit
// alone fails the run before its first step, so nothing is charged.
import { freemem } from "node:os";
import type { BackendName } from "../contract/protocol";
import { chooseMicroBatch, formatBytes, WASM_HEAP_BYTES, type FineTuningShape, type MicroBatchChoice } from "../contract/memory-model";
import type { ModelConfig } from "../contract/model-config";

/** The memory a backend's tensors may use: the wasm heap's limit, else the free memory now. */
export const backendMemoryBytes = (backend: BackendName): number => (backend === "wasm" ? WASM_HEAP_BYTES : freemem());

export interface MicroBatchPlan extends MicroBatchChoice {
  backendBytes: number;
}

/** The micro-batch for units of at most `recordsPerUnit` records (at most `cap` units); throws when one cannot fit. */
export function planMicroBatch(
  backend: BackendName,
  model: ModelConfig,
  fineTuning: FineTuningShape,
  recordsPerUnit: number,
  cap?: number,
  backendBytes = backendMemoryBytes(backend),
): MicroBatchPlan {
  const choice = chooseMicroBatch({ model, fineTuning, recordsPerUnit }, backendBytes, cap);
  if (choice.microBatch === 0) {
    throw new Error(
      `out of memory before training: one unit of ${recordsPerUnit} records needs about ${formatBytes(choice.peakBytes)}, ` +
        `more than the ${formatBytes(choice.usableBytes)} the ${backend} backend can use; at most ${choice.maxRecordsPerUnit} records per unit fit`,
    );
  }
  return { ...choice, backendBytes };
}
