// Where a database handle's lock-holding run transactions run: on its ledger thread when one was started for it
// (ledger-thread.ts, on PostgreSQL), else here. Launch admissions, cancels and resumes ask this before they run.
import type { Db } from "../../db/client";
import type { Actor } from "../audit/service";
import type { SessionUser } from "../context";
import type { Admitted, LaunchRequest } from "./launch-admission";
import type { RunView } from "./run-views";

/** The transactions a ledger thread runs, by name, with their arguments after the database handle. */
export interface LedgerThreadOps {
  admit(launch: LaunchRequest): Promise<Admitted>;
  cancel(user: SessionUser, actor: Actor, input: { runId: string }): Promise<RunView>;
  /** An interrupted run's resume, up to its commit (resumeRun announces it to the runners after). */
  requeue(user: SessionUser, actor: Actor, input: { runId: string }): Promise<RunView>;
}

export type LedgerThreadSend = <K extends keyof LedgerThreadOps>(op: K, args: Parameters<LedgerThreadOps[K]>) => ReturnType<LedgerThreadOps[K]>;

const threads = new WeakMap<Db, LedgerThreadSend>();

/** From now on, `db`'s admissions, cancels and resumes are sent with `send` (ledger-thread.ts). */
export function routeToLedgerThread(db: Db, send: LedgerThreadSend): void {
  threads.set(db, send);
}

/** How to send `db`'s admissions, cancels and resumes to its ledger thread, or undefined: run them here. */
export function ledgerThreadOf(db: Db): LedgerThreadSend | undefined {
  return threads.get(db);
}
