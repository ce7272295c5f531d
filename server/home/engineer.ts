// An engineer's to-do list: their running and recent runs, their budget requests with the answers, and the datasets
// they may train on with what budget is left (or that none is set yet).
import { desc, eq, inArray } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { ACTIVE_RUN_STATUSES, budgetRequests, budgets, datasets, runs } from "../../db/schema";
import { lineageEpsilonsNow } from "../budgets/lineage-curve";
import type { SessionUser } from "../context";
import { listDatasets } from "../datasets/service";

/** Ended runs listed beside the active ones. */
export const RECENT_RUNS = 10;

export async function engineerTodo(db: Executor, user: SessionUser) {
  const mine = await db
    .select({ id: runs.id, datasetName: datasets.name, status: runs.status, statusReason: runs.statusReason, createdAt: runs.createdAt, endedAt: runs.endedAt })
    .from(runs)
    .innerJoin(datasets, eq(datasets.id, runs.datasetId))
    .where(eq(runs.createdBy, user.id))
    .orderBy(desc(runs.createdAt));
  const active = (status: string) => (ACTIVE_RUN_STATUSES as readonly string[]).includes(status);

  const requests = await db
    .select({
      id: budgetRequests.id,
      datasetId: budgetRequests.datasetId,
      datasetName: datasets.name,
      epsilon: budgetRequests.epsilon,
      status: budgetRequests.status,
      decisionReason: budgetRequests.decisionReason,
      createdAt: budgetRequests.createdAt,
      decidedAt: budgetRequests.decidedAt,
    })
    .from(budgetRequests)
    .innerJoin(datasets, eq(datasets.id, budgetRequests.datasetId))
    .where(eq(budgetRequests.requestedBy, user.id))
    .orderBy(desc(budgetRequests.createdAt))
    .limit(20);

  const usable = (await listDatasets(db, user)).filter((d) => d.canTrain);
  const ids = usable.map((d) => d.id);
  const budgetRows = ids.length === 0 ? [] : await db.select().from(budgets).where(inArray(budgets.datasetId, ids));
  const budgetOf = new Map(budgetRows.map((b) => [b.datasetId, b]));
  const datasetsToUse = [];
  for (const d of usable) {
    const b = budgetOf.get(d.id);
    datasetsToUse.push({
      id: d.id,
      name: d.name,
      budget: b ? { limit: b.epsilon, left: Math.max(0, b.epsilon - (await lineageEpsilonsNow(db, d.id, b.delta)).epsilon), frozen: b.frozen, renewsOn: b.renewsOn } : null,
    });
  }

  return {
    role: "engineer" as const,
    runs: { active: mine.filter((r) => active(r.status)), recent: mine.filter((r) => !active(r.status)).slice(0, RECENT_RUNS) },
    requests,
    datasets: datasetsToUse,
  };
}
