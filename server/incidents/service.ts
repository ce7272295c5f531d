// Incidents: opened by privacy officers or by the system (trainer faults, accounting mismatches, budget overruns,
// failed audits, drift alerts), with a timeline, containment (withdraw a model version, freeze a dataset's budget)
// and the blast radius: every model version derived from an affected dataset, dataset version, run or model.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor, Tx } from "../../db/client";
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
export function openIncidentIn(tx: Tx, actor: Actor, incident: NewIncident): string {
  const id = randomUUID();
  for (const l of incident.links) assertEntityExists(tx, l.entityType, l.entityId);
  tx.insert(incidents)
    .values({ id, title: incident.title, description: incident.description, severity: incident.severity, source: incident.source, openedBy: actor.id, ownerId: null })
    .run();
  for (const l of incident.links) tx.insert(incidentLinks).values({ incidentId: id, ...l }).onConflictDoNothing().run();
  tx.insert(incidentNotes).values({ incidentId: id, kind: "status", text: `opened (${incident.source}, ${incident.severity})`, author: actor.email }).run();
  appendAudit(tx, { actor, action: "incident.open", entityType: "incident", entityId: id, input: incident });
  return id;
}

export function openIncident(db: Db, actor: Actor, input: z.infer<typeof openIncidentInput>): string {
  return db.transaction((tx) => openIncidentIn(tx, actor, { ...input, source: "manual" }), { behavior: "immediate" });
}

function assertEntityExists(tx: Executor, type: (typeof INCIDENT_ENTITY_TYPES)[number], id: string): void {
  const table = { dataset: datasets, dataset_version: datasetVersions, run: runs, model_version: modelVersions }[type];
  if (!tx.select({ id: table.id }).from(table).where(eq(table.id, id)).get()) throw new AppError("NOT_FOUND", `No such ${type.replace("_", " ")}.`);
}

function existingIncident(tx: Executor, id: string) {
  const incident = tx.select().from(incidents).where(eq(incidents.id, id)).get();
  if (!incident) throw new AppError("NOT_FOUND", "No such incident.");
  return incident;
}

/** Adds a note to an incident's timeline and marks it updated. */
export function touch(tx: Tx, id: string, kind: "note" | "action" | "status", note: string, actor: Actor): void {
  tx.insert(incidentNotes).values({ incidentId: id, kind, text: note, author: actor.email }).run();
  tx.update(incidents).set({ updatedAt: new Date().toISOString() }).where(eq(incidents.id, id)).run();
}

export function addNote(db: Db, actor: Actor, input: z.infer<typeof noteInput>) {
  return audited(db, { actor, action: "incident.note", entityType: "incident", entityId: input.incidentId, input }, (tx) => {
    existingIncident(tx, input.incidentId);
    touch(tx, input.incidentId, "note", input.text, actor);
  });
}

export function setIncidentStatus(db: Db, actor: Actor, input: z.infer<typeof statusInput>) {
  return audited(db, { actor, action: "incident.status", entityType: "incident", entityId: input.incidentId, input }, (tx) => {
    const incident = existingIncident(tx, input.incidentId);
    if (!NEXT_STATUS[incident.status].includes(input.status)) throw new AppError("CONFLICT", `An ${incident.status} incident cannot become ${input.status}.`);
    tx.update(incidents).set({ status: input.status }).where(eq(incidents.id, incident.id)).run();
    touch(tx, incident.id, "status", `${incident.status} → ${input.status}: ${input.note}`, actor);
  });
}

export function assignOwner(db: Db, actor: Actor, input: z.infer<typeof ownerInput>) {
  return audited(db, { actor, action: "incident.assign", entityType: "incident", entityId: input.incidentId, input }, (tx) => {
    existingIncident(tx, input.incidentId);
    const owner = tx.select().from(users).where(eq(users.id, input.ownerId)).get();
    if (!owner || owner.disabled || owner.role !== "privacy_officer") throw new AppError("BAD_REQUEST", "The owner must be an active privacy officer.");
    tx.update(incidents).set({ ownerId: owner.id }).where(eq(incidents.id, input.incidentId)).run();
    touch(tx, input.incidentId, "action", `owner set to ${owner.email}`, actor);
    notifyIncidentAssigned(tx, input.incidentId, owner.id, actor.id);
  });
}

/** Containment: the version can no longer be downloaded, deployed or exported as valid. */
export function withdrawModel(db: Db, actor: Actor, input: z.infer<typeof withdrawInput>) {
  return audited(db, { actor, action: "incident.withdraw_model", entityType: "model_version", entityId: input.versionId, input }, (tx) => {
    existingIncident(tx, input.incidentId);
    const version = changeModelStatus(tx, input.versionId, "withdrawn", { reason: input.reason, incidentId: input.incidentId });
    tx.insert(incidentLinks).values({ incidentId: input.incidentId, entityType: "model_version", entityId: version.id }).onConflictDoNothing().run();
    touch(tx, input.incidentId, "action", `withdrew model version ${version.id}: ${input.reason}`, actor);
  });
}

/** Containment: a frozen budget admits no new run or resume. */
export function freezeBudget(db: Db, actor: Actor, input: z.infer<typeof freezeInput>) {
  const action = input.frozen ? "incident.freeze_budget" : "incident.unfreeze_budget";
  return audited(db, { actor, action, entityType: "dataset", entityId: input.datasetId, input }, (tx) => {
    existingIncident(tx, input.incidentId);
    setBudgetFrozen(tx, input.datasetId, input.frozen);
    tx.insert(incidentLinks).values({ incidentId: input.incidentId, entityType: "dataset", entityId: input.datasetId }).onConflictDoNothing().run();
    touch(tx, input.incidentId, "action", `${input.frozen ? "froze" : "unfroze"} the budget of dataset ${input.datasetId}: ${input.reason}`, actor);
  });
}

/** Active privacy officers, who may own incidents. */
export function activeOfficers(db: Executor) {
  return activeUsersWithRole(db, "privacy_officer").map(({ id, email }) => ({ id, email }));
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
function namedLinks(db: Executor, links: { incidentId?: string; entityType: string; entityId: string }[]) {
  const names = entityNames(db, links);
  return links.map((l) => ({ entityType: l.entityType, entityId: l.entityId, name: nameOf(names, l) }));
}

export function listIncidents(db: Executor) {
  const list = db.select(incidentColumns).from(incidents).orderBy(desc(incidents.openedAt)).all();
  const links = list.length === 0 ? [] : db.select({ incidentId: incidentLinks.incidentId, ...linkColumns }).from(incidentLinks).all();
  const byIncident = new Map<string, ReturnType<typeof namedLinks>>();
  namedLinks(db, links).forEach((l, n) => byIncident.set(links[n]!.incidentId, [...(byIncident.get(links[n]!.incidentId) ?? []), l]));
  return list.map((i) => ({ ...i, links: byIncident.get(i.id) ?? [] }));
}

export function incidentDetail(db: Executor, id: string) {
  existingIncident(db, id);
  const incident = db.select(incidentColumns).from(incidents).where(eq(incidents.id, id)).get()!;
  return {
    incident,
    owner: incident.ownerId ? (db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, incident.ownerId)).get() ?? null) : null,
    links: namedLinks(db, db.select(linkColumns).from(incidentLinks).where(eq(incidentLinks.incidentId, id)).all()),
    notes: db.select(noteColumns).from(incidentNotes).where(eq(incidentNotes.incidentId, id)).orderBy(asc(incidentNotes.id)).all(),
    blastRadius: blastRadius(db, id),
  };
}

/** Incidents that link to any of these entities (for a model version's provenance and disclosure). */
export function incidentsTouching(db: Executor, entityIds: string[]) {
  if (entityIds.length === 0) return [];
  const ids = db.selectDistinct({ id: incidentLinks.incidentId }).from(incidentLinks).where(inArray(incidentLinks.entityId, entityIds)).all().map((r) => r.id);
  return ids.length === 0 ? [] : db.select(incidentColumns).from(incidents).where(inArray(incidents.id, ids)).orderBy(asc(incidents.openedAt)).all();
}

/**
 * Every model version derived from what the incident links: a dataset's versions (and the versions minimised from
 * them), a run's result, a model version; then every descendant version, through the lineage.
 */
export function blastRadius(db: Executor, incidentId: string) {
  const links = db.select().from(incidentLinks).where(eq(incidentLinks.incidentId, incidentId)).all();
  const datasetIds = links.filter((l) => l.entityType === "dataset").map((l) => l.entityId);
  const versionIds = new Set(links.filter((l) => l.entityType === "dataset_version").map((l) => l.entityId));
  if (datasetIds.length > 0) {
    for (const v of db.select({ id: datasetVersions.id }).from(datasetVersions).where(inArray(datasetVersions.datasetId, datasetIds)).all()) versionIds.add(v.id);
  }
  // Versions minimised from affected versions are affected too.
  for (let grew = true; grew; ) {
    grew = false;
    const children = versionIds.size === 0 ? [] : db.select({ id: datasetVersions.id }).from(datasetVersions).where(inArray(datasetVersions.parentVersionId, [...versionIds])).all();
    for (const c of children) if (!versionIds.has(c.id)) (versionIds.add(c.id), (grew = true));
  }
  const models = new Map<string, string>();
  const affectedModels = (ids: string[], why: string) => ids.forEach((id) => models.has(id) || models.set(id, why));
  if (versionIds.size > 0) {
    affectedModels(db.select({ id: modelVersions.id }).from(modelVersions).where(inArray(modelVersions.datasetVersionId, [...versionIds])).all().map((m) => m.id), "trained on affected data");
  }
  const runIds = links.filter((l) => l.entityType === "run").map((l) => l.entityId);
  if (runIds.length > 0) affectedModels(db.select({ id: modelVersions.id }).from(modelVersions).where(inArray(modelVersions.runId, runIds)).all().map((m) => m.id), "produced by an affected run");
  affectedModels(links.filter((l) => l.entityType === "model_version").map((l) => l.entityId), "linked to the incident");
  for (let frontier = [...models.keys()]; frontier.length > 0; ) {
    const children = db.select({ id: modelVersions.id }).from(modelVersions).where(inArray(modelVersions.parentVersionId, frontier)).all().map((m) => m.id);
    frontier = children.filter((id) => !models.has(id));
    affectedModels(frontier, "derived from an affected version");
  }
  const ids = [...models.keys()];
  const rows =
    ids.length === 0
      ? []
      : db
          .select({ id: modelVersions.id, version: modelVersions.version, status: modelVersions.status, family: modelFamilies.name })
          .from(modelVersions)
          .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
          .where(inArray(modelVersions.id, ids))
          .all();
  return { datasetVersionIds: [...versionIds], modelVersions: rows.map((r) => ({ ...r, why: models.get(r.id)! })) };
}

/** Opens a system incident unless an open one of the same source already links this entity. */
export function openSystemIncidentOnce(tx: Tx, actor: Actor, incident: NewIncident): void {
  const [first] = incident.links;
  if (first) {
    const existing = tx
      .select({ id: incidents.id })
      .from(incidents)
      .innerJoin(incidentLinks, eq(incidentLinks.incidentId, incidents.id))
      .where(and(eq(incidents.source, incident.source), eq(incidents.status, "open"), eq(incidentLinks.entityId, first.entityId)))
      .get();
    if (existing) return;
  }
  openIncidentIn(tx, actor, incident);
}
