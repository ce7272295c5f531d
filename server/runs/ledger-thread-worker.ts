// The ledger thread's side (ledger-thread.ts): its own connections to the dashboard's database, and the transactions
// the dashboard sends it, run here as anywhere else (this thread's handle routes nowhere), each answered by its id.
import { parentPort, workerData } from "node:worker_threads";
import { openPostgres } from "../../db/postgres";
import { AppError } from "../errors";
import { admitLaunch } from "./launch-admission";
import type { LedgerThreadOps } from "./ledger-thread-route";
import { cancelRun, requeueInterrupted } from "./service";
import type { LedgerThreadRequest, WireError } from "./ledger-thread";

const { url, connections } = workerData as { url: string; connections: number };
const db = openPostgres(url, { max: connections });
const ops: LedgerThreadOps = {
  admit: (launch) => admitLaunch(db, launch),
  cancel: (user, actor, input) => cancelRun(db, user, actor, input),
  requeue: (user, actor, input) => requeueInterrupted(db, user, actor, input),
};

parentPort!.on("message", ({ id, op, args }: LedgerThreadRequest) => {
  (ops[op] as (...a: unknown[]) => Promise<unknown>)(...args).then(
    (value) => parentPort!.postMessage({ id, value }),
    (error: unknown) => {
      if (!(error instanceof AppError)) console.error(`ledger thread: ${op} failed:`, error);
      const wire: WireError = error instanceof AppError ? { code: error.code, message: error.message } : { message: error instanceof Error ? error.message : String(error) };
      parentPort!.postMessage({ id, error: wire });
    },
  );
});
