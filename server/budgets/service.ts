// Privacy budgets per dataset lineage: officers set, renew and decide requests; engineers request more. The spend is
// always the accountant's composition of the lineage's runs.
import { randomUUID } from "node:crypto";
import { and, desc, eq, ne, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { first, lockedRow, preparedRead, transaction, type Db, type Executor, type Tx } from "../../db/client";
import { PRIVACY_UNITS, budgetRequests, budgets, countReleases, datasets, runs, users, type Budget } from "../../db/schema";
import { audited, type Actor } from "../audit/service";
import type { UserActor } from "../actor";
import type { SessionUser } from "../context";
import { requireTrainingAccess } from "../datasets/access";
import { AppError } from "../errors";
import { notify } from "../notifications/service";
import { proseText } from "../validation";
import { deltaRefusal, partyUnitRefusal, subjectFieldRefusal } from "./delta-bound";
import { isSyntheticOnly, postProcessingBudget } from "./post-processing";

const isoDate = z.iso.date("Use a date like 2027-01-31");
const epsilon = z.number().gt(0, "epsilon must be > 0").max(100, "epsilon must be at most 100");

export const setBudgetInput = z.object({
  datasetId: z.uuid(),
  epsilon,
  delta: z.number().gt(0, "delta must be > 0").lt(0.01, "delta must be < 0.01"),
  privacyUnit: z.enum(PRIVACY_UNITS),
  renewsOn: isoDate,
  /** k: the most records one person is taken to have, as the officer states it (never the observed maximum). */
  recordsPerPersonBound: z.number().int().min(1, "k must be at least 1").max(10_000, "k must be at most 10000").default(1),
  /** Why a delta not below 1/N of the lineage's units is allowed all the same; kept with the budget. */
  deltaOverrideReason: proseText().min(10, "Give the override's reason in at least 10 characters").max(2000).optional(),
});
/** What callers pass: the router's input, or a service call that leaves k to its default. */
export type SetBudgetInput = z.input<typeof setBudgetInput>;
export const renewBudgetInput = z.object({ datasetId: z.uuid(), renewsOn: isoDate });
export const requestBudgetInput = z.object({
  datasetId: z.uuid(),
  epsilon,
  reason: proseText().min(3, "Say why more budget is needed").max(2000),
});
/** The rest of a first budget, which the officer gives when approving a request on a dataset without one. */
export const firstBudgetSettings = setBudgetInput.omit({ datasetId: true, epsilon: true });
export const decideRequestInput = z.object({
  requestId: z.uuid(),
  approve: z.boolean(),
  reason: proseText().min(3, "Give a reason for the decision").max(2000),
  /** Needed to approve a request for a dataset's first budget (the request gives its epsilon); refused otherwise. */
  budget: firstBudgetSettings.optional(),
});

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function isExpired(budget: Pick<Budget, "renewsOn">, on = today()): boolean {
  return budget.renewsOn <= on;
}

/** What callers see of a budget (an explicit DTO, so a new column is not shown unasked). */
export function budgetView(b: Budget) {
  return {
    datasetId: b.datasetId,
    epsilon: b.epsilon,
    delta: b.delta,
    privacyUnit: b.privacyUnit,
    renewsOn: b.renewsOn,
    frozen: b.frozen,
    recordsPerPersonBound: b.recordsPerPersonBound,
    deltaOverrideReason: b.deltaOverrideReason,
    updatedBy: b.updatedBy,
    updatedAt: b.updatedAt,
  };
}

/** What callers see of a request for more budget (or a first one), with who asked by name. */
const requestColumns = {
  id: budgetRequests.id,
  datasetId: budgetRequests.datasetId,
  requestedBy: budgetRequests.requestedBy,
  requesterEmail: users.email,
  epsilon: budgetRequests.epsilon,
  reason: budgetRequests.reason,
  status: budgetRequests.status,
  decidedBy: budgetRequests.decidedBy,
  decisionReason: budgetRequests.decisionReason,
  createdAt: budgetRequests.createdAt,
  decidedAt: budgetRequests.decidedAt,
};

/** Requests with their requester, newest first. */
export function requestsWhere(db: Executor, where: SQL | undefined) {
  return db
    .select(requestColumns)
    .from(budgetRequests)
    .innerJoin(users, eq(users.id, budgetRequests.requestedBy))
    .where(where)
    .orderBy(desc(budgetRequests.createdAt));
}

const budgetOf = preparedRead("budget_of_dataset", (db) => db.select().from(budgets).where(eq(budgets.datasetId, sql.placeholder("datasetId"))));

async function getBudget(db: Executor, datasetId: string): Promise<Budget | undefined> {
  return (await budgetOf(db, { datasetId }))[0];
}

/** The lineage's budget: its row, else a synthetic-only lineage's unlimited one (post-processing.ts), else a refusal. */
async function budgetOrRefusal(db: Executor, datasetId: string, budget: Budget | undefined): Promise<Budget> {
  if (budget) return budget;
  if (await isSyntheticOnly(db, datasetId)) return postProcessingBudget(datasetId);
  throw new AppError("CONFLICT", "This dataset has no privacy budget yet; a privacy officer must set one.");
}

export async function existingBudget(db: Executor, datasetId: string): Promise<Budget> {
  return budgetOrRefusal(db, datasetId, await getBudget(db, datasetId));
}

/** Locks a lineage's budget row until `tx` ends and reads it: existingBudget under the lock, in one statement. */
export async function lockedBudget(tx: Tx, datasetId: string): Promise<Budget> {
  return budgetOrRefusal(tx, datasetId, await lockedRow(tx, budgets, datasetId));
}

export function setBudget(db: Db, actor: UserActor, given: SetBudgetInput) {
  const input = setBudgetInput.parse(given);
  return audited(db, { actor, action: "budget.set", entityType: "dataset", entityId: input.datasetId, input }, (tx) => setBudgetIn(tx, actor, input));
}

/** Sets (or replaces) a lineage's budget inside the caller's audited transaction, after every check of setBudget. */
async function setBudgetIn(tx: Tx, actor: UserActor, input: z.infer<typeof setBudgetInput>) {
  if (input.renewsOn <= today()) throw new AppError("BAD_REQUEST", "The renewal date must be in the future.");
  const current = await lockedRow(tx, budgets, input.datasetId);
  const otherUnit = await first(
    tx
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.datasetId, input.datasetId), ne(runs.privacyUnit, input.privacyUnit))),
  );
  if (otherUnit) throw new AppError("CONFLICT", "Runs on this dataset already spent budget for the other privacy unit.");
  // A count release's noise was calibrated for the unit of its time: the unit cannot change after one.
  if (current && current.privacyUnit !== input.privacyUnit && (await first(tx.select({ id: countReleases.id }).from(countReleases).where(eq(countReleases.datasetId, input.datasetId))))) {
    throw new AppError("CONFLICT", "DP counts of this dataset were released for the current privacy unit; it can no longer change.");
  }
  const dataset = await first(tx.select({ federation: datasets.federation }).from(datasets).where(eq(datasets.id, input.datasetId)));
  const unitRefusal = dataset && partyUnitRefusal(dataset.federation, input.privacyUnit);
  if (unitRefusal) throw new AppError("BAD_REQUEST", unitRefusal);
  const noSubjects = await subjectFieldRefusal(tx, { datasetId: input.datasetId }, input.privacyUnit);
  if (noSubjects) throw new AppError("BAD_REQUEST", noSubjects);
  const tooLarge = await deltaRefusal(tx, input.datasetId, { ...input, deltaOverrideReason: input.deltaOverrideReason ?? null });
  if (tooLarge) throw new AppError("BAD_REQUEST", tooLarge);
  // An override is kept only while it is needed: with a delta below 1/N the stored reason is cleared.
  const needsOverride = (await deltaRefusal(tx, input.datasetId, { ...input, deltaOverrideReason: null })) !== null;
  const values = {
    ...input,
    deltaOverrideReason: needsOverride ? (input.deltaOverrideReason ?? null) : null,
    updatedBy: actor.id,
    updatedAt: new Date().toISOString(),
  };
  await tx.insert(budgets).values(values).onConflictDoUpdate({ target: budgets.datasetId, set: values });
  return budgetView(await existingBudget(tx, input.datasetId));
}

export function renewBudget(db: Db, actor: UserActor, input: z.infer<typeof renewBudgetInput>) {
  return audited(db, { actor, action: "budget.renew", entityType: "dataset", entityId: input.datasetId, input }, async (tx) => {
    await lockedBudget(tx, input.datasetId);
    if (input.renewsOn <= today()) throw new AppError("BAD_REQUEST", "The renewal date must be in the future.");
    await tx
      .update(budgets)
      .set({ renewsOn: input.renewsOn, updatedBy: actor.id, updatedAt: new Date().toISOString() })
      .where(eq(budgets.datasetId, input.datasetId));
    return budgetView(await existingBudget(tx, input.datasetId));
  });
}

/**
 * An engineer with access asks for more budget, or for a first one on a dataset that has none (its epsilon; the
 * officer gives the rest when approving).
 */
export function requestBudget(db: Db, user: SessionUser, actor: Actor, input: z.infer<typeof requestBudgetInput>) {
  const id = randomUUID();
  return audited(db, { actor, action: "budget.request", entityType: "budget_request", entityId: id, input }, async (tx) => {
    await requireTrainingAccess(tx, user, input.datasetId);
    const budget = await lockedRow(tx, budgets, input.datasetId);
    if (budget && input.epsilon <= budget.epsilon) {
      throw new AppError("BAD_REQUEST", `Ask for more than the current limit of ${budget.epsilon}.`);
    }
    await tx.insert(budgetRequests).values({ id, datasetId: input.datasetId, requestedBy: user.id, epsilon: input.epsilon, reason: input.reason });
    return (await requestsWhere(tx, eq(budgetRequests.id, id)))[0]!;
  });
}

/**
 * An officer approves or refuses a request, with a reason; approving raises the limit to the request's epsilon, or,
 * for a dataset without a budget, sets its first budget from the request's epsilon and the officer's settings (with
 * every check of setting a budget). The requester is told in the same transaction.
 */
export function decideRequest(db: Db, actor: UserActor, input: z.infer<typeof decideRequestInput>) {
  const action = input.approve ? "budget.approve_request" : "budget.refuse_request";
  return audited(db, { actor, action, entityType: "budget_request", entityId: input.requestId, input }, async (tx) => {
    const request = await lockedRow(tx, budgetRequests, input.requestId);
    if (!request) throw new AppError("NOT_FOUND", "No such budget request.");
    if (request.status !== "pending") throw new AppError("CONFLICT", `This request was already ${request.status}.`);
    const current = await lockedRow(tx, budgets, request.datasetId);
    if (current && input.budget) throw new AppError("BAD_REQUEST", "This dataset already has a budget: approving sets only its new limit.");
    const decidedAt = new Date().toISOString();
    await tx
      .update(budgetRequests)
      .set({ status: input.approve ? "approved" : "refused", decidedBy: actor.id, decisionReason: input.reason, decidedAt })
      .where(eq(budgetRequests.id, request.id));
    if (input.approve && current) {
      await tx.update(budgets).set({ epsilon: request.epsilon, updatedBy: actor.id, updatedAt: decidedAt }).where(eq(budgets.datasetId, request.datasetId));
    } else if (input.approve) {
      if (!input.budget) throw new AppError("BAD_REQUEST", "This is the dataset's first budget: give its delta, privacy unit and renewal date.");
      await setBudgetIn(tx, actor, setBudgetInput.parse({ ...input.budget, datasetId: request.datasetId, epsilon: request.epsilon }));
    }
    const dataset = (await first(tx.select({ name: datasets.name }).from(datasets).where(eq(datasets.id, request.datasetId))))!;
    const what = `${current ? "more budget" : "a first budget"} (ε = ${request.epsilon}) on ${dataset.name}`;
    await notify(tx, {
      userId: request.requestedBy,
      kind: input.approve ? "budget_request_approved" : "budget_request_refused",
      text: `Your request for ${what} was ${input.approve ? "approved" : "refused"}: ${input.reason}`,
      href: `/budgets#budget-${request.datasetId}`,
    });
    return (await requestsWhere(tx, eq(budgetRequests.id, request.id)))[0]!;
  });
}

/**
 * Freezes or unfreezes a lineage's budget inside the caller's transaction (an incident's containment): a frozen budget
 * admits no new run, resume or count release. The caller audits the change.
 */
export function setBudgetFrozen(db: Executor, datasetId: string, frozen: boolean): Promise<Budget> {
  return transaction(db, async (tx) => {
    const budget = await lockedRow(tx, budgets, datasetId);
    if (!budget) throw new AppError("NOT_FOUND", "That dataset has no budget to freeze.");
    await tx.update(budgets).set({ frozen }).where(eq(budgets.datasetId, datasetId));
    return existingBudget(tx, datasetId);
  });
}
