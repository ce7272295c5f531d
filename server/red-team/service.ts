// Red-team exercises as the web server sees them: privacy officers and auditors queue one against a fine-tuned version
// (the job runner carries it out, server/jobs/red-team.ts) and read the evidence, masked; a privacy officer reveals an
// exercise's unmasked prompts and outputs, or opens an incident from its findings. Every change is audited.
import { randomUUID } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { first, type Db, type Executor, type Tx } from "../../db/client";
import { modelVersions, redTeamExercises, users, type RedTeamExercise } from "../../db/schema";
import type { UserActor } from "../actor";
import { audited, SYSTEM_ACTOR } from "../audit/service";
import { maskEntities } from "../datasets/ingest/pii";
import { AppError } from "../errors";
import { openIncidentIn } from "../incidents/service";
import { redTeamRequestSchema } from "./request";
import { redTeamReportSchema, unmaskedSchema, type RedTeamReport, type Unmasked } from "./report";

export const runExerciseInput = z.strictObject({ versionId: z.uuid(), request: redTeamRequestSchema });
export const exerciseInput = z.strictObject({ exerciseId: z.uuid() });

/** Queues an exercise against a fine-tuned version; its audit entry digests the whole request. */
export async function requestExercise(db: Db, actor: UserActor, input: z.infer<typeof runExerciseInput>): Promise<string> {
  const id = randomUUID();
  const change = { actor, action: "red_team.request", entityType: "model_version", entityId: input.versionId, input: { exerciseId: id, ...input.request } };
  await audited(db, change, async (tx) => {
    const version = await first(tx.select().from(modelVersions).where(eq(modelVersions.id, input.versionId)));
    if (!version) throw new AppError("NOT_FOUND", "No such model version.");
    if (!version.runId) throw new AppError("BAD_REQUEST", "Red-team exercises need a fine-tuned version: a base model was not trained on data of ours.");
    await tx.insert(redTeamExercises).values({ id, modelVersionId: input.versionId, requestedBy: actor.id, request: JSON.stringify(input.request) });
  });
  return id;
}

/** An exercise as the dashboard shows it: its own prompts masked like its outputs, and never the unmasked pairs. */
function shown(row: RedTeamExercise) {
  const request = redTeamRequestSchema.parse(JSON.parse(row.request));
  const report = row.report === null ? null : redTeamReportSchema.parse(JSON.parse(row.report));
  return {
    id: row.id,
    status: row.status,
    error: row.error,
    incidentId: row.incidentId,
    requestedAt: row.requestedAt,
    computedAt: row.computedAt,
    request: { ...request, prompts: request.prompts.map((p) => maskEntities(p)) },
    report,
    /** The findings in one sentence (findingsSentence), once done. */
    findings: report && findingsSentence(report),
  };
}

/** A version's exercises, newest first, masked, with who asked for each. */
export async function listExercises(db: Executor, versionId: string) {
  if (!(await first(db.select({ id: modelVersions.id }).from(modelVersions).where(eq(modelVersions.id, versionId))))) {
    throw new AppError("NOT_FOUND", "No such model version.");
  }
  const rows = await db
    .select({ exercise: redTeamExercises, requestedBy: users.email })
    .from(redTeamExercises)
    .innerJoin(users, eq(users.id, redTeamExercises.requestedBy))
    .where(eq(redTeamExercises.modelVersionId, versionId))
    .orderBy(desc(redTeamExercises.requestedAt));
  return rows.map((r) => ({ ...shown(r.exercise), requestedBy: r.requestedBy }));
}

async function exerciseIn(tx: Executor, exerciseId: string): Promise<RedTeamExercise> {
  const row = await first(tx.select().from(redTeamExercises).where(eq(redTeamExercises.id, exerciseId)));
  if (!row) throw new AppError("NOT_FOUND", "No such red-team exercise.");
  return row;
}

/** The exercise's prompts and outputs unmasked, for a privacy officer; the reveal is audited. */
export function revealExercise(db: Db, actor: UserActor, input: z.infer<typeof exerciseInput>): Promise<Unmasked> {
  return audited(db, { actor, action: "red_team.reveal", entityType: "red_team_exercise", entityId: input.exerciseId, input }, async (tx) => {
    const row = await exerciseIn(tx, input.exerciseId);
    if (row.unmasked === null) throw new AppError("CONFLICT", "The exercise has no outputs yet.");
    return unmaskedSchema.parse(JSON.parse(row.unmasked));
  });
}

/** Opens a high-severity incident from an exercise's findings, linked to its model version (once per exercise). */
export function openIncidentFromExercise(db: Db, actor: UserActor, input: z.infer<typeof exerciseInput>): Promise<string> {
  return audited(db, { actor, action: "red_team.open_incident", entityType: "red_team_exercise", entityId: input.exerciseId, input }, async (tx) => {
    const row = await exerciseIn(tx, input.exerciseId);
    if (row.incidentId) throw new AppError("CONFLICT", "An incident was already opened from this exercise.");
    const report = row.report === null ? null : redTeamReportSchema.parse(JSON.parse(row.report));
    if (!report || report.summary.findings === 0) throw new AppError("CONFLICT", "The exercise has no findings to open an incident from.");
    const incidentId = await openIncidentIn(tx, actor, {
      title: "A red-team exercise found leakage",
      description: `Red-team exercise ${row.id} (requested ${row.requestedAt}): ${findingsSentence(report)}`,
      severity: "high",
      source: "red_team",
      links: [{ entityType: "model_version", entityId: row.modelVersionId }],
    });
    await tx.update(redTeamExercises).set({ incidentId }).where(eq(redTeamExercises.id, row.id));
    return incidentId;
  });
}

/**
 * "3 of 40 outputs are findings. With PII their prompt did not hold: 2 (email 2). Copying 32+ characters of training
 * records: 1."
 */
export function findingsSentence(report: RedTeamReport): string {
  const { prompts, findings, with_pii, verbatim, pii_by_type } = report.summary;
  const types = Object.entries(pii_by_type).map(([t, n]) => `${t} ${n}`).join(", ");
  return (
    `${findings} of ${prompts} outputs are findings. With PII their prompt did not hold: ${with_pii}${types ? ` (${types})` : ""}. ` +
    `Copying ${report.verbatim_window}+ characters of training records: ${verbatim}.`
  );
}

/** Records a finished exercise: its masked report and, apart, its unmasked outputs. */
export function recordExercise(db: Db, row: RedTeamExercise, result: { report: RedTeamReport; unmasked: Unmasked }): Promise<void> {
  const { summary } = result.report;
  const change = { actor: SYSTEM_ACTOR, action: "red_team.report", entityType: "red_team_exercise", entityId: row.id, input: summary };
  return audited(db, change, async (tx: Tx) => {
    await tx
      .update(redTeamExercises)
      .set({ status: "done", report: JSON.stringify(result.report), unmasked: JSON.stringify(result.unmasked), computedAt: new Date().toISOString() })
      .where(eq(redTeamExercises.id, row.id));
  });
}

/** Records that an exercise could not be carried out, and why. */
export function recordExerciseFailure(db: Db, row: RedTeamExercise, reason: string): Promise<void> {
  const change = { actor: SYSTEM_ACTOR, action: "red_team.failed", entityType: "red_team_exercise", entityId: row.id, input: { reason } };
  return audited(db, change, async (tx) => {
    await tx.update(redTeamExercises).set({ status: "failed", error: reason, computedAt: new Date().toISOString() }).where(eq(redTeamExercises.id, row.id));
  });
}
