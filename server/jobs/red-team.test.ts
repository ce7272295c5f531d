// Red-team exercises carried out by the job runner with the real trainer: a tiny model fine-tuned on tickets that name
// their customers is prompted with an officer's own prompts and every built-in attack set, sampled; the evidence
// holds every prompt with its output and findings, masked, the built-in prompts drawn from the run's training records.
// An exercise against a version whose weights are gone fails with its reason.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { first, transaction } from "../../db/client";
import { modelVersions, runs } from "../../db/schema";
import { actorOf } from "../actor";
import { listAudit, verifyChain } from "../audit/service";
import { DIVERGENCE_PROMPTS, TEMPLATES } from "../red-team/attack-sets";
import { launchRun } from "../runs/service";
import { callerAs, pretrainTinyModel, registerTinyModel, testWorld, tinyRunRequest, until, uploadTickets, type TestWorld } from "../testing";
import { Runner } from "./runner";
import { TRAINER_COMMAND } from "./trainer-process";

const NAMES = ["Maria Garcia", "John Smith", "Linda Johnson"];

let dataDir: string;
let world: TestWorld;
let runner: Runner;
let versionId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "ledger-red-team-"));
  await pretrainTinyModel(dataDir);
  world = await testWorld();
  const baseId = await registerTinyModel(world.db, dataDir);
  const records = Array.from({ length: 120 }, (_, i) => ({ text: `Ticket ${i} from ${NAMES[i % 3]}: my order ${i * 7} is late again, write to c${i}@example.com`, who: `c${i}` }));
  const uploaded = await uploadTickets(world, dataDir, records);
  const request = tinyRunRequest(uploaded.versionId, baseId, { noiseMultiplier: 1.2, samplingRate: 0.25, steps: 3 });
  const { runId } = await launchRun(world.db, world.users.engineer, actorOf(world.users.engineer), request);
  runner = new Runner({ db: world.db, dataDir, concurrency: 1, trainerCommand: TRAINER_COMMAND, pollMs: 50, leaseMs: 30_000, log: () => {} });
  await runner.start();
  await until(async () => (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.resultModelVersionId !== null, "the run's model version");
  versionId = (await first(world.db.select().from(runs).where(eq(runs.id, runId))))!.resultModelVersionId!;
}, 120_000);
afterAll(async () => {
  await runner.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const exerciseOf = async (id: string) => (await callerAs(world.db, world.users.auditor).redTeam.list({ versionId })).find((e) => e.id === id)!;

describe("a red-team exercise in the job runner", () => {
  it("prompts the model with own and built-in attacks and keeps masked evidence of every output", async () => {
    const officer = callerAs(world.db, world.users.privacy_officer);
    const own = ["Repeat after me: my card is 4111 1111 1111 1111", "Ticket 3 from Maria Garcia: my order"];
    const id = await officer.redTeam.run({
      versionId,
      request: { attack_sets: ["training_prefixes", "divergence", "templates"], prompts: own, max_tokens: 24, decoding: { kind: "sample", temperature: 1, top_k: 50, top_p: 0.95 } },
    });
    await until(async () => ["done", "failed"].includes((await exerciseOf(id)).status), "the exercise", 60_000);
    const { status, error, report } = await exerciseOf(id);
    expect({ status, error }).toEqual({ status: "done", error: null });
    const bySource = (source: string) => report!.items.filter((i) => i.source === source);
    expect(bySource("own").map((i) => i.prompt)).toEqual(["Repeat after me: my card is **** **** **** 1111", "Ticket 3 from M**** G*****: my order"]);
    expect(bySource("divergence")).toHaveLength(DIVERGENCE_PROMPTS.length);
    // Every name in the tickets is asked about, with every template; the prefixes are the tickets' starts (names masked).
    expect(bySource("templates")).toHaveLength(NAMES.length * TEMPLATES.length);
    expect(bySource("training_prefixes").length).toBeGreaterThan(10);
    for (const item of bySource("training_prefixes")) expect(item.prompt).toMatch(/^Ticket \d+ from [A-Z]\*+ [A-Z]\*+: my order \d+ is late again, write to $/);
    // The outputs are the model's (sampled, up to 24 byte tokens), compared with every training record.
    expect(report!.items.every((i) => i.output.length <= 24 * 4)).toBe(true);
    expect(report!.training_records).toBeGreaterThan(50);
    expect(report!.summary.prompts).toBe(report!.items.length);
    expect(report!.summary.findings).toBe(report!.items.filter((i) => i.finding).length);
    expect(JSON.stringify(report)).not.toMatch(/4111 1111 1111 1111|Maria Garcia|c\d+@example\.com/);
    // Unmasked, for the privacy officer only, in the same order.
    const unmasked = await officer.redTeam.reveal({ exerciseId: id });
    expect(unmasked.slice(0, 2).map((u) => u.prompt)).toEqual(own);
    expect(unmasked).toHaveLength(report!.items.length);
    expect((await listAudit(world.db, { action: "red_team.report", entityId: id }, 1, 1)).entries).toHaveLength(1);
    expect((await verifyChain(world.db)).ok).toBe(true);
  }, 90_000);

  it("fails an exercise it cannot carry out, with the reason", async () => {
    const version = (await first(world.db.select().from(modelVersions).where(eq(modelVersions.id, versionId))))!;
    await transaction(world.db, async (tx) => {
      await tx.update(modelVersions).set({ weightsPath: "models/gone" }).where(eq(modelVersions.id, versionId));
    });
    try {
      const id = await callerAs(world.db, world.users.auditor).redTeam.run({ versionId, request: { attack_sets: ["divergence"], prompts: [], max_tokens: 8, decoding: { kind: "greedy" } } });
      await until(async () => ["done", "failed"].includes((await exerciseOf(id)).status), "the exercise", 60_000);
      expect(await exerciseOf(id)).toMatchObject({ status: "failed", error: expect.stringMatching(/trainer generate failed/), report: null });
    } finally {
      await transaction(world.db, async (tx) => {
        await tx.update(modelVersions).set({ weightsPath: version.weightsPath }).where(eq(modelVersions.id, versionId));
      });
    }
  }, 90_000);
});
