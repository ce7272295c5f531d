// Names for the entities the audit log and incidents refer to by type and id: one batched query per entity type, the
// page each has (with the procedure that page reads, so that the UI links it only where `can` allows), and the id
// itself when the entity is gone.
import { eq, inArray } from "drizzle-orm";
import { inChunks, type Executor } from "../../db/client";
import {
  budgetRequests,
  datasetVersions,
  datasets,
  federationOverlaps,
  federationParties,
  incidents,
  modelFamilies,
  modelVersions,
  redTeamExercises,
  runs,
  syntheticJobs,
  users,
} from "../../db/schema";

export interface EntityRef {
  entityType: string;
  entityId: string;
}

export interface EntityName {
  /** A name for people ("notes v2", "support-gpt v3", a user's name); the id itself when the entity does not exist (any more). */
  label: string;
  /** The entity's page (null when it has none, or is gone). */
  href: string | null;
  /** The procedure that page reads ("datasets.get"): the UI links the name only when the reader's `can` allows it. */
  needs: string | null;
  /** False when no entity of this type has this id (deleted, or a type without names): the label is the id. */
  found: boolean;
}

interface Named {
  label: string;
  href: string;
  needs: string;
}

type Lookup = (db: Executor, ids: string[]) => Promise<Map<string, Named>>;

const byId = <T extends { id: string }>(rows: T[], name: (row: T) => Named) => new Map(rows.map((r) => [r.id, name(r)]));

/** One query per type, for all its ids at once. */
const LOOKUPS: Record<string, Lookup> = {
  dataset: async (db, ids) =>
    byId(await db.select({ id: datasets.id, name: datasets.name }).from(datasets).where(inArray(datasets.id, ids)), (d) => ({
      label: d.name,
      href: `/datasets/${d.id}`,
      needs: "datasets.get",
    })),
  dataset_version: async (db, ids) =>
    byId(
      await db
        .select({ id: datasetVersions.id, version: datasetVersions.version, datasetId: datasets.id, name: datasets.name })
        .from(datasetVersions)
        .innerJoin(datasets, eq(datasets.id, datasetVersions.datasetId))
        .where(inArray(datasetVersions.id, ids)),
      (v) => ({ label: `${v.name} v${v.version}`, href: `/datasets/${v.datasetId}`, needs: "datasets.get" }),
    ),
  model_version: async (db, ids) =>
    byId(
      await db
        .select({ id: modelVersions.id, version: modelVersions.version, family: modelFamilies.name })
        .from(modelVersions)
        .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
        .where(inArray(modelVersions.id, ids)),
      (m) => ({ label: `${m.family} v${m.version}`, href: `/models/${m.id}`, needs: "models.get" }),
    ),
  red_team_exercise: async (db, ids) =>
    byId(
      await db
        .select({ id: redTeamExercises.id, versionId: modelVersions.id, version: modelVersions.version, family: modelFamilies.name })
        .from(redTeamExercises)
        .innerJoin(modelVersions, eq(modelVersions.id, redTeamExercises.modelVersionId))
        .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
        .where(inArray(redTeamExercises.id, ids)),
      (e) => ({ label: `red-team exercise on ${e.family} v${e.version}`, href: `/models/${e.versionId}/red-team`, needs: "redTeam.list" }),
    ),
  synthetic_job: async (db, ids) =>
    byId(
      await db
        .select({ id: syntheticJobs.id, datasetId: datasets.id, name: datasets.name })
        .from(syntheticJobs)
        .innerJoin(datasets, eq(datasets.id, syntheticJobs.datasetId))
        .where(inArray(syntheticJobs.id, ids)),
      (j) => ({ label: `synthetic data ${j.name}`, href: `/datasets/${j.datasetId}`, needs: "synthetic.ofDataset" }),
    ),
  federation_party: async (db, ids) =>
    byId(await db.select({ id: federationParties.id, name: federationParties.name }).from(federationParties).where(inArray(federationParties.id, ids)), (p) => ({
      label: `party ${p.name}`,
      href: "/federation",
      needs: "federation.parties",
    })),
  federation_overlap: async (db, ids) =>
    byId(await db.select({ id: federationOverlaps.id, startedAt: federationOverlaps.startedAt }).from(federationOverlaps).where(inArray(federationOverlaps.id, ids)), (o) => ({
      label: `overlap of subjects started ${o.startedAt.slice(0, 16).replace("T", " ")}`,
      href: "/federation",
      needs: "federation.overlaps",
    })),
  run: async (db, ids) =>
    byId(
      await db
        .select({ id: runs.id, version: datasetVersions.version, name: datasets.name })
        .from(runs)
        .innerJoin(datasetVersions, eq(datasetVersions.id, runs.datasetVersionId))
        .innerJoin(datasets, eq(datasets.id, datasetVersions.datasetId))
        .where(inArray(runs.id, ids)),
      (r) => ({ label: `run ${r.id.slice(0, 8)} on ${r.name} v${r.version}`, href: `/runs/${r.id}`, needs: "runs.get" }),
    ),
  incident: async (db, ids) =>
    byId(await db.select({ id: incidents.id, title: incidents.title }).from(incidents).where(inArray(incidents.id, ids)), (i) => ({
      label: i.title,
      href: `/incidents/${i.id}`,
      needs: "incidents.get",
    })),
  user: async (db, ids) =>
    byId(await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ids)), (u) => ({
      label: u.name,
      href: "/admin",
      needs: "users.list",
    })),
  budget_request: async (db, ids) =>
    byId(
      await db
        .select({ id: budgetRequests.id, name: datasets.name })
        .from(budgetRequests)
        .innerJoin(datasets, eq(datasets.id, budgetRequests.datasetId))
        .where(inArray(budgetRequests.id, ids)),
      (b) => ({ label: `budget request for ${b.name}`, href: "/budgets", needs: "budgets.overview" }),
    ),
};

/** SQLite's default limit on bound parameters is far above this; batches keep each IN list short. */
const BATCH = 500;

export const entityKey = (ref: EntityRef) => `${ref.entityType}:${ref.entityId}`;

/**
 * Names every referenced entity: at most one query per type and 500 ids, all at once. Keyed by `entityKey`; every ref
 * has an entry.
 */
export async function entityNames(db: Executor, refs: Iterable<EntityRef>): Promise<Map<string, EntityName>> {
  const idsByType = new Map<string, Set<string>>();
  for (const ref of refs) {
    const ids = idsByType.get(ref.entityType) ?? new Set<string>();
    idsByType.set(ref.entityType, ids.add(ref.entityId));
  }
  const lookups = [...idsByType].flatMap(([type, ids]) => {
    const lookup = LOOKUPS[type];
    return lookup ? inChunks([...ids], BATCH).map(async (chunk) => ({ type, named: await lookup(db, chunk) })) : [];
  });
  const found = new Map<string, Named>();
  for (const { type, named } of await Promise.all(lookups)) for (const [id, name] of named) found.set(entityKey({ entityType: type, entityId: id }), name);
  const names = new Map<string, EntityName>();
  for (const [type, ids] of idsByType) {
    for (const id of ids) {
      const key = entityKey({ entityType: type, entityId: id });
      const named = found.get(key);
      names.set(key, named ? { ...named, found: true } : { label: id, href: null, needs: null, found: false });
    }
  }
  return names;
}

/** The name of one ref out of a map from `entityNames` (the id, unlinked, for a ref it was not asked about). */
export function nameOf(names: Map<string, EntityName>, ref: EntityRef): EntityName {
  return names.get(entityKey(ref)) ?? { label: ref.entityId, href: null, needs: null, found: false };
}
