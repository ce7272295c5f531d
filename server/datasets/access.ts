// Who may see a dataset's records and train on it: engineers granted access by a privacy officer or admin.
import { and, eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { datasetAccess, datasets } from "../../db/schema";
import { ABILITIES, MAY, may } from "../auth/access";
import type { SessionUser } from "../context";
import { AppError } from "../errors";

/** Roles that see every dataset's metadata and reports (never its records, unless also granted). */
const OVERSIGHT_ROLES = ["privacy_officer", "auditor", "admin"] as const;

export function hasAccess(db: Executor, userId: string, datasetId: string): boolean {
  return Boolean(
    db
      .select({ userId: datasetAccess.userId })
      .from(datasetAccess)
      .where(and(eq(datasetAccess.datasetId, datasetId), eq(datasetAccess.userId, userId)))
      .get(),
  );
}

/** Whether the user may know the dataset exists: overseers always, engineers only with access. */
export function maySeeDataset(db: Executor, user: SessionUser, datasetId: string): boolean {
  return (OVERSIGHT_ROLES as readonly string[]).includes(user.role) || hasAccess(db, user.id, datasetId);
}

/** The dataset, or NOT_FOUND for users who may not see it (so that its existence does not leak). */
export function visibleDataset(db: Executor, user: SessionUser, datasetId: string) {
  const dataset = db.select().from(datasets).where(eq(datasets.id, datasetId)).get();
  if (!dataset || !maySeeDataset(db, user, datasetId)) throw new AppError("NOT_FOUND", "No such dataset.");
  return dataset;
}

/** Refuses unless the user is an engineer with access to the dataset. */
export function requireTrainingAccess(db: Executor, user: SessionUser, datasetId: string): void {
  visibleDataset(db, user, datasetId);
  if (user.role !== "engineer" || !hasAccess(db, user.id, datasetId)) {
    throw new AppError("FORBIDDEN", "You do not have access to train on this dataset.");
  }
}

/** Whether the user may minimise the dataset's versions: engineers with access to it, privacy officers any. */
export function mayMinimise(db: Executor, user: SessionUser, datasetId: string): boolean {
  if (may(user.role, ABILITIES["datasets.minimise.any"])) return true;
  return may(user.role, MAY.minimise) && hasAccess(db, user.id, datasetId);
}
