// Group admission of launches: the launches of one lineage that passed the early check wait here, and one transaction
// at a time admits or refuses all those waiting, under the budget's and the curves' locks taken once; each admitted
// launch gets its run, its reservation and its audit entry. A burst of launches (after a cancel frees room) takes the
// locks once instead of queuing on them one by one, and none holds a database connection while it waits.
import { randomUUID } from "node:crypto";
import { inChunks, pipelined, transaction, type Db, type Tx } from "../../db/client";
import { runCanaries, runs } from "../../db/schema";
import { appendAuditsAfter, type Actor, type AuditedChange, type ChainHead } from "../audit/service";
import type { LineageCurves } from "../budgets/curve-math";
import { countNewRun, storeNewRuns, type CurveChange } from "../budgets/lineage-curve";
import type { SessionUser } from "../context";
import { AppError } from "../errors";
import { prepareCanaries, type Canary, type CanaryCommitment } from "../leakage/canaries";
import { lockedLineageAndChain, lockedRefusals, projectOnto, type LaunchSubject, type Projection } from "./launch-projection";
import type { RunRequest } from "./run-request";

/** A launch that passed the checks that do not read the budget. */
export interface LaunchRequest {
  user: SessionUser;
  actor: Actor;
  input: RunRequest;
  subject: LaunchSubject;
}

export interface Admitted {
  runId: string;
  projection: Projection;
}

type Outcome = { admitted: Admitted } | { error: unknown };

interface Waiting {
  launch: LaunchRequest;
  settle: (outcome: Outcome) => void;
  /** Answered already: a launch is answered once, and one refused is never admitted after. */
  settled: boolean;
}

function settleOnce(w: Waiting, outcome: Outcome): void {
  if (w.settled) return;
  w.settled = true;
  w.settle(outcome);
}

/** The most launches one transaction admits. */
const MAX_BATCH = 64;

/** Per database handle, per lineage: the launches waiting for the next admission (present while one is under way). */
const waiting = new WeakMap<Db, Map<string, Waiting[]>>();

/**
 * Admits the launch or refuses it (an AppError: over the budget, frozen, expired, ...), in a transaction shared with
 * the other launches of its lineage waiting at that moment; resolves once that transaction has committed, rejects
 * with a refusal as soon as the transaction has decided it.
 */
export function admitLaunch(db: Db, launch: LaunchRequest): Promise<Admitted> {
  return new Promise((resolve, reject) => {
    const settle = (outcome: Outcome) => ("admitted" in outcome ? resolve(outcome.admitted) : reject(outcome.error));
    let lineages = waiting.get(db);
    if (!lineages) waiting.set(db, (lineages = new Map()));
    const lineage = launch.subject.version.datasetId;
    const queue = lineages.get(lineage);
    if (queue) {
      queue.push({ launch, settle, settled: false }); // the lineage's next admission takes it
      return;
    }
    const fresh = [{ launch, settle, settled: false }];
    lineages.set(lineage, fresh);
    void drain(db, fresh, () => lineages.delete(lineage));
  });
}

/**
 * Admits the lineage's waiting launches, in order of arrival, a batch per transaction, until none is left; then
 * `done`, in the same synchronous step as the check that none is left, so that no launch joins a queue no one drains.
 */
async function drain(db: Db, queue: Waiting[], done: () => void): Promise<void> {
  while (queue.length > 0) await admitBatch(db, queue.splice(0, MAX_BATCH)); // never rejects: a failure is an outcome
  done();
}

/**
 * One transaction for the batch, which answers every launch in it: a refusal as soon as it is decided (refusing spends
 * nothing, whatever the transaction does next), an admission once it has committed. If the transaction fails as a
 * whole (a database error, not a refusal), each launch not yet answered is tried again alone, so that a failure is
 * only its own launch's.
 */
async function admitBatch(db: Db, batch: readonly Waiting[]): Promise<void> {
  try {
    const admitted = await transaction(db, (tx) => admitInTransaction(tx, batch));
    for (const [w, a] of admitted) settleOnce(w, { admitted: a });
  } catch (error) {
    if (batch.length === 1) return settleOnce(batch[0]!, { error });
    for (const w of batch.filter((b) => !b.settled)) await admitBatch(db, [w]);
  }
}

/**
 * Under the locks, each launch not yet answered is projected onto the lineage's curves as the launches before it left
 * them, and refused (answered at once), or reserved (which counts it on the curves); then the admitted ones are
 * written, all at once. Run again from the start if the engine retries the transaction: the launches it refused
 * stay refused.
 */
async function admitInTransaction(tx: Tx, batch: readonly Waiting[]): Promise<[Waiting, Admitted][]> {
  const { state, head } = await lockedLineageAndChain(tx, batch[0]!.launch.subject.version, true);
  const reads = new Map([[batch[0]!.launch.subject.version.id, state.read]]);
  const admitted: [Waiting, Admitted][] = [];
  const reserved: Reservation[] = [];
  for (const w of batch) {
    if (w.settled) continue;
    const { launch } = w;
    const versionId = launch.subject.version.id;
    if (!reads.has(versionId)) reads.set(versionId, await lockedRefusals(tx, launch.subject.version, state.budget));
    let projection: Projection;
    try {
      projection = projectOnto(launch.subject, launch.input, { ...state, read: reads.get(versionId)! });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      settleOnce(w, { error });
      continue;
    }
    if (projection.refusal) {
      settleOnce(w, { error: new AppError("CONFLICT", projection.refusal) });
      continue;
    }
    const reservation = reserve(launch, projection, state.curves);
    reserved.push(reservation);
    admitted.push([w, { runId: reservation.run.id, projection }]);
  }
  await writeReservations(tx, state.budget.datasetId, state.curves, reserved, head);
  return admitted;
}

/** What the audit entry for a run's canaries digests: the plan and, per canary, its digest and inclusion coin. */
export function canaryAuditInput(commitment: CanaryCommitment, canaries: readonly Pick<Canary, "digest" | "included">[]) {
  return { plan: commitment.plan, canaries: canaries.map((c) => ({ digest: c.digest, included: c.included })) };
}

/** An admitted launch, to be written: its run, its canaries, its count on the lineage's curves, its audit entries. */
interface Reservation {
  run: typeof runs.$inferInsert & { id: string };
  canaries: (typeof runCanaries.$inferInsert)[];
  counted: CurveChange;
  audit: AuditedChange[];
}

/** Reserves an admitted launch's planned spend on the lineage's locked curves (in memory) and makes its rows. */
function reserve({ user, actor, input, subject: { version } }: LaunchRequest, p: Projection, curves: LineageCurves): Reservation {
  const id = randomUUID();
  const drawn = input.canaries && prepareCanaries(input.canaries);
  const audit: AuditedChange[] = [];
  // The canaries' commitment (settings, digests and inclusion) enters the audit log with the launch, before any training.
  if (drawn) audit.push({ actor, action: "run.canaries", entityType: "run", entityId: id, input: canaryAuditInput(drawn.commitment, drawn.canaries) });
  audit.push({ actor, action: "run.launch", entityType: "run", entityId: id, input });
  return {
    run: {
      id,
      datasetId: version.datasetId,
      datasetVersionId: version.id,
      baseModelVersionId: input.baseModelVersionId,
      privacyUnit: input.privacyUnit,
      samplingRate: p.samplingRate,
      noiseMultiplier: p.noiseMultiplier,
      plannedSteps: p.steps,
      spec: JSON.stringify(input),
      canaryPlan: drawn ? JSON.stringify(drawn.commitment.plan) : null,
      createdBy: user.id,
      createdAt: new Date().toISOString(),
    },
    canaries: drawn ? drawn.canaries.map((c, idx) => ({ runId: id, idx, ...c })) : [],
    counted: countNewRun(curves, { runId: id, samplingRate: p.samplingRate, noiseMultiplier: p.noiseMultiplier, plannedSteps: p.steps }),
    audit,
  };
}

/**
 * Writes the admitted launches together, pipelined: their runs, their canaries, their reservations on the lineage's
 * locked curves (stored once), and their audit entries after `head` (the chain's, locked with the lineage).
 */
async function writeReservations(tx: Tx, datasetId: string, curves: LineageCurves, reserved: readonly Reservation[], head: ChainHead): Promise<void> {
  if (reserved.length === 0) return;
  await pipelined(
    ...inChunks(reserved.map((r) => r.run)).map((rows) => () => tx.insert(runs).values(rows)),
    ...inChunks(reserved.flatMap((r) => r.canaries)).map((rows) => () => tx.insert(runCanaries).values(rows)),
    () => storeNewRuns(tx, datasetId, curves, reserved.map((r) => r.counted)),
    () => appendAuditsAfter(tx, head, reserved.flatMap((r) => r.audit)),
  );
}
