// Where a lineage's privacy spend went: each ledger entry's share of the composed epsilon (the rise it caused, in time
// order, so the shares add up to the composed total) and, summed by those shares, the model versions the runs produced.
// Versions the caller may not see are counted without being named.
import { eq, inArray } from "drizzle-orm";
import { first, type Executor } from "../../db/client";
import { budgets, modelFamilies, modelVersions, runs, users } from "../../db/schema";
import { lineageSpend } from "../budgets/ledger";
import type { SessionUser } from "../context";
import { visibleDataset } from "../datasets/access";
import { modelVisibility } from "../models/visibility";

export interface ModelVersionRef {
  id: string;
  label: string;
  status: string;
}

async function versionRefs(db: Executor, ids: string[]): Promise<Map<string, ModelVersionRef>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: modelVersions.id, family: modelFamilies.name, version: modelVersions.version, status: modelVersions.status })
    .from(modelVersions)
    .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
    .where(inArray(modelVersions.id, ids));
  return new Map(rows.map((r) => [r.id, { id: r.id, label: `${r.family} v${r.version}`, status: r.status }]));
}

/** The spend of a dataset's lineage entry by entry and by model version (null: the dataset has no budget yet). */
export async function spendBreakdown(db: Executor, user: SessionUser, datasetId: string) {
  await visibleDataset(db, user, datasetId);
  const budget = await first(db.select({ delta: budgets.delta }).from(budgets).where(eq(budgets.datasetId, datasetId)));
  if (!budget) return null;
  const spend = await lineageSpend(db, datasetId, budget.delta);
  const runRows = await db
    .select({ id: runs.id, launchedBy: users.email, resultModelVersionId: runs.resultModelVersionId })
    .from(runs)
    .innerJoin(users, eq(users.id, runs.createdBy))
    .where(eq(runs.datasetId, datasetId));
  const runInfo = new Map(runRows.map((r) => [r.id, r]));
  const visible = modelVisibility(db, user);
  const refs = await versionRefs(db, runRows.flatMap((r) => (r.resultModelVersionId ? [r.resultModelVersionId] : [])));
  const entries = [];
  for (const [i, share] of spend.runs.entries()) {
    const rise = share.cumulativeEpsilon - (i === 0 ? 0 : spend.runs[i - 1]!.cumulativeEpsilon);
    const common = { createdAt: share.createdAt, epsilonAlone: share.epsilonAlone, share: rise, cumulativeEpsilon: share.cumulativeEpsilon, reserved: share.reserved };
    if (share.kind === "count release") {
      entries.push({ ...common, kind: share.kind, id: share.releaseId, launchedBy: null, status: "released", modelVersion: null, hiddenModelVersion: false });
      continue;
    }
    const run = runInfo.get(share.runId);
    const versionId = run?.resultModelVersionId ?? null;
    const shown = versionId !== null && (await visible(versionId));
    entries.push({
      ...common,
      kind: share.kind,
      id: share.runId,
      launchedBy: run?.launchedBy ?? null,
      status: share.status,
      modelVersion: shown ? (refs.get(versionId) ?? null) : null,
      hiddenModelVersion: versionId !== null && !shown,
    });
  }
  const byVersion = new Map<string, { modelVersion: ModelVersionRef; runs: number; share: number }>();
  for (const e of entries) {
    if (!e.modelVersion) continue;
    const row = byVersion.get(e.modelVersion.id) ?? { modelVersion: e.modelVersion, runs: 0, share: 0 };
    byVersion.set(e.modelVersion.id, { ...row, runs: row.runs + 1, share: row.share + e.share });
  }
  return {
    epsilon: spend.epsilon,
    entries,
    byModelVersion: [...byVersion.values()].sort((a, b) => b.share - a.share),
    /** The composed epsilon's part that went into no model version the caller may see (failed, running, count releases, hidden). */
    elsewhere: entries.filter((e) => !e.modelVersion).reduce((sum, e) => sum + e.share, 0),
  };
}
