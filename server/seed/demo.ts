// Demo data for `npm start`: one user per role and the base model (the one the repository ships, verified against its
// digests; or pretrained, for the tiny models of tests). It goes through the services, so the audit chain records it;
// running it twice changes nothing.
// (It lives in server/, not db/, because seeding must use the services' rules and audit log.)
import { existsSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { first, type Db } from "../../db/client";
import { modelVersions, users, type Role } from "../../db/schema";
import { SYSTEM_ACTOR } from "../audit/service";
import { pretrainBaseModel } from "../jobs/pretrain";
import { registerBaseModel } from "../models/base-model";
import { createUser } from "../users/service";
import { installShippedModel, SHIPPED_BASE_MODEL_DIR } from "./shipped-base-model";

export const DEMO_PASSWORD = "ledger-demo-password";

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
  { email: "officer@example.com", name: "Olivia Officer", role: "privacy_officer" },
  { email: "engineer@example.com", name: "Erin Engineer", role: "engineer" },
  { email: "auditor@example.com", name: "Aaron Auditor", role: "auditor" },
];

/** Where the base model lives under the data directory, and its family in the registry. */
export const BASE_MODEL_DIR = path.join("models", "base-moby-dick");
export const BASE_MODEL_FAMILY = "epsilon-gpt-moby-dick";

/** Pretraining flags for a base model small enough to fine-tune in seconds (end-to-end tests, the load benchmark). */
export const TINY_BASE_MODEL_FLAGS: readonly string[] = ["--steps", "2", "--batch", "2", "--model", JSON.stringify({ n_layer: 1, n_embd: 32, n_head: 2, context_length: 64 })];

export async function seedDemoUsers(db: Db): Promise<void> {
  for (const u of DEMO_USERS) {
    if (await first(db.select({ id: users.id }).from(users).where(eq(users.email, u.email)))) continue;
    await createUser(db, SYSTEM_ACTOR, { ...u, password: DEMO_PASSWORD });
  }
}

/**
 * Registers the base model unless one is: by default the model the repository ships (`shippedDir`), its files checked
 * against its manifest's digests (a mismatch is refused, naming the file) and copied into the data directory; with
 * `pretrainFlags`, one pretrained with those flags instead (unless the data directory has it already).
 */
export async function seedBaseModel(
  db: Db,
  dataDir: string,
  pretrainFlags: readonly string[] | null = null,
  shippedDir: string = SHIPPED_BASE_MODEL_DIR,
): Promise<void> {
  if (await first(db.select({ id: modelVersions.id }).from(modelVersions).where(eq(modelVersions.kind, "base")))) return;
  const dir = path.join(dataDir, BASE_MODEL_DIR);
  if (pretrainFlags === null) {
    const manifest = installShippedModel(shippedDir, dir);
    console.log(`Installed the shipped base model into ${dir} (weights ${manifest.weights_sha256.slice(0, 12)}…, digests verified).`);
  } else if (!existsSync(path.join(dir, "weights.safetensors"))) {
    console.log(`Pretraining the base model into ${dir}…`);
    await pretrainBaseModel(dir, pretrainFlags);
  }
  await registerBaseModel(db, SYSTEM_ACTOR, dataDir, BASE_MODEL_DIR, BASE_MODEL_FAMILY);
}
