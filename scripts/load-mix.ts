// The API load benchmark's clients (scripts/load-bench.ts): each signed-in client's mix of requests by role (engineers
// launch and cancel runs against the one budget, everyone reads dashboards, auditors the audit log too), sending one
// after the other until a deadline, each request timed and classified (ok, refused by the budget, or an error).
import { z } from "zod";
import type { Role } from "../db/schema";
import type { RunRequest } from "../server/runs/run-request";
import type { ApiClient } from "./load-client";
import type { Outcome, Sample } from "./load-stats";

/** Shares of an engineer's requests (the rest are reads); cancelling only while it has a queued run of its own. */
const LAUNCH_SHARE = 0.15;
const CANCEL_SHARE = 0.35;
const DASHBOARD_READS = ["session.me", "datasets.list", "budgets.overview", "runs.list", "models.list"];
const READS: Record<Exclude<Role, "admin">, string[]> = {
  engineer: DASHBOARD_READS,
  privacy_officer: DASHBOARD_READS,
  auditor: [...DASHBOARD_READS, "audit.list"],
};
const QUERY_INPUT: Record<string, unknown> = { "audit.list": { page: 1 } };
const BUDGET_REFUSAL = /would exceed the budget/;

export interface LoadClient {
  api: ApiClient;
  userId: string;
  email: string;
  role: Exclude<Role, "admin">;
  next: () => number;
  /** Runs it launched and has not cancelled yet, oldest first. */
  queued: string[];
}

/** Client i of `clients`: an eighth (at least one) officers, an eighth auditors, the rest engineers. */
export function roleOf(i: number, clients: number): Exclude<Role, "admin"> {
  const overseers = Math.max(1, Math.floor(clients / 8));
  if (i < clients - 2 * overseers) return "engineer";
  return i < clients - overseers ? "privacy_officer" : "auditor";
}

const runIdAnswer = z.uuid();
const cancelAnswer = z.object({ status: z.literal("cancelled") });

const unexpected = (answer: { status: number; code: string | null; message: string }) =>
  new Error(`HTTP ${answer.status} ${answer.code ?? ""} ${answer.message}`);

/** Sends one request of the client's mix and says how it ended; throws on an unexpected answer or a network error. */
async function perform(client: LoadClient, request: RunRequest, op: string): Promise<Outcome> {
  if (op === "runs.launch") {
    const answer = await client.api.mutate(op, request);
    if (answer.ok) {
      client.queued.push(runIdAnswer.parse(answer.data));
      return "ok";
    }
    if (answer.status === 409 && answer.code === "CONFLICT" && BUDGET_REFUSAL.test(answer.message)) return "refused";
    throw unexpected(answer);
  }
  if (op === "runs.cancel") {
    const answer = await client.api.mutate(op, { runId: client.queued.shift() });
    if (!answer.ok) throw unexpected(answer);
    cancelAnswer.parse(answer.data);
    return "ok";
  }
  const answer = await client.api.query(op, QUERY_INPUT[op]);
  if (!answer.ok) throw unexpected(answer);
  return "ok";
}

function chooseOperation(client: LoadClient): string {
  const reads = READS[client.role];
  if (client.role === "engineer") {
    const u = client.next();
    if (u < LAUNCH_SHARE) return "runs.launch";
    if (u < LAUNCH_SHARE + CANCEL_SHARE && client.queued.length > 0) return "runs.cancel";
  }
  return reads[Math.floor(client.next() * reads.length)] as string;
}

/** Times `send`, classifying a throw as an error and noting what it was. */
export async function timed(op: string, send: () => Promise<Outcome>, errors: Map<string, number>): Promise<Sample> {
  const start = performance.now();
  let outcome: Outcome;
  try {
    outcome = await send();
  } catch (err) {
    outcome = "error";
    const what = `${op}: ${err instanceof Error ? err.message.replace(/\s+/g, " ").slice(0, 160) : String(err)}`;
    errors.set(what, (errors.get(what) ?? 0) + 1);
  }
  return { op, ms: performance.now() - start, outcome };
}

export async function drive(clients: LoadClient[], request: RunRequest, seconds: number, errors: Map<string, number>): Promise<{ samples: Sample[]; elapsed: number }> {
  const samples: Sample[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const op = chooseOperation(client);
        samples.push(await timed(op, () => perform(client, request, op), errors));
      }
    }),
  );
  return { samples, elapsed: (performance.now() - start) / 1000 };
}
