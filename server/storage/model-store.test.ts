// The model store the variables choose: the data directory by default (today's paths exactly, put a no-op for files
// already in place), the S3 store with MODEL_STORE=s3://…, and the variables' validation.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EnvError, parseEnv, workerEnv } from "../env";
import { DirectoryModelStore, modelStoreFor, modelStoreFromEnv } from "./model-store";

const root = mkdtempSync(path.join(tmpdir(), "model-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function modelDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "weights.safetensors"), Buffer.from([1, 2, 3]));
  writeFileSync(path.join(dir, "config.json"), "{}");
  return dir;
}

describe("the directory store (MODEL_STORE unset)", () => {
  it("is what modelStoreFor gives without MODEL_STORE, and materializes a weightsPath as path.join(DATA_DIR, weightsPath)", async () => {
    const store = modelStoreFor("data", {});
    expect(store).toBeInstanceOf(DirectoryModelStore);
    expect(store.kind).toBe("directory");
    expect(await store.materialize("models/base-moby-dick")).toBe(path.join("data", "models/base-moby-dick"));
    expect(await store.materialize("runs/0e6c/model")).toBe(path.join("data", "runs/0e6c/model"));
    const absolute = modelStoreFromEnv({ DATA_DIR: "/srv/ledger" });
    expect(await absolute.materialize("runs/0e6c/model")).toBe("/srv/ledger/runs/0e6c/model");
  });

  it("put does nothing when the files already are under DATA_DIR at the key", async () => {
    const dataDir = path.join(root, "data-a");
    const dir = modelDir(path.join(dataDir, "runs", "r1", "model"));
    const before = readdirSync(dataDir, { recursive: true }).sort();
    const mtime = statSync(path.join(dir, "weights.safetensors")).mtimeMs;
    expect(await new DirectoryModelStore(dataDir).put("runs/r1/model", dir)).toEqual({});
    expect(readdirSync(dataDir, { recursive: true }).sort()).toEqual(before);
    expect(statSync(path.join(dir, "weights.safetensors")).mtimeMs).toBe(mtime);
    // A relative data directory names the same place.
    const relative = path.relative(process.cwd(), dataDir);
    expect(await new DirectoryModelStore(relative).put("runs/r1/model", dir)).toEqual({});
  });

  it("put copies files from elsewhere to DATA_DIR/<key>, owner-only", async () => {
    const dataDir = path.join(root, "data-b");
    const source = modelDir(path.join(root, "elsewhere", "model"));
    const store = new DirectoryModelStore(dataDir);
    await store.put("models/copied", source);
    const dest = await store.materialize("models/copied");
    expect(readFileSync(path.join(dest, "weights.safetensors"))).toEqual(Buffer.from([1, 2, 3]));
    expect(statSync(path.join(dest, "config.json")).mode & 0o777).toBe(0o600);
  });
});

describe("MODEL_STORE and the S3 variables", () => {
  const s3 = { MODEL_STORE: "s3://ledger-models/prod/weights", S3_ACCESS_KEY_ID: "AKIDEXAMPLE", S3_SECRET_ACCESS_KEY: "very-secret-value" };

  it("choose the S3 store, its cache under DATA_DIR/cache/models", () => {
    const store = modelStoreFor(path.join(root, "data-c"), s3);
    expect(store.kind).toBe("s3");
    expect(modelStoreFor(path.join(root, "data-c"), s3)).toBe(store); // one store per configuration
    expect(workerEnv(s3)).toMatchObject({ ...s3, S3_REGION: "us-east-1" });
  });

  it("refuse a MODEL_STORE that is not an s3:// URL, and an S3 store without its keys, naming the variables", () => {
    expect(() => workerEnv({ MODEL_STORE: "https://bucket/x" })).toThrow(/MODEL_STORE: must be an s3:\/\/bucket\/prefix URL/);
    expect(() => workerEnv({ MODEL_STORE: "s3://Bad_Bucket" })).toThrow(EnvError);
    const missing = (() => {
      try {
        workerEnv({ MODEL_STORE: "s3://ledger-models" });
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(missing).toMatch(/S3_ACCESS_KEY_ID: is required when MODEL_STORE is an s3:\/\/ URL/);
    expect(missing).toMatch(/S3_SECRET_ACCESS_KEY: is required/);
    expect(() => parseEnv({ NEXTAUTH_SECRET: "x".repeat(32), MODEL_STORE: "s3://ledger-models", S3_ACCESS_KEY_ID: "a" })).toThrow(/S3_SECRET_ACCESS_KEY/);
    expect(() => workerEnv({ ...s3, S3_ENDPOINT: "not a url" })).toThrow(/S3_ENDPOINT/);
    expect(() => workerEnv({ ...s3, S3_FORCE_PATH_STYLE: "yes" })).toThrow(/S3_FORCE_PATH_STYLE/);
    expect(modelStoreFor(path.join(root, "data-d"), {}).kind).toBe("directory");
  });

  it("never put the secret in a validation message", () => {
    expect(() => workerEnv({ ...s3, S3_ENDPOINT: "nope" })).toThrow(/S3_ENDPOINT/);
    expect(() => workerEnv({ ...s3, S3_ENDPOINT: "nope" })).not.toThrow(new RegExp(s3.S3_SECRET_ACCESS_KEY));
  });
});
