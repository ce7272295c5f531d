// The trainer's write-ahead record of the steps charged so far (charged.json in a run's checkpoint folder), written
// before each step begins (trainer/run/checkpoint.ts) and read by the trainer when a run resumes, and by a job runner
// that takes over a run whose runner died (server/jobs/takeover.ts): it counts the steps begun, whose updates may have
// been applied, including those whose messages never reached the server.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { RunSpec } from "./protocol";
import { sha256 } from "./safetensors";

export const CHARGED_FILE = "charged.json";

export const chargedStepsSchema = z.object({ spec_sha256: z.string(), steps: z.number().int().min(0) });

/** A run's checkpoint folder, in the output folder its spec names. */
export function checkpointDirectory(spec: Pick<RunSpec, "output_dir">): string {
  return path.join(spec.output_dir, "checkpoint");
}

/** The digest that a run's checkpoint and charged steps are recorded under. */
export function specDigest(spec: RunSpec): string {
  return sha256(JSON.stringify(spec));
}

/** The steps charged so far by runs of this spec as recorded in `dir`, or null when none are recorded for it. */
export function recordedChargedSteps(dir: string, digest: string): number | null {
  const file = path.join(dir, CHARGED_FILE);
  if (!existsSync(file)) return null;
  const charged = chargedStepsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  return charged.spec_sha256 === digest ? charged.steps : null;
}
