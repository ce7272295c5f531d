// Who may see a dataset's records and train on it: engineers granted access by a privacy officer or admin.
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { preparedRead, type Executor, type Preparable } from "../../db/client";
import { datasetAccess, datasets } from "../../db/schema";
import { ABILITIES, MAY, may } from "../auth/access";
import type { SessionUser } from "../context";
import { AppError } from "../errors";

/** Roles that see every dataset's metadata and reports (never its records, unless also granted). */
const OVERSIGHT_ROLES = ["privacy_officer", "auditor", "admin"] as const;

const grantOf = preparedRead("dataset_access_grant", (db) =>
  db
    .select({ userId: datasetAccess.userId })
    .from(datasetAccess)
    .where(and(eq(datasetAccess.datasetId, sql.placeholder("datasetId")), eq(datasetAccess.userId, sql.placeholder("userId")))),
);

export async function hasAccess(db: Executor, userId: string, datasetId: string): Promise<boolean> {
  return (await grantOf(db, { datasetId, userId })).length > 0;
}

/** Whether the user may know the dataset exists: overseers always, engineers only with access. */
export async function maySeeDataset(db: Executor, user: SessionUser, datasetId: string): Promise<boolean> {
  return (OVERSIGHT_ROLES as readonly string[]).includes(user.role) || (await hasAccess(db, user.id, datasetId));
}

const datasetById = preparedRead("dataset_by_id", (db) => db.select().from(datasets).where(eq(datasets.id, sql.placeholder("id"))));

/** The dataset, or NOT_FOUND for users who may not see it (so that its existence does not leak). */
export async function visibleDataset(db: Executor, user: SessionUser, datasetId: string) {
  const [[dataset], visible] = await Promise.all([datasetById(db, { id: datasetId }), maySeeDataset(db, user, datasetId)]);
  if (!dataset || !visible) throw new AppError("NOT_FOUND", "No such dataset.");
  return dataset;
}

/**
 * A read of what the user may see (maySeeDataset's rule, in SQL), prepared once for overseers, who see every dataset,
 * and once for engineers, who see those granted to them: `build` is given the condition that a dataset id column names
 * a dataset the user may see (undefined: any), and may use placeholders of its own, whose values the read is given.
 */
export function visibleRead<R>(name: string, build: (db: Executor, visible: (datasetId: SQLiteColumn) => SQL | undefined) => PromiseLike<R[]> & Preparable) {
  const any = preparedRead(`${name}_any`, (db) => build(db, () => undefined));
  const granted = preparedRead(`${name}_granted`, (db) =>
    build(db, (datasetId) => inArray(datasetId, db.select({ id: datasetAccess.datasetId }).from(datasetAccess).where(eq(datasetAccess.userId, sql.placeholder("userId"))))),
  );
  return (db: Executor, user: SessionUser, values: Record<string, unknown> = {}): Promise<R[]> =>
    (OVERSIGHT_ROLES as readonly string[]).includes(user.role) ? any(db, values) : granted(db, { ...values, userId: user.id });
}

/**
 * A read of rows about lineages, prepared for the two ways pages ask: for every lineage the user may see (visibleRead),
 * or for one (`datasetId`). `build` is given the condition that a dataset id column names a lineage asked about.
 */
export function lineageRead<R>(name: string, build: (db: Executor, which: (datasetId: SQLiteColumn) => SQL | undefined) => PromiseLike<R[]> & Preparable) {
  const one = preparedRead(`${name}_one`, (db) => build(db, (datasetId) => eq(datasetId, sql.placeholder("datasetId"))));
  return { visible: visibleRead(name, build), one: (db: Executor, datasetId: string) => one(db, { datasetId }) };
}

/** Every dataset the user may know exists, in one query, by name. */
export const visibleDatasets = visibleRead("visible_datasets", (db, visible) => db.select().from(datasets).where(visible(datasets.id)).orderBy(asc(datasets.name)));

/** Refuses unless the user is an engineer with access to the dataset. */
export async function requireTrainingAccess(db: Executor, user: SessionUser, datasetId: string): Promise<void> {
  await visibleDataset(db, user, datasetId);
  requireTrainer(user);
}

/**
 * Refuses a user who may see a dataset (maySeeDataset) but not train on it. An engineer sees a dataset only with
 * access to it: a visible one is one they may train on.
 */
export function requireTrainer(user: SessionUser): void {
  if (user.role !== "engineer") throw new AppError("FORBIDDEN", "You do not have access to train on this dataset.");
}

/** Whether the user may minimise the dataset's versions: engineers with access to it, privacy officers any. */
export async function mayMinimise(db: Executor, user: SessionUser, datasetId: string): Promise<boolean> {
  if (may(user.role, ABILITIES["datasets.minimise.any"])) return true;
  return may(user.role, MAY.minimise) && (await hasAccess(db, user.id, datasetId));
}
