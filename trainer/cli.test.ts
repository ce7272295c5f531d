// The trainer as the server runs it: a separate process (tsx trainer/cli.ts) fed a run spec, whose stdout must be
// protocol JSON lines only. Checks a whole run, SIGTERM (checkpoint, then a final message), and that resuming gives
// the same epsilon and privacy events as an uninterrupted run.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readModelDir } from "./contract/model-files";
import { messageSchema, type Message, type RunSpecInput } from "./contract/protocol";
import { messagesOf } from "./run/in-process";
import { writeRunFixture } from "./testing";

const root = path.resolve(import.meta.dirname, "..");
const work = mkdtempSync(path.join(tmpdir(), "trainer-cli-"));
const fixture = writeRunFixture(work);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const spec = (runId: string, overrides: Partial<RunSpecInput> = {}): RunSpecInput =>
  fixture.spec(runId, {
    fine_tuning: { method: "lora", rank: 2, alpha: 4 },
    optimizer: { name: "sgd", learning_rate: 0.05 },
    steps: 150,
    expected_batch_size: 4,
    privacy: { mode: "dp", unit: "subject", records_per_subject: 2, target_epsilon: 6, delta: 1e-5, clip_norm: 1 },
    evaluation_every: 50,
    ...overrides,
  });

interface Run {
  messages: Message[];
  code: number | null;
  stderr: string;
}

/** Runs the CLI with the spec on stdin; `onMessage` may act on the live process (e.g. signal it). */
function runCli(args: string[], input: unknown, onMessage?: (m: Message, kill: (s: NodeJS.Signals) => void) => void) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "trainer/cli.ts", ...args], { cwd: root });
    const messages: Message[] = [];
    let buffer = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const message = messageSchema.parse(JSON.parse(line)); // every stdout line is a valid message
        messages.push(message);
        onMessage?.(message, (signal) => child.kill(signal));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      expect(buffer, "stdout ends with a complete line").toBe("");
      resolve({ messages, code, stderr });
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** A run (checkpoint every 10 steps) killed with SIGKILL once it reports step 25. */
async function crashAtStep25(runId: string): Promise<Run> {
  let killed = false;
  const crashed = await runCli(["train"], spec(runId, { checkpoint_every: 10 }), (m, kill) => {
    if (m.type === "step" && m.step === 25 && !killed) {
      killed = true;
      kill("SIGKILL");
    }
  });
  expect(crashed.code).toBeNull();
  return crashed;
}

describe("trainer CLI process", () => {
  let uninterrupted: Run;

  it("runs a spec to the end: started, a step per step, evaluations, finished with digests", async () => {
    uninterrupted = await runCli(["train"], spec("whole"));
    const { messages, code } = uninterrupted;
    expect(code).toBe(0);
    expect(messages[0]?.type).toBe("started");
    expect(messages.at(-1)?.type).toBe("finished");
    const steps = messagesOf(messages, "step");
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    const epsilons = steps.map((s) => s.epsilon!);
    epsilons.slice(1).forEach((e, i) => expect(e).toBeGreaterThan(epsilons[i]!));
    expect(messagesOf(messages, "evaluation").map((e) => e.step)).toEqual([50, 100, 150]);
    const finished = messagesOf(messages, "finished")[0]!;
    expect(finished).toMatchObject({ outcome: "completed", steps: 150, delta: 1e-5 });
    expect(finished.epsilon).toBeLessThanOrEqual(6);
    expect(finished.epsilon).toBe(epsilons.at(-1));
    const dir = readModelDir(finished.model_dir);
    expect(dir.digests).toEqual({
      weights_sha256: finished.weights_sha256,
      config_sha256: finished.config_sha256,
      adapter_sha256: finished.adapter_sha256,
    });
    expect(dir.provenance).toMatchObject({ kind: "fine-tuned", privacy: { mode: "dp", unit: "subject", steps: 150 } });
  }, 60_000);

  it("stops at a step boundary on SIGTERM with a checkpoint, and a resumed run ends with the same epsilon", async () => {
    let signalled = false;
    const first = await runCli(["train"], spec("split"), (m, kill) => {
      if (m.type === "step" && !signalled) {
        signalled = true;
        kill("SIGTERM");
      }
    });
    expect(first.code).toBe(0);
    const stoppedAt = messagesOf(first.messages, "step").at(-1)!.step;
    expect(stoppedAt).toBeLessThan(150);
    const [checkpoint, finished] = first.messages.slice(-2);
    expect(checkpoint).toMatchObject({ type: "checkpoint", step: stoppedAt });
    expect(finished).toMatchObject({ type: "finished", outcome: "interrupted", steps: stoppedAt });
    expect(first.stderr).toMatch(/SIGTERM: stopping at the next step boundary/);

    const resumed = await runCli(["train", "--resume"], spec("split"));
    expect(resumed.code).toBe(0);
    expect(resumed.messages[0]).toMatchObject({ type: "started", resumed_from_step: stoppedAt });
    expect(messagesOf(resumed.messages, "step")[0]!.step).toBe(stoppedAt + 1);
    const end = messagesOf(resumed.messages, "finished")[0]!;
    const whole = messagesOf(uninterrupted.messages, "finished")[0]!;
    expect(end).toMatchObject({ outcome: "completed", steps: 150 });
    expect(end.epsilon).toBe(whole.epsilon);
    expect(end.privacy_event).toEqual(whole.privacy_event);
    // The two segments' step events add up to the run's event.
    const charged = messagesOf(first.messages, "step").length + messagesOf(resumed.messages, "step").length;
    expect(charged).toBe(150);
  }, 90_000);

  it("after a crash, resumes from the last checkpoint with every step run since still charged", async () => {
    const crashed = await crashAtStep25("crash");
    expect(messagesOf(crashed.messages, "checkpoint").at(-1)!.step).toBe(20);
    const reported = messagesOf(crashed.messages, "step").at(-1)!.step; // 25, or 26 if one more finished in time

    const resumed = await runCli(["train", "--resume"], spec("crash", { checkpoint_every: 10 }));
    expect(resumed.code).toBe(0);
    expect(resumed.messages[0]).toMatchObject({ type: "started", resumed_from_step: 20 });
    const end = messagesOf(resumed.messages, "finished")[0]!;
    const rerun = messagesOf(resumed.messages, "step").length;
    const event = end.privacy_event!.event as { type: string; count: number };
    expect(event.type).toBe("self_composed");
    expect(event.count).toBeGreaterThanOrEqual(reported + rerun); // the steps after the checkpoint stay charged
    // The noise was calibrated for 150 steps, so the extra charged steps end the run early, within the target.
    expect(end).toMatchObject({ outcome: "budget_exhausted" });
    expect(end.steps).toBeLessThan(150);
    expect(end.epsilon).toBeLessThanOrEqual(6);
  }, 90_000);

  it("resumed with the server's charged count, counts from it and trains every remaining planned step", async () => {
    const crashed = await crashAtStep25("counted");
    // The server charges every reported step and the one in flight, and hands its count to the resumed trainer.
    const serverCharged = messagesOf(crashed.messages, "step").at(-1)!.step + 1;
    const resumed = await runCli(["train", "--resume", "--charged-steps", String(serverCharged)], spec("counted", { checkpoint_every: 10 }));
    expect(resumed.code).toBe(0);
    expect(messagesOf(resumed.messages, "step").map((m) => m.step)).toEqual(Array.from({ length: 130 }, (_, i) => 21 + i));
    const end = messagesOf(resumed.messages, "finished")[0]!;
    expect(end).toMatchObject({ outcome: "completed", steps: 150 });
    expect((end.privacy_event!.event as { count: number }).count).toBe(serverCharged + 130);
  }, 90_000);

  it("a run that fails after applying steps names the last step it charged", async () => {
    const runId = "fails-late";
    // The model directory cannot be written (a file is in its way): the run fails after its last step.
    mkdirSync(path.join(work, runId), { recursive: true });
    writeFileSync(path.join(work, runId, "model"), "in the way");
    const failed = await runCli(["train"], spec(runId, { steps: 3, evaluation_every: 0 }));
    expect(failed.code).toBe(1);
    expect(messagesOf(failed.messages, "step").map((m) => m.step)).toEqual([1, 2, 3]);
    expect(failed.messages.at(-1)).toMatchObject({ type: "failed", step: 3 });
  }, 60_000);

  it("refuses a resume with a different spec, and an invalid spec, with a failed message", async () => {
    const changed = await runCli(["train", "--resume"], spec("split", { steps: 151 }));
    expect(changed.code).toBe(1);
    expect(changed.messages.at(-1)).toMatchObject({ type: "failed", reason: expect.stringMatching(/different run spec/) });

    const specFile = path.join(work, "bad.json");
    writeFileSync(specFile, JSON.stringify({ ...spec("bad"), expected_batch_size: -1 }));
    const invalid = await runCli(["train", "--spec", specFile], null);
    expect(invalid.code).toBe(2);
    expect(invalid.messages).toEqual([{ type: "failed", reason: expect.stringMatching(/expected_batch_size/), step: null }]);
  }, 60_000);
});
