// The job runner's side of red-team exercises: claims the oldest queued one (a conditional update one runner wins),
// prompts the version's model with the trainer's `generate` in a subprocess, compares the outputs with the run's
// training records (regenerated from the dataset version's file with the run's hold-out, as the model was trained on
// them) and records the evidence.
import { eq } from "drizzle-orm";
import { first, type Db } from "../../db/client";
import { modelVersions, redTeamExercises, runs, type RedTeamExercise } from "../../db/schema";
import { redTeamRequestSchema } from "../red-team/request";
import { carryOutExercise } from "../red-team/exercise";
import { recordExercise, recordExerciseFailure } from "../red-team/service";
import { trainedRecords } from "../runs/run-files";
import { modelStoreFor } from "../storage/model-store";
import { claimOldestQueued, inWorkDir, trainerProbes } from "./evaluations";

async function carryOut(db: Db, dataDir: string, trainerCommand: readonly string[], row: RedTeamExercise, workDir: string): Promise<void> {
  const request = redTeamRequestSchema.parse(JSON.parse(row.request));
  const version = (await first(db.select().from(modelVersions).where(eq(modelVersions.id, row.modelVersionId))))!;
  const run = (await first(db.select().from(runs).where(eq(runs.id, version.runId!))))!;
  const modelDir = await modelStoreFor(dataDir).materialize(version.weightsPath);
  const probes = trainerProbes(trainerCommand, workDir);
  const result = await carryOutExercise(request, {
    generate: (prompts, maxTokens, decoding) =>
      probes.generate(modelDir, prompts, maxTokens, decoding.kind === "sample" ? { temperature: decoding.temperature, top_k: decoding.top_k, top_p: decoding.top_p } : undefined),
    // The training split, canaries aside (they are synthetic secrets, scored by the leakage tests instead).
    async *trainingTexts() {
      for await (const { split, record } of trainedRecords(db, dataDir, run)) {
        if (split === "train" && !record.subject_id.startsWith("canary:")) yield record.text;
      }
    },
  });
  await recordExercise(db, row, result);
}

/** Carries out the oldest queued exercise, if any; returns whether there was one. */
export async function runNextExercise(db: Db, dataDir: string, trainerCommand: readonly string[], runnerId: string): Promise<boolean> {
  const row = await claimOldestQueued(db, redTeamExercises, runnerId);
  if (row === undefined) return false;
  if (row === null) return true;
  await inWorkDir(dataDir, row.id, (workDir) =>
    carryOut(db, dataDir, trainerCommand, row, workDir).catch((err: Error) => recordExerciseFailure(db, row, err.message)),
  );
  return true;
}
