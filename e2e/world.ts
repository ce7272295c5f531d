// A realistic world for the specs that look at every page (accessibility, the guides): a dataset fine-tuned on (run,
// budget, model version), an open incident about the dataset and a user of each role, all made through the services;
// and, on request, a pending request for more budget.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Page } from "@playwright/test";
import { closeDatabase, first } from "../db/client";
import { openDatabase } from "../db/open";
import { runs, type Role } from "../db/schema";
import { requestBudget } from "../server/budgets/service";
import { openIncident } from "../server/incidents/service";
import { E2E_DATABASE, E2E_DATA_DIR } from "./env";
import { seedTrainedModel, seedUser, type SeededUser, type TrainedModel } from "./helpers";

export interface World extends TrainedModel {
  runId: string;
  incidentId: string;
  users: Record<Role, SeededUser>;
}

/**
 * The world named `key`, seeded once per end-to-end run (the data directory is fresh for each): Playwright starts a
 * new worker after a failed test and runs `beforeAll` again, which should not train another model.
 */
export async function worldOnce(page: Page, key: string, extra?: (world: World) => void | Promise<void>): Promise<World> {
  const file = path.join(E2E_DATA_DIR, `world-${key}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as World;
  const world = await seedWorld(page);
  await extra?.(world);
  fs.writeFileSync(file, JSON.stringify(world));
  return world;
}

/** Seeds the world; `page` is left signed in as the world's engineer (who uploaded the dataset and launched the run). */
export async function seedWorld(page: Page): Promise<World> {
  const trained = await seedTrainedModel(page);
  const officer = await seedUser("privacy_officer");
  const users: Record<Role, SeededUser> = {
    engineer: trained.engineer,
    privacy_officer: officer,
    auditor: await seedUser("auditor"),
    admin: await seedUser("admin"),
  };
  const db = openDatabase({ kind: "sqlite", file: E2E_DATABASE });
  try {
    const runId = (await first(db.select({ id: runs.id }).from(runs).where(eq(runs.resultModelVersionId, trained.versionId))))!.id;
    const incidentId = await openIncident(db, { id: officer.id, email: officer.email, role: "privacy_officer" }, {
      title: `Phone numbers found in ${trained.datasetName}`,
      description: "A reviewer found unredacted phone numbers in the notes.",
      severity: "high",
      links: [
        { entityType: "dataset", entityId: trained.datasetId },
        { entityType: "model_version", entityId: trained.versionId },
      ],
    });
    return { ...trained, runId, incidentId, users };
  } finally {
    await closeDatabase(db);
  }
}

/** The world's engineer asks for more budget on the world's dataset (left pending for the officer). */
export async function seedBudgetRequest(world: World): Promise<void> {
  const db = openDatabase({ kind: "sqlite", file: E2E_DATABASE });
  try {
    const { id, email, name } = world.users.engineer;
    const engineer = { id, email, name, role: "engineer" as const };
    await requestBudget(db, engineer, engineer, { datasetId: world.datasetId, epsilon: 20, reason: "a second fine-tune with more steps" });
  } finally {
    await closeDatabase(db);
  }
}
