// The ledger thread (PostgreSQL): the run transactions that hold a lineage's locks (launch admissions, cancels,
// resumes) run on a worker thread of the dashboard's process, with connections and an event loop of their own. Each
// of their statements then waits for the database only, not for the busy request loop to get round to sending the
// next one, so the budget's, the curves' and the audit chain's locks are held for as short a time as the database
// allows (BENCHMARKS.md, "load-postgres"). Started by the dashboard's process (server/serve-cli.ts) for its handle; on SQLite,
// whose transactions run in one synchronous step, they stay where they are.
import { Worker } from "node:worker_threads";
import { engineOf, onClose, type Db } from "../../db/client";
import { AppError, type AppErrorCode } from "../errors";
import { routeToLedgerThread, type LedgerThreadOps, type LedgerThreadSend } from "./ledger-thread-route";

export interface LedgerThreadRequest {
  id: number;
  op: keyof LedgerThreadOps;
  args: unknown[];
}

/** A failure as it crosses to the dashboard: an AppError keeps its code (a refusal stays a refusal). */
export interface WireError {
  code?: AppErrorCode;
  message: string;
}

type Answer = { id: number; value: unknown } | { id: number; error: WireError };

/**
 * Starts `db`'s ledger thread, with a handle of its own on the database of at most `connections` connections (its
 * transactions take a third of them at most, as any handle's do, and it reads nothing outside them), and sends `db`'s
 * admissions, cancels and resumes there from now on; it stops when `db` closes. A thread that dies fails the
 * transactions it had (each with an error, none half done: a transaction commits whole or not at all) and the next
 * one starts a new thread. Nothing happens on SQLite.
 */
export function startLedgerThread(db: Db, connections: number): void {
  const { kind, url } = engineOf(db);
  if (kind !== "postgres" || !url) return;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let lastId = 0;
  let worker: Worker | undefined;

  const fail = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  const started = (): Worker => {
    if (worker) return worker;
    const thread = new Worker(new URL("./ledger-thread-boot.mjs", import.meta.url), { workerData: { url, connections } });
    thread.unref(); // it never keeps the process alive by itself
    thread.on("message", (answer: Answer) => {
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      if ("value" in answer) waiting.resolve(answer.value);
      else waiting.reject(answer.error.code ? new AppError(answer.error.code, answer.error.message) : new Error(answer.error.message));
    });
    thread.on("error", (error) => fail(new Error(`the ledger thread failed: ${error.message}`)));
    thread.on("exit", (code) => {
      if (worker === thread) worker = undefined;
      fail(new Error(`the ledger thread stopped (exit code ${code})`));
    });
    return (worker = thread);
  };

  const send = (op: keyof LedgerThreadOps, args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++lastId;
      pending.set(id, { resolve, reject });
      started().postMessage({ id, op, args } satisfies LedgerThreadRequest);
    });
  routeToLedgerThread(db, send as LedgerThreadSend);
  onClose(db, async () => {
    await worker?.terminate();
  });
  started(); // now, so that the first launch does not wait for the thread to load
}
