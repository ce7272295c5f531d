// A checkpoint holds what was trained on personal data: its folder is 0700 and its files 0600 whatever the umask,
// and it reads back as written.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { readCheckpoint, readChargedSteps, recordChargedSteps, writeCheckpoint } from "./checkpoint";

let dir: string;
let umask: number;
const modeOf = (p: string) => statSync(p).mode & 0o777;

beforeEach(() => {
  umask = process.umask(0);
  dir = mkdtempSync(path.join(tmpdir(), "ledger-checkpoint-"));
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

it("writes the checkpoint folder 0700 and its files 0600", () => {
  const checkpoint = path.join(dir, "run", "checkpoint");
  const params = { w: { shape: [2], data: new Float32Array([1, 2]) } };
  writeCheckpoint(checkpoint, { run_id: "r", spec_sha256: "s", step: 10, optimizer_steps: 10, privacy: null }, params, {});
  recordChargedSteps(checkpoint, "s", 11);
  expect(modeOf(checkpoint)).toBe(0o700);
  expect(readdirSync(checkpoint).sort()).toEqual(["charged.json", "checkpoint.json", "state.safetensors"]);
  for (const f of readdirSync(checkpoint)) expect(modeOf(path.join(checkpoint, f))).toBe(0o600);
  expect(readCheckpoint(checkpoint)!.meta.step).toBe(10);
  expect(readChargedSteps(checkpoint, "s")).toBe(11);
});
