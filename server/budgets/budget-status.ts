// The Budgets page's figures: each lineage's budget, requests, freeze state and spend (the composed epsilons from its
// curves, the naive sum from its runs grouped alike), read for every lineage the user may see, or for one, in one
// query per kind of row, all at once, whatever the number of lineages and runs.
import type { Executor } from "../../db/client";
import { budgetRequests, budgets, datasetVersions, lineageCurves, type Dataset } from "../../db/schema";
import type { SessionUser } from "../context";
import { lineageRead, visibleDataset, visibleDatasets } from "../datasets/access";
import { ledgerEpsilons } from "./curve-math";
import { freezeChangesWhere, freezeState } from "./freeze-state";
import { LEDGER_ACCOUNTANT, entryGroupsWhere, naiveSumOf, personLevel, releaseItem, releasesWhere } from "./ledger";
import { builtCurves, changedRunsWhere, curvesFrom, toChanges } from "./lineage-curve";
import { isSyntheticOnly } from "./post-processing";
import { budgetView, isExpired, requestsWhere } from "./service";

const budgetRows = lineageRead("status_budgets", (db, which) => db.select().from(budgets).where(which(budgets.datasetId)));
const requestRows = lineageRead("status_requests", (db, which) => requestsWhere(db, which(budgetRequests.datasetId)));
const curveRows = lineageRead("status_curve_rows", (db, which) => db.select().from(lineageCurves).where(which(lineageCurves.datasetId)));
const changedRunRows = lineageRead("status_changed_runs", changedRunsWhere);
const entryGroupRows = lineageRead("status_entry_groups", entryGroupsWhere);
const releaseRows = lineageRead("status_releases", releasesWhere);
const recordBoundRows = lineageRead("status_record_bounds", (db, which) =>
  db.select({ datasetId: datasetVersions.datasetId, k: datasetVersions.maxRecordsPerSubject }).from(datasetVersions).where(which(datasetVersions.datasetId)),
);
const freezeChangeRows = lineageRead("status_freeze_changes", freezeChangesWhere);

/** Which lineages: every one the user may see, or one. */
type Asked = { user: SessionUser } | { datasetId: string };

/** Rows by lineage, in the order read. */
function byLineage<R extends { datasetId: string }>(rows: readonly R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const row of rows) {
    const of = out.get(row.datasetId);
    if (of) of.push(row);
    else out.set(row.datasetId, [row]);
  }
  return out;
}

async function statusReads(db: Executor, asked: Asked) {
  const run = <R>(read: ReturnType<typeof lineageRead<R>>) => ("user" in asked ? read.visible(db, asked.user) : read.one(db, asked.datasetId));
  const [budgetList, requests, curves, changes, groups, releases, bounds, freezes] = await Promise.all([
    run(budgetRows),
    run(requestRows),
    run(curveRows),
    run(changedRunRows),
    run(entryGroupRows),
    run(releaseRows),
    run(recordBoundRows),
    run(freezeChangeRows),
  ]);
  return {
    budgets: byLineage(budgetList),
    requests: byLineage(requests),
    curves: byLineage(curves),
    changes: byLineage(changes),
    groups: byLineage(groups),
    releases: byLineage(releases),
    bounds: byLineage(bounds),
    freezes: byLineage(freezes),
  };
}

/**
 * A lineage's budget, requests and spend, from statusReads' rows: no row per run is read (each entry's share is
 * spend.breakdown's). Only a lineage without stored curves at the ledger's orders (a database from before them) reads
 * its events to build them.
 */
async function statusFrom(db: Executor, dataset: Dataset, reads: Awaited<ReturnType<typeof statusReads>>) {
  const of = <R>(rows: Map<string, R[]>): R[] => rows.get(dataset.id) ?? [];
  const budget = of(reads.budgets)[0] ?? null;
  const requests = of(reads.requests);
  if (!budget) {
    // A synthetic-only lineage needs none (post-processing.ts); the page says so instead of asking for one.
    const postProcessing = await isSyntheticOnly(db, dataset.id);
    return { dataset, budget, requests, spend: null, leftEpsilon: null, expired: false, freeze: null, personLevel: null, internal: null, postProcessing };
  }
  const curves = curvesFrom(of(reads.curves)[0], toChanges(of(reads.changes))) ?? (await builtCurves(db, dataset.id));
  const headline = ledgerEpsilons(curves, budget.delta);
  const naiveEpsilonSum = naiveSumOf(of(reads.groups), of(reads.releases).map(releaseItem), budget.delta);
  const observedMaxRecordsPerSubject = Math.max(1, ...of(reads.bounds).map((r) => r.k));
  const recordLevel = budget.privacyUnit === "record";
  return {
    dataset,
    budget: budgetView(budget),
    requests,
    spend: { delta: budget.delta, accountant: LEDGER_ACCOUNTANT.description, ...headline, naiveEpsilonSum },
    leftEpsilon: Math.max(0, budget.epsilon - headline.epsilon),
    expired: isExpired(budget),
    freeze: freezeState(budget.frozen, of(reads.freezes)[0]),
    personLevel: recordLevel ? personLevel(headline.epsilon, budget.delta, budget.recordsPerPersonBound) : null,
    /** Internal, not DP: for the officer to raise k when a person has more records than it allows. */
    internal: { observedMaxRecordsPerSubject, exceedsBound: recordLevel && observedMaxRecordsPerSubject > budget.recordsPerPersonBound },
    postProcessing: false,
  };
}

/**
 * The budget of a dataset with what its runs have spent (composed), what is left, and the person-level figure for the
 * officer's stated k. The observed most records of one person is internal (not DP): it only says when k is too small.
 */
export async function budgetStatus(db: Executor, user: SessionUser, datasetId: string) {
  // The lineage's rows are read with the visibility check, and used only once it passes.
  const [dataset, reads] = await Promise.all([visibleDataset(db, user, datasetId), statusReads(db, { datasetId })]);
  return statusFrom(db, dataset, reads);
}

/** Every dataset the user may see, with its budget and spend (the Budgets page). */
export async function budgetsOverview(db: Executor, user: SessionUser) {
  const [datasets, reads] = await Promise.all([visibleDatasets(db, user), statusReads(db, { user })]);
  return Promise.all(datasets.map((dataset) => statusFrom(db, dataset, reads)));
}
