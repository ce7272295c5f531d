// Checkpoints of a run: the trainable parameters and the optimiser's state (one safetensors file) and what is
// needed to go on exactly where the run stopped (checkpoint.json: step, privacy account, the run spec's digest).
// Written to temporary names and renamed, so a crash mid-write leaves the previous checkpoint whole. Beside them,
// charged.json counts every step charged so far, updated after each step: a run that crashed after its last
// checkpoint resumes with the steps it ran since then still charged (they spent privacy even though they are rerun).
// The folder and its files are owner-only (0700, 0600) whatever the umask: a checkpoint is trained on personal data.

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CHARGED_FILE, chargedStepsSchema, recordedChargedSteps } from "../contract/charged-steps";
import { decodeSafetensors, encodeSafetensors, sha256, type HostTensors } from "../contract/safetensors";

const STATE_FILE = "state.safetensors";
const META_FILE = "checkpoint.json";
const PARAM_PREFIX = "param:";
const OPTIMIZER_PREFIX = "optimizer:";

export const checkpointMetaSchema = z.strictObject({
  run_id: z.string(),
  spec_sha256: z.string(),
  step: z.number().int().min(0),
  optimizer_steps: z.number().int().min(0),
  privacy: z.strictObject({ sampling_rate: z.number(), noise_multiplier: z.number(), steps: z.number().int() }).nullable(),
  state_sha256: z.string(),
});
export type CheckpointMeta = z.infer<typeof checkpointMetaSchema>;

export interface Checkpoint {
  meta: CheckpointMeta;
  params: HostTensors;
  optimizer: HostTensors;
}

const prefixed = (tensors: HostTensors, prefix: string): HostTensors =>
  Object.fromEntries(Object.entries(tensors).map(([name, t]) => [`${prefix}${name}`, t]));

const unprefixed = (tensors: HostTensors, prefix: string): HostTensors =>
  Object.fromEntries(
    Object.entries(tensors)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, t]) => [name.slice(prefix.length), t]),
  );

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function writeAtomically(file: string, bytes: string | Buffer): void {
  writeFileSync(`${file}.tmp`, bytes, { mode: FILE_MODE });
  chmodSync(`${file}.tmp`, FILE_MODE);
  renameSync(`${file}.tmp`, file);
}

/** The checkpoint folder, owner-only (chmod too: mkdir's mode is narrowed by the umask, and the folder may exist). */
function makeCheckpointDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

export function writeCheckpoint(dir: string, meta: Omit<CheckpointMeta, "state_sha256">, params: HostTensors, optimizer: HostTensors): void {
  makeCheckpointDir(dir);
  const state = encodeSafetensors({ ...prefixed(params, PARAM_PREFIX), ...prefixed(optimizer, OPTIMIZER_PREFIX) });
  writeAtomically(path.join(dir, STATE_FILE), state);
  writeAtomically(path.join(dir, META_FILE), `${JSON.stringify({ ...meta, state_sha256: sha256(state) }, null, 2)}\n`);
}

export function recordChargedSteps(dir: string, specSha256: string, steps: number): void {
  makeCheckpointDir(dir);
  writeAtomically(path.join(dir, CHARGED_FILE), JSON.stringify(chargedStepsSchema.parse({ spec_sha256: specSha256, steps })));
}

/** Steps charged so far by runs of this spec in `dir` (0 if none were recorded). */
export function readChargedSteps(dir: string, specSha256: string): number {
  return recordedChargedSteps(dir, specSha256) ?? 0;
}

/** The checkpoint in `dir`, or null if there is none; throws if it is damaged. */
export function readCheckpoint(dir: string): Checkpoint | null {
  if (!existsSync(path.join(dir, META_FILE))) return null;
  const meta = checkpointMetaSchema.parse(JSON.parse(readFileSync(path.join(dir, META_FILE), "utf8")));
  const state = readFileSync(path.join(dir, STATE_FILE));
  if (sha256(state) !== meta.state_sha256) throw new Error(`checkpoint in ${dir} is damaged: state digest mismatch`);
  const { tensors } = decodeSafetensors(state);
  return { meta, params: unprefixed(tensors, PARAM_PREFIX), optimizer: unprefixed(tensors, OPTIMIZER_PREFIX) };
}
