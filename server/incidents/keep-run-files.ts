// Containment for an incident: a privacy officer keeps a run's copies of training data (train.jsonl, validation.jsonl,
// checkpoint/) past the run's end, to investigate it, or lets them go again; the run is linked to the incident and
// the incident's timeline says so. The job runner deletes an ended run's copies unless they are kept.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { first, type Db } from "../../db/client";
import { incidentLinks, incidents, runs } from "../../db/schema";
import { audited, type Actor } from "../audit/service";
import { AppError } from "../errors";
import { proseText } from "../validation";
import { touch } from "./service";

export const keepRunFilesInput = z.object({
  incidentId: z.uuid(),
  runId: z.uuid(),
  keep: z.boolean(),
  reason: proseText().min(3, "The reason needs at least 3 characters").max(2000),
});

export function keepRunFiles(db: Db, actor: Actor, input: z.infer<typeof keepRunFilesInput>) {
  return audited(db, { actor, action: "incident.keep_run_files", entityType: "run", entityId: input.runId, input }, async (tx) => {
    if (!(await first(tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.id, input.incidentId))))) throw new AppError("NOT_FOUND", "No such incident.");
    const run = await first(tx.select().from(runs).where(eq(runs.id, input.runId)));
    if (!run) throw new AppError("NOT_FOUND", "No such run.");
    if (run.runFilesDeletedAt !== null) throw new AppError("CONFLICT", `This run's copies of training data were deleted on ${run.runFilesDeletedAt.slice(0, 10)}; there is nothing left to keep.`);
    if (run.keepRunFiles === input.keep) throw new AppError("CONFLICT", input.keep ? "This run's copies of training data are already kept." : "This run's copies of training data are not kept.");
    await tx.update(runs).set({ keepRunFiles: input.keep }).where(eq(runs.id, run.id));
    await tx.insert(incidentLinks).values({ incidentId: input.incidentId, entityType: "run", entityId: run.id }).onConflictDoNothing();
    const what = input.keep ? "kept until released" : "released: deleted once the run has ended";
    await touch(tx, input.incidentId, "action", `Run ${run.id.slice(0, 8)}'s copies of training data ${what}: ${input.reason}`, actor);
    return { runId: run.id, keepRunFiles: input.keep };
  });
}
