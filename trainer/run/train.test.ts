// Whole runs in-process (the CLI test covers the process itself): stopping before the target epsilon would be
// exceeded, the non-private baseline, full fine-tuning with per-layer clipping, and record-level privacy.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createAccountant, dpSgdEvent } from "../privacy";
import type { RunSpecInput } from "../contract/protocol";
import { runInProcess } from "./in-process";
import { writeRunFixture } from "../testing";

const work = mkdtempSync(path.join(tmpdir(), "trainer-run-"));
const fixture = writeRunFixture(work);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(runId: string, overrides: Partial<RunSpecInput>, options: { workers?: number; log?: (line: string) => void } = {}) {
  const { outcome, of } = await runInProcess(fixture.spec(runId, { steps: 20, expected_batch_size: 6, privacy: { mode: "dp", target_epsilon: 3 }, ...overrides }), options);
  return { outcome, find: of };
}

describe("training runs", () => {
  it("stops before the target epsilon would be exceeded when the noise is fixed too low", async () => {
    const { outcome, find } = await run("budget", {
      steps: 200,
      privacy: { mode: "dp", unit: "record", target_epsilon: 2, noise_multiplier: 1, delta: 1e-5 },
    });
    expect(outcome).toBe("budget_exhausted");
    const started = find("started")[0]!;
    const steps = find("step");
    const finished = find("finished")[0]!;
    if (started.privacy.mode !== "dp") throw new Error("expected DP");
    expect(steps.length).toBe(started.privacy.affordable_steps);
    expect(steps.length).toBeLessThan(200);
    expect(finished.epsilon).toBeLessThanOrEqual(2);
    // One more step would have exceeded the target.
    const rdp = createAccountant("rdp");
    expect(rdp.epsilon(dpSgdEvent(started.privacy.sampling_rate, 1, steps.length + 1), 1e-5)).toBeGreaterThan(2);
    expect(finished.epsilon).toBeCloseTo(rdp.epsilon(dpSgdEvent(started.privacy.sampling_rate, 1, steps.length), 1e-5), 12);
  });

  it("calibrates the noise so that the planned steps land just under the target", async () => {
    const { outcome, find } = await run("calibrated", { privacy: { mode: "dp", unit: "record", target_epsilon: 3 } });
    expect(outcome).toBe("completed");
    const finished = find("finished")[0]!;
    expect(finished.epsilon).toBeLessThanOrEqual(3);
    expect(finished.epsilon).toBeGreaterThan(2.95);
    expect(find("step")).toHaveLength(20);
  });

  it("runs full fine-tuning with per-layer clipping and the PLD accountant", async () => {
    const { outcome, find } = await run("full", {
      fine_tuning: { method: "full" },
      steps: 5,
      privacy: { mode: "dp", unit: "record", target_epsilon: 8, noise_multiplier: 1.5, clipping: "per_layer", accountant: "pld", clip_norm: 0.1 },
    });
    expect(outcome).toBe("completed");
    const started = find("started")[0]!;
    expect(started.parameters.trainable).toBe(started.parameters.total);
    expect(find("step").every((s) => s.clipped_fraction === null || s.clipped_fraction >= 0)).toBe(true);
    expect(find("finished")[0]!.adapter_sha256).toBeNull();
  });

  it("on 2 worker threads, runs every step and charges exactly what one thread charges", async () => {
    const lines: string[] = [];
    const spec = { steps: 6, privacy: { mode: "dp", unit: "record", target_epsilon: 3 } } as const;
    const threaded = await run("threads", spec, { workers: 2, log: (line) => lines.push(line) });
    const single = await run("one-thread", spec, { workers: 1 });
    expect(lines[0]).toContain("on 2 worker threads");
    expect(threaded.outcome).toBe("completed");
    expect(threaded.find("step")).toHaveLength(6);
    expect(threaded.find("finished")[0]!.privacy_event).toEqual(single.find("finished")[0]!.privacy_event);
    expect(threaded.find("finished")[0]!.epsilon).toBe(single.find("finished")[0]!.epsilon);
  });

  it("trains without DP as the baseline: no events, no epsilon, and the loss falls", async () => {
    const { outcome, find } = await run("baseline", {
      steps: 40,
      optimizer: { name: "adam", learning_rate: 0.01 },
      evaluation_every: 20,
      privacy: { mode: "none" },
    });
    expect(outcome).toBe("completed");
    expect(find("step").every((s) => s.privacy_event === null && s.epsilon === null)).toBe(true);
    expect(find("finished")[0]).toMatchObject({ epsilon: null, privacy_event: null });
    const [early, late] = find("evaluation");
    expect(late!.validation_loss).toBeLessThan(early!.validation_loss);
  });
});
