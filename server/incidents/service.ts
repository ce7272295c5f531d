// Incidents: opened by privacy officers or by the system (trainer faults, accounting mismatches, budget overruns,
// failed audits, drift alerts), with a timeline, containment (withdraw a model version, freeze a dataset's budget)
// and the blast radius: every model version derived from an affected dataset, dataset version, run or model.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { first, transaction, type Db, type Executor, type Tx } from "../../db/client";
import {
  INCIDENT_ENTITY_TYPES,
  INCIDENT_SEVERITIES,
  INCIDENT_SOURCES,
  INCIDENT_STATUSES,
  datasetVersions,
  datasets,
  incidentLinks,
  incidentNotes,
  incidents,
  modelFamilies,
  modelVersions,
  runs,
  users,
} from "../../db/schema";
import { appendAudit, audited, type Actor } from "../audit/service";
import { entityNames, nameOf } from "../audit/entity-names";
import { setBudgetFrozen } from "../budgets/service";
import { AppError } from "../errors";
import { lineText, proseText } from "../validation";
import { changeModelStatus } from "../models/service";
import { notifyIncidentAssigned } from "../notifications/hooks";
import { activeUsersWithRole } from "../users/service";

const atLeast3 = (field: z.ZodString, max: number, what: string) => field.min(3, `${what} needs at least 3 characters`).max(max);
const text = (max: number, what: string) => atLeast3(proseText(), max, what);
const link = z.object({ entityType: z.enum(INCIDENT_ENTITY_TYPES), entityId: z.uuid() });

export const openIncidentInput = z.object({
  title: atLeast3(lineText(), 200, "The title"),
  description: proseText().max(5000).default(""),
  severity: z.enum(INCIDENT_SEVERITIES),
  links: z.array(link).max(50).default([]),
});
export const noteInput = z.object({ incidentId: z.uuid(), text: text(5000, "The note") });
export const statusInput = z.object({ incidentId: z.uuid(), status: z.enum(INCIDENT_STATUSES), note: text(5000, "The note") });
export const ownerInput = z.object({ incidentId: z.uuid(), ownerId: z.uuid() });
export const withdrawInput = z.object({ incidentId: z.uuid(), versionId: z.uuid(), reason: text(2000, "The reason") });
export const freezeInput = z.object({ incidentId: z.uuid(), datasetId: z.uuid(), frozen: z.boolean(), reason: text(2000, "The reason") });

/** Status moves forward only; a post-incident review closes it. */
const NEXT_STATUS: Record<(typeof INCIDENT_STATUSES)[number], readonly (typeof INCIDENT_STATUSES)[number][]> = {
  open: ["contained", "resolved"],
  contained: ["resolved"],
  resolved: ["review_done"],
  review_done: [],
};

type NewIncident = z.infer<typeof openIncidentInput> & { source: (typeof INCIDENT_SOURCES)[number] };

/** Opens an incident inside the caller's transaction, with its own audit entry: the system uses this from the runner. */
export async function openIncidentIn(tx: Tx, actor: Actor, incident: NewIncident): Promise<string> {
  const id = randomUUID();
  for (const l of incident.links) await assertEntityExists(tx, l.entityType, l.entityId);
  await tx
    .insert(incidents)
    .values({ id, title: incident.title, description: incident.description, severity: incident.severity, source: incident.source, openedBy: actor.id, ownerId: null });
  for (const l of incident.links) await tx.insert(incidentLinks).values({ incidentId: id, ...l }).onConflictDoNothing();
  await tx.insert(incidentNotes).values({ incidentId: id, kind: "status", text: `opened (${incident.source}, ${incident.severity})`, author: actor.email });
  await appendAudit(tx, { actor, action: "incident.open", entityType: "incident", entityId: id, input: incident });
  return id;
}

export function openIncident(db: Db, actor: Actor, input: z.infer<typeof openIncidentInput>): Promise<string> {
  return transaction(db, (tx) => openIncidentIn(tx, actor, { ...input, source: "manual" }));
}

async function assertEntityExists(tx: Executor, type: (typeof INCIDENT_ENTITY_TYPES)[number], id: string): Promise<void> {
  const table = { dataset: datasets, dataset_version: datasetVersions, run: runs, model_version: modelVersions }[type];
  if (!(await first(tx.select({ id: table.id }).from(table).where(eq(table.id, id))))) throw new AppError("NOT_FOUND", `No such ${type.replace("_", " ")}.`);
}

async function existingIncident(tx: Executor, id: string) {
  const incident = await first(tx.select().from(incidents).where(eq(incidents.id, id)));
  if (!incident) throw new AppError("NOT_FOUND", "No such incident.");
  return incident;
}

/** Adds a note to an incident's timeline and marks it updated. */
export async function touch(tx: Tx, id: string, kind: "note" | "action" | "status", note: string, actor: Actor): Promise<void> {
  await tx.insert(incidentNotes).values({ incidentId: id, kind, text: note, author: actor.email });
  await tx.update(incidents).set({ updatedAt: new Date().toISOString() }).where(eq(incidents.id, id));
}

export function addNote(db: Db, actor: Actor, input: z.infer<typeof noteInput>) {
  return audited(db, { actor, action: "incident.note", entityType: "incident", entityId: input.incidentId, input }, async (tx) => {
    await existingIncident(tx, input.incidentId);
    await touch(tx, input.incidentId, "note", input.text, actor);
  });
}

export function setIncidentStatus(db: Db, actor: Actor, input: z.infer<typeof statusInput>) {
  return audited(db, { actor, action: "incident.status", entityType: "incident", entityId: input.incidentId, input }, async (tx) => {
    const incident = await existingIncident(tx, input.incidentId);
    if (!NEXT_STATUS[incident.status].includes(input.status)) throw new AppError("CONFLICT", `An ${incident.status} incident cannot become ${input.status}.`);
    await tx.update(incidents).set({ status: input.status }).where(eq(incidents.id, incident.id));
    await touch(tx, incident.id, "status", `${incident.status} → ${input.status}: ${input.note}`, actor);
  });
}

export function assignOwner(db: Db, actor: Actor, input: z.infer<typeof ownerInput>) {
  return audited(db, { actor, action: "incident.assign", entityType: "incident", entityId: input.incidentId, input }, async (tx) => {
    await existingIncident(tx, input.incidentId);
    const owner = await first(tx.select().from(users).where(eq(users.id, input.ownerId)));
    if (!owner || owner.disabled || owner.role !== "privacy_officer") throw new AppError("BAD_REQUEST", "The owner must be an active privacy officer.");
    await tx.update(incidents).set({ ownerId: owner.id }).where(eq(incidents.id, input.incidentId));
    await touch(tx, input.incidentId, "action", `owner set to ${owner.email}`, actor);
    await notifyIncidentAssigned(tx, input.incidentId, owner.id, actor.id);
  });
}

/** Containment: the version can no longer be downloaded, deployed or exported as valid. */
export function withdrawModel(db: Db, actor: Actor, input: z.infer<typeof withdrawInput>) {
  return audited(db, { actor, action: "incident.withdraw_model", entityType: "model_version", entityId: input.versionId, input }, async (tx) => {
    await existingIncident(tx, input.incidentId);
    const version = await changeModelStatus(tx, input.versionId, "withdrawn", { reason: input.reason, incidentId: input.incidentId });
    await tx.insert(incidentLinks).values({ incidentId: input.incidentId, entityType: "model_version", entityId: version.id }).onConflictDoNothing();
    await touch(tx, input.incidentId, "action", `withdrew model version ${version.id}: ${input.reason}`, actor);
  });
}

/** Containment: a frozen budget admits no new run or resume. */
export function freezeBudget(db: Db, actor: Actor, input: z.infer<typeof freezeInput>) {
  const action = input.frozen ? "incident.freeze_budget" : "incident.unfreeze_budget";
  return audited(db, { actor, action, entityType: "dataset", entityId: input.datasetId, input }, async (tx) => {
    await existingIncident(tx, input.incidentId);
    await setBudgetFrozen(tx, input.datasetId, input.frozen);
    await tx.insert(incidentLinks).values({ incidentId: input.incidentId, entityType: "dataset", entityId: input.datasetId }).onConflictDoNothing();
    await touch(tx, input.incidentId, "action", `${input.frozen ? "froze" : "unfroze"} the budget of dataset ${input.datasetId}: ${input.reason}`, actor);
  });
}

/** Active privacy officers, who may own incidents. */
export async function activeOfficers(db: Executor) {
  return (await activeUsersWithRole(db, "privacy_officer")).map(({ id, email }) => ({ id, email }));
}

/** What readers see of an incident, its links and its notes: explicit columns, so a new column is not shown unasked. */
const incidentColumns = {
  id: incidents.id,
  title: incidents.title,
  description: incidents.description,
  severity: incidents.severity,
  status: incidents.status,
  source: incidents.source,
  ownerId: incidents.ownerId,
  openedBy: incidents.openedBy,
  openedAt: incidents.openedAt,
  updatedAt: incidents.updatedAt,
};
const linkColumns = { entityType: incidentLinks.entityType, entityId: incidentLinks.entityId };
const noteColumns = { id: incidentNotes.id, kind: incidentNotes.kind, text: incidentNotes.text, author: incidentNotes.author, at: incidentNotes.at };

/** What an incident links, each named, with its page (one query per entity type). */
async function namedLinks(db: Executor, links: { incidentId?: string; entityType: string; entityId: string }[]) {
  const names = await entityNames(db, links);
  return links.map((l) => ({ entityType: l.entityType, entityId: l.entityId, name: nameOf(names, l) }));
}

export async function listIncidents(db: Executor) {
  const list = await db.select(incidentColumns).from(incidents).orderBy(desc(incidents.openedAt));
  const links = list.length === 0 ? [] : await db.select({ incidentId: incidentLinks.incidentId, ...linkColumns }).from(incidentLinks);
  const byIncident = new Map<string, Awaited<ReturnType<typeof namedLinks>>>();
  (await namedLinks(db, links)).forEach((l, n) => byIncident.set(links[n]!.incidentId, [...(byIncident.get(links[n]!.incidentId) ?? []), l]));
  return list.map((i) => ({ ...i, links: byIncident.get(i.id) ?? [] }));
}

export async function incidentDetail(db: Executor, id: string) {
  await existingIncident(db, id);
  const incident = (await first(db.select(incidentColumns).from(incidents).where(eq(incidents.id, id))))!;
  return {
    incident,
    owner: incident.ownerId ? ((await first(db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, incident.ownerId)))) ?? null) : null,
    links: await namedLinks(db, await db.select(linkColumns).from(incidentLinks).where(eq(incidentLinks.incidentId, id))),
    notes: await db.select(noteColumns).from(incidentNotes).where(eq(incidentNotes.incidentId, id)).orderBy(asc(incidentNotes.id)),
    blastRadius: await blastRadius(db, id),
  };
}

/** Incidents that link to any of these entities (for a model version's provenance and disclosure). */
export async function incidentsTouching(db: Executor, entityIds: string[]) {
  if (entityIds.length === 0) return [];
  const ids = (await db.selectDistinct({ id: incidentLinks.incidentId }).from(incidentLinks).where(inArray(incidentLinks.entityId, entityIds))).map((r) => r.id);
  return ids.length === 0 ? [] : await db.select(incidentColumns).from(incidents).where(inArray(incidents.id, ids)).orderBy(asc(incidents.openedAt));
}

/**
 * Every model version derived from what the incident links: a dataset's versions (and the versions minimised from
 * them), a run's result, a model version; then every descendant version, through the lineage.
 */
export async function blastRadius(db: Executor, incidentId: string) {
  const links = await db.select().from(incidentLinks).where(eq(incidentLinks.incidentId, incidentId));
  const datasetIds = links.filter((l) => l.entityType === "dataset").map((l) => l.entityId);
  const versionIds = new Set(links.filter((l) => l.entityType === "dataset_version").map((l) => l.entityId));
  if (datasetIds.length > 0) {
    for (const v of await db.select({ id: datasetVersions.id }).from(datasetVersions).where(inArray(datasetVersions.datasetId, datasetIds))) versionIds.add(v.id);
  }
  // Versions minimised from affected versions are affected too.
  for (let grew = true; grew; ) {
    grew = false;
    const children = versionIds.size === 0 ? [] : await db.select({ id: datasetVersions.id }).from(datasetVersions).where(inArray(datasetVersions.parentVersionId, [...versionIds]));
    for (const c of children) if (!versionIds.has(c.id)) (versionIds.add(c.id), (grew = true));
  }
  const models = new Map<string, string>();
  const affectedModels = (ids: string[], why: string) => ids.forEach((id) => models.has(id) || models.set(id, why));
  const ids = (rows: { id: string }[]) => rows.map((m) => m.id);
  if (versionIds.size > 0) {
    affectedModels(ids(await db.select({ id: modelVersions.id }).from(modelVersions).where(inArray(modelVersions.datasetVersionId, [...versionIds]))), "trained on affected data");
  }
  const runIds = links.filter((l) => l.entityType === "run").map((l) => l.entityId);
  if (runIds.length > 0) affectedModels(ids(await db.select({ id: modelVersions.id }).from(modelVersions).where(inArray(modelVersions.runId, runIds))), "produced by an affected run");
  affectedModels(links.filter((l) => l.entityType === "model_version").map((l) => l.entityId), "linked to the incident");
  for (let frontier = [...models.keys()]; frontier.length > 0; ) {
    const children = ids(await db.select({ id: modelVersions.id }).from(modelVersions).where(inArray(modelVersions.parentVersionId, frontier)));
    frontier = children.filter((id) => !models.has(id));
    affectedModels(frontier, "derived from an affected version");
  }
  const affected = [...models.keys()];
  const rows =
    affected.length === 0
      ? []
      : await db
          .select({ id: modelVersions.id, version: modelVersions.version, status: modelVersions.status, family: modelFamilies.name })
          .from(modelVersions)
          .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
          .where(inArray(modelVersions.id, affected));
  return { datasetVersionIds: [...versionIds], modelVersions: rows.map((r) => ({ ...r, why: models.get(r.id)! })) };
}

/**
 * Opens a system incident unless an open one of the same source already links this entity. The caller's transaction
 * must hold a lock that every opener for that entity takes first (its callers hold the run's row, or the lineage's
 * curves for a budget overrun), so that two openers cannot both find none.
 */
export async function openSystemIncidentOnce(tx: Tx, actor: Actor, incident: NewIncident): Promise<void> {
  const [link] = incident.links;
  if (link) {
    const existing = await first(
      tx
        .select({ id: incidents.id })
        .from(incidents)
        .innerJoin(incidentLinks, eq(incidentLinks.incidentId, incidents.id))
        .where(and(eq(incidents.source, incident.source), eq(incidents.status, "open"), eq(incidentLinks.entityId, link.entityId))),
    );
    if (existing) return;
  }
  await openIncidentIn(tx, actor, incident);
}
