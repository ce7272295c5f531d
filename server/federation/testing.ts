// Test helpers: the coordinator's two endpoints on a local HTTP server, as party processes reach them, keeping every
// request body it received (to show what left the parties); party processes (npm run party) registered by the world's
// admin, each with its records, enrolled before the helper returns; and the two together with the tiny base model and
// a job runner, for federated runs.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "../../db/client";
import { requestFromNode, sendResponse } from "../http/node-bridge";
import { Runner } from "../jobs/runner";
import { TRAINER_COMMAND } from "../jobs/trainer-process";
import { callerAs, killGroup, pretrainTinyModel, registerTinyModel, testWorld, until, type TestWorld } from "../testing";
import { handleEnrol, handleMessage } from "./http";

export interface TestCoordinator {
  url: string;
  /** Every request body, in arrival order. */
  received: string[];
  close(): Promise<void>;
}

export async function startTestCoordinator(db: Db): Promise<TestCoordinator> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    const request = requestFromNode(req, res);
    void (async () => {
      received.push(await request.clone().text());
      await sendResponse(res, await (req.url === "/api/federation/enrol" ? handleEnrol : handleMessage)(request, db));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      // Party processes poll with keep-alive connections: they go too.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface TestParties {
  /** Party name → its id. */
  ids: Record<string, string>;
  /** Party name → its process (started detached: kill it with killGroup). */
  processes: Map<string, ChildProcess>;
  /** What the processes wrote to their standard error. */
  errors: string[];
  /** Kills every party process (and what it started). */
  stop(): void;
}

/**
 * Registers one party per entry of `records` (as the world's admin), writes its records to `dir`/<name>.jsonl and
 * starts its process (with `model`, the base model's directory, it takes part in rounds), polling every 0.1 s; resolves
 * once all are enrolled, or fails with what they said.
 */
export async function startTestParties(world: TestWorld, coordinatorUrl: string, dir: string, records: Record<string, readonly object[]>, model?: string): Promise<TestParties> {
  const parties: TestParties = { ids: {}, processes: new Map(), errors: [], stop: () => parties.processes.forEach((c) => killGroup(c)) };
  for (const [name, rows] of Object.entries(records)) {
    const { partyId, token } = await callerAs(world.db, world.users.admin).federation.registerParty({ name });
    parties.ids[name] = partyId;
    const data = path.join(dir, `${name}.jsonl`);
    writeFileSync(data, rows.map((r) => JSON.stringify(r)).join("\n"));
    const args = ["tsx", "trainer/federation/party-cli.ts", "--coordinator", coordinatorUrl, "--token", token, "--data", data, "--key", path.join(dir, `${name}.key`), "--poll", "0.1"];
    const child = spawn("npx", [...args, ...(model ? ["--model", model] : [])], { cwd: path.resolve(import.meta.dirname, "../.."), stdio: ["ignore", "ignore", "pipe"], detached: true });
    child.stderr!.on("data", (d: Buffer) => parties.errors.push(`${name}: ${d.toString()}`));
    parties.processes.set(name, child);
  }
  const count = Object.keys(records).length;
  await until(async () => (await callerAs(world.db, world.users.auditor).federation.parties()).filter((p) => p.status === "enrolled").length >= count, `${count} enrolled parties`, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}; the parties said: ${parties.errors.join(" | ")}`);
  });
  return parties;
}

/** A world for federated runs: the tiny base model registered, a coordinator, enrolled party processes, a job runner (not started). */
export interface FederatedTestWorld {
  world: TestWorld;
  dir: string;
  baseId: string;
  coordinator: TestCoordinator;
  parties: TestParties;
  runner: Runner;
  /** Stops the parties, the runner and the coordinator, and removes the directory. */
  close(): Promise<void>;
}

/** federatedTestWorld's parts, in a fresh directory named after `name`; the parties hold `records` and the tiny model. */
export async function federatedTestWorld(name: string, records: Record<string, readonly object[]>): Promise<FederatedTestWorld> {
  const world = await testWorld();
  const dir = mkdtempSync(path.join(tmpdir(), `ledger-${name}-`));
  await pretrainTinyModel(dir);
  const baseId = await registerTinyModel(world.db, dir);
  const coordinator = await startTestCoordinator(world.db);
  const parties = await startTestParties(world, coordinator.url, dir, records, path.join(dir, "models", "tiny"));
  const runner = new Runner({ db: world.db, dataDir: dir, concurrency: 1, trainerCommand: TRAINER_COMMAND, pollMs: 50, leaseMs: 60_000, log: () => {} });
  return {
    world,
    dir,
    baseId,
    coordinator,
    parties,
    runner,
    close: async () => {
      parties.stop();
      await runner.stop();
      await coordinator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
