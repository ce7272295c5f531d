// The memory model against the trainer itself: an upper bound on the measured peak of a DP micro-batch (wasm), and
// the launch form's defaults on the demo base model, which aborted the wasm backend with a micro-batch of 32 subjects,
// now train: the trainer splits the sampled subjects into micro-batches that fit.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { planMicroBatch } from "./memory";
import { runInProcess } from "./in-process";
import { createModel, initialLoraWeights, initialWeights } from "../model/model";
import { chooseMicroBatch, memoryModel, peakBytes, USABLE_FRACTION, WASM_HEAP_BYTES, type FineTuningShape } from "../contract/memory-model";
import { modelConfig, type ModelConfig } from "../contract/model-config";
import { writeTestBaseModel } from "../testing";
import { PROTOCOL_VERSION } from "../contract/protocol";
import { clippedSums } from "../step/dp-step";

const work = mkdtempSync(path.join(tmpdir(), "trainer-memory-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The engine's peak bytes over one clipped sum of `units` subjects of `records` full-context records each. */
async function measuredPeak(config: ModelConfig, fineTuning: FineTuningShape, units: number, records: number): Promise<number> {
  const lora = fineTuning.method === "lora" ? { rank: fineTuning.rank, alpha: 16 } : null;
  const model = createModel(config, initialWeights(config, 1), { lora, adapters: lora ? initialLoraWeights(config, lora, 2) : undefined });
  const batch = Array.from({ length: units }, (_, u) =>
    Array.from({ length: records }, (_, r) => Int32Array.from({ length: config.context_length + 1 }, (_, i) => (i * 7 + u + r) % config.vocab_size)),
  );
  const settings = { samplingRate: 1, noiseMultiplier: 1, clipNorm: 1, clipping: "flat" as const, maxPhysicalBatch: units, recordsPerUnit: records };
  const profile = await tf.profile(() => tf.dispose([...clippedSums(model, batch, settings).sums.values()]));
  tf.dispose([...model.params.values()]);
  return profile.peakBytes;
}

describe("the memory model", () => {
  it("bounds the measured peak of a micro-batch from above, within a factor of two", async () => {
    await initBackend("wasm");
    const config = modelConfig({ n_layer: 2, n_embd: 32, n_head: 2, context_length: 32 });
    for (const fineTuning of [{ method: "lora", rank: 4 }, { method: "full" }] as const) {
      for (const [units, records] of [[8, 1], [2, 4]] as const) {
        const planned = peakBytes(memoryModel({ model: config, fineTuning, recordsPerUnit: records }), units);
        const measured = await measuredPeak(config, fineTuning, units, records);
        expect(planned, `${fineTuning.method} ${units}x${records}`).toBeGreaterThan(measured);
        expect(planned, `${fineTuning.method} ${units}x${records}`).toBeLessThan(2 * measured);
      }
    }
  });

  it("refuses a unit that cannot fit alone, naming how many records would", () => {
    const config = modelConfig();
    const choice = chooseMicroBatch({ model: config, fineTuning: { method: "lora", rank: 4 }, recordsPerUnit: 10_000 }, WASM_HEAP_BYTES);
    expect(choice.microBatch).toBe(0);
    expect(choice.maxRecordsPerUnit).toBeGreaterThan(8);
    expect(() => planMicroBatch("wasm", config, { method: "lora", rank: 4 }, 10_000)).toThrow(
      new RegExp(`out of memory before training: .* at most ${choice.maxRecordsPerUnit} records per unit fit`),
    );
  });

  it("trains the form's defaults on the demo model with a batch that one micro-batch of 32 subjects could not hold", async () => {
    // The demo base model's architecture (the seed pretrains the default config), random weights: memory is the same.
    const config = modelConfig();
    const base = path.join(work, "base");
    writeTestBaseModel(base, config, 1);
    // 16 subjects with 8 records each (the form's default cap), every record longer than the context.
    const subjects = 16; // the form's default expected batch size
    const line = (i: number) => JSON.stringify({ text: `Record ${i} of patient ${i % subjects}: ${"the visit went well and ".repeat(4)}`, subject_id: `p${i % subjects}` });
    const train = path.join(work, "train.jsonl");
    writeFileSync(train, `${Array.from({ length: subjects * 8 }, (_, i) => line(i)).join("\n")}\n`);
    const fineTuning = { method: "lora" as const, rank: 4 };
    // The old fixed micro-batch (32 units, so all 12 sampled subjects at once) needs more than the wasm heap.
    expect(peakBytes(memoryModel({ model: config, fineTuning, recordsPerUnit: 8 }), subjects)).toBeGreaterThan(WASM_HEAP_BYTES);

    const { outcome, of } = await runInProcess({
      protocol_version: PROTOCOL_VERSION,
      run_id: "defaults",
      base_model: base,
      output_dir: path.join(work, "defaults"),
      data: { train },
      backend: "wasm",
      fine_tuning: { ...fineTuning, alpha: 16 },
      steps: 1,
      expected_batch_size: subjects, // sampling rate 1: every subject in the step
      privacy: { mode: "dp", unit: "subject", records_per_subject: 8, target_epsilon: 1 },
    });
    expect(outcome).toBe("completed");
    const memory = of("started")[0]!.memory!;
    expect(memory.micro_batch).toBeLessThan(subjects);
    expect(memory.planned_peak_bytes).toBeLessThanOrEqual(WASM_HEAP_BYTES * USABLE_FRACTION);
    const [step] = of("step");
    expect(step).toMatchObject({ step: 1, batch_size: subjects, records: subjects * 8 });
  }, 120_000);
});
