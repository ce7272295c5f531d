// Base-model pretraining as a job: the trainer's `pretrain` in a subprocess, on a public-domain corpus (no privacy
// budget is involved); server/models/base-model.ts registers the result.
import { z } from "zod";
import { startTrainer } from "./trainer-process";

/** What `trainer pretrain` prints when it is done: the model directory and its digests, among other figures. */
const pretrainResultSchema = z.object({ model_dir: z.string(), weights_sha256: z.string() }).passthrough();

/** Runs `trainer pretrain` into `outDir` (extra flags such as --steps or --model for a smaller model). */
export async function pretrainBaseModel(outDir: string, flags: readonly string[] = []): Promise<void> {
  let result: z.infer<typeof pretrainResultSchema> | null = null;
  let invalid: string | null = null;
  const trainer = startTrainer({
    args: ["pretrain", "--out", outDir, ...flags],
    schema: pretrainResultSchema,
    onMessage: (message) => (result = message),
    onInvalid: (reason) => (invalid = reason),
    stderr: "inherit",
  });
  const { code, signal } = await trainer.exited;
  if (code !== 0 || invalid || !result) throw new Error(`trainer pretrain failed: ${invalid ?? `exit ${signal ?? code}`}`);
}
