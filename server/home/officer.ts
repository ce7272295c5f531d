// A privacy officer's to-do list: budget requests waiting, model versions awaiting approval, open incidents by
// severity, lineages near their limit and recent drift alerts.
import { and, asc, desc, eq, gte, inArray } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { INCIDENT_SEVERITIES, budgetRequests, budgets, datasets, incidents, leakageReports, modelFamilies, modelVersions, users } from "../../db/schema";
import { lineageEpsilonsNow } from "../budgets/lineage-curve";

/** A lineage is near its limit once its composed spend (with reservations) reaches this share of it. */
export const NEAR_LIMIT_SHARE = 0.8;
/** Drift alerts of this many days are listed. */
export const DRIFT_ALERT_DAYS = 14;

const versionLabel = { id: modelVersions.id, family: modelFamilies.name, version: modelVersions.version };

export async function officerTodo(db: Executor, now = new Date()) {
  const requests = (
    await db
      .select({
        id: budgetRequests.id,
        datasetId: budgetRequests.datasetId,
        datasetName: datasets.name,
        requesterEmail: users.email,
        epsilon: budgetRequests.epsilon,
        reason: budgetRequests.reason,
        createdAt: budgetRequests.createdAt,
        currentEpsilon: budgets.epsilon,
        currentDelta: budgets.delta,
        currentUnit: budgets.privacyUnit,
      })
      .from(budgetRequests)
      .innerJoin(datasets, eq(datasets.id, budgetRequests.datasetId))
      .innerJoin(users, eq(users.id, budgetRequests.requestedBy))
      .leftJoin(budgets, eq(budgets.datasetId, budgetRequests.datasetId))
      .where(eq(budgetRequests.status, "pending"))
      .orderBy(asc(budgetRequests.createdAt))
  ).map(({ currentDelta, currentUnit, ...r }) => ({
    ...r,
    firstBudget: r.currentEpsilon === null,
    /** The budget the request would raise, as the decision form needs it (null: a first budget). */
    current: currentDelta !== null && currentUnit !== null ? { delta: currentDelta, privacyUnit: currentUnit } : null,
  }));

  const awaitingApproval = (
    await db
      .select({ ...versionLabel, createdAt: modelVersions.createdAt })
      .from(modelVersions)
      .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
      .where(and(eq(modelVersions.kind, "fine_tuned"), eq(modelVersions.status, "draft")))
      .orderBy(asc(modelVersions.createdAt))
  ).map(({ family, version, ...v }) => ({ ...v, label: `${family} v${version}` }));

  const open = await db
    .select({ id: incidents.id, title: incidents.title, severity: incidents.severity, status: incidents.status, openedAt: incidents.openedAt })
    .from(incidents)
    .where(inArray(incidents.status, ["open", "contained"]))
    .orderBy(desc(incidents.openedAt));
  const rank = (s: (typeof INCIDENT_SEVERITIES)[number]) => INCIDENT_SEVERITIES.length - INCIDENT_SEVERITIES.indexOf(s);
  const openIncidents = {
    bySeverity: [...INCIDENT_SEVERITIES].reverse().map((severity) => ({ severity, count: open.filter((i) => i.severity === severity).length })),
    items: [...open].sort((a, b) => rank(a.severity) - rank(b.severity)),
  };

  const lineages = await db
    .select({ datasetId: budgets.datasetId, datasetName: datasets.name, limit: budgets.epsilon, delta: budgets.delta })
    .from(budgets)
    .innerJoin(datasets, eq(datasets.id, budgets.datasetId))
    .orderBy(asc(datasets.name));
  const nearLimit = [];
  for (const { delta, ...b } of lineages) {
    const spent = (await lineageEpsilonsNow(db, b.datasetId, delta)).epsilon;
    if (spent >= NEAR_LIMIT_SHARE * b.limit) nearLimit.push({ ...b, spent, left: Math.max(0, b.limit - spent) });
  }

  const since = new Date(now.getTime() - DRIFT_ALERT_DAYS * 86_400_000).toISOString();
  const driftAlerts = (
    await db
      .select({ reportId: leakageReports.id, kind: leakageReports.kind, computedAt: leakageReports.computedAt, ...versionLabel })
      .from(leakageReports)
      .innerJoin(modelVersions, eq(modelVersions.id, leakageReports.modelVersionId))
      .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
      .where(and(eq(leakageReports.alert, true), gte(leakageReports.requestedAt, since)))
      .orderBy(desc(leakageReports.requestedAt))
      .limit(20)
  ).map(({ family, version, id, ...a }) => ({ ...a, versionId: id, label: `${family} v${version}` }));

  return { role: "privacy_officer" as const, requests, awaitingApproval, openIncidents, nearLimit, driftAlerts };
}
