// The S3 model store against a real S3-compatible server (s3rver, started here on a free port over a temporary
// directory): put and materialize elsewhere give identical files; a changed object, a missing model and wrong
// credentials fail with errors that name the bucket; the registry's wiring (a base model put, its weights downloaded
// from the store once the local copy is gone).
import { randomBytes } from "node:crypto";
import { createServer, type RequestListener, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SYSTEM_ACTOR } from "../audit/service";
import { registerBaseModel } from "../models/base-model";
import { handleWeightsDownload } from "../models/download";
import { testWorld } from "../testing";
import { S3Client } from "./s3-client";
import { modelStoreFor, modelStoreFromEnv, type ModelStore } from "./model-store";

interface S3rverInstance {
  configureBuckets(): Promise<void>;
  callback(): RequestListener;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;

const BUCKET = "ledger-models";
const SECRET = "S3RVER"; // s3rver's built-in account: access key S3RVER, secret S3RVER
const root = mkdtempSync(path.join(tmpdir(), "s3-store-"));
let server: Server | undefined;
let endpoint: string;
let s3Env: Record<string, string>;

const storeOver = (dataDir: string, overrides: Record<string, string> = {}): ModelStore => modelStoreFromEnv({ ...s3Env, ...overrides, DATA_DIR: dataDir });
const rawClient = () => new S3Client({ bucket: BUCKET, endpoint, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: SECRET }, forcePathStyle: true });

function writeModel(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    ["weights.safetensors", randomBytes(300_000)],
    ["config.json", Buffer.from(JSON.stringify({ n_layer: 1, n_embd: 32 }))],
    ["tokenizer/vocab file.json", Buffer.from('{"a":1}')],
  ]);
  for (const [rel, body] of files) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), body);
  }
  return files;
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => null, (err: Error) => err);

beforeAll(async () => {
  const s3rver = new S3rver({ silent: true, directory: path.join(root, "s3rver"), configureBuckets: [{ name: BUCKET, configs: [] }] });
  await s3rver.configureBuckets();
  // s3rver's request handler on a port the system picks.
  server = createServer(s3rver.callback());
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s3Env = { MODEL_STORE: `s3://${BUCKET}/ledger`, S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: "S3RVER", S3_SECRET_ACCESS_KEY: SECRET };
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  rmSync(root, { recursive: true, force: true });
});

describe("the S3 model store", () => {
  it("puts a model directory and materializes it on another data directory, byte for byte, owner-only", async () => {
    const source = path.join(root, "producer", "runs", "r1", "model");
    const files = writeModel(source);
    const { digest } = await storeOver(path.join(root, "producer")).put("runs/r1/model", source);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const listed = (await rawClient().listObjects("ledger/runs/r1/model/")).map((o) => o.key).sort();
    expect(listed).toEqual(["ledger/runs/r1/model/.manifest.json", "ledger/runs/r1/model/config.json", "ledger/runs/r1/model/tokenizer/vocab file.json", "ledger/runs/r1/model/weights.safetensors"]);

    const consumer = path.join(root, "consumer");
    const store = storeOver(consumer);
    const [dir, again] = await Promise.all([store.materialize("runs/r1/model"), store.materialize("runs/r1/model")]);
    expect(dir).toBe(path.join(consumer, "cache", "models", "runs", "r1", "model"));
    expect(again).toBe(dir);
    for (const [rel, body] of files) {
      expect(readFileSync(path.join(dir, rel)).equals(body)).toBe(true);
      expect(statSync(path.join(dir, rel)).mode & 0o777).toBe(0o600);
    }
    expect(readdirSync(path.join(consumer, "cache", "models")).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
    // A cached copy of the same manifest is used as it is.
    const mtime = statSync(path.join(dir, "weights.safetensors")).mtimeMs;
    expect(await storeOver(consumer).materialize("runs/r1/model")).toBe(dir);
    expect(statSync(path.join(dir, "weights.safetensors")).mtimeMs).toBe(mtime);
  });

  it("replaces a cached copy whose manifest is no longer the stored one", async () => {
    const source = path.join(root, "v2", "model");
    const files = writeModel(source);
    const consumer = path.join(root, "consumer-v2");
    await storeOver(consumer).put("models/base", source);
    const first = await storeOver(consumer).materialize("models/base");
    files.set("weights.safetensors", randomBytes(1000));
    writeFileSync(path.join(source, "weights.safetensors"), files.get("weights.safetensors")!);
    await storeOver(consumer).put("models/base", source);
    const second = await storeOver(consumer).materialize("models/base");
    expect(second).toBe(first);
    expect(readFileSync(path.join(second, "weights.safetensors")).equals(files.get("weights.safetensors")!)).toBe(true);
  });

  it("refuses an object changed after put, naming it, and leaves no partial copy", async () => {
    const source = path.join(root, "tamper", "model");
    const files = writeModel(source);
    await storeOver(path.join(root, "tamper")).put("runs/t1/model", source);
    const weights = files.get("weights.safetensors")!;
    const changed = Buffer.from(weights);
    changed[1234] = changed[1234]! ^ 0xff; // same size, other bytes
    await rawClient().putObject("ledger/runs/t1/model/weights.safetensors", changed);

    const consumer = path.join(root, "tamper-consumer");
    const err = await errorOf(storeOver(consumer).materialize("runs/t1/model"));
    expect(err?.message).toMatch(/s3:\/\/ledger-models\/ledger\/runs\/t1\/model\/weights\.safetensors does not match its manifest: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    expect(existsSync(path.join(consumer, "cache", "models", "runs", "t1", "model"))).toBe(false);
    expect(readdirSync(path.join(consumer, "cache", "models")).filter((n) => n.startsWith(".tmp-"))).toEqual([]);

    // A shorter object is caught by the listing, before anything is downloaded.
    await rawClient().putObject("ledger/runs/t1/model/config.json", Buffer.from("{}"));
    expect((await errorOf(storeOver(consumer).materialize("runs/t1/model")))?.message).toMatch(/config\.json has 2 bytes, the manifest says \d+/);
  });

  it("says so when no model is stored under the key, and removes what is", async () => {
    const store = storeOver(path.join(root, "missing"));
    expect((await errorOf(store.materialize("runs/none/model")))?.message).toBe("no model is stored at s3://ledger-models/ledger/runs/none/model/ (its .manifest.json is missing)");
    const source = path.join(root, "gone", "model");
    writeModel(source);
    await store.put("runs/gone/model", source);
    await store.materialize("runs/gone/model");
    await store.remove!("runs/gone/model");
    expect(await rawClient().listObjects("ledger/runs/gone/model/")).toEqual([]);
    expect(existsSync(path.join(root, "missing", "cache", "models", "runs", "gone", "model"))).toBe(false);
    await expect(store.materialize("../escape")).rejects.toThrow(/not a model store key/);
  });

  it("fails with wrong credentials with an error that names the bucket and the status, not the secret", async () => {
    const source = path.join(root, "creds", "model");
    writeModel(source);
    const wrong = storeOver(path.join(root, "creds"), { S3_ACCESS_KEY_ID: "NOT-A-KEY", S3_SECRET_ACCESS_KEY: "wrong-secret-value" });
    const err = await errorOf(wrong.put("runs/c1/model", source));
    expect(err?.message).toMatch(/^S3 PutObject s3:\/\/ledger-models\/ledger\/runs\/c1\/model\/\S+ failed: HTTP 403 InvalidAccessKeyId/);
    expect(err?.message).not.toContain("wrong-secret-value");
    const read = await errorOf(wrong.materialize("runs/r1/model"));
    expect(read?.message).toMatch(/^S3 GetObject s3:\/\/ledger-models\/ledger\/runs\/r1\/model\/\.manifest\.json failed: HTTP 403/);
    const unreachable = storeOver(path.join(root, "creds"), { S3_ENDPOINT: "http://127.0.0.1:9" });
    expect((await errorOf(unreachable.materialize("runs/r1/model")))?.message).toMatch(/s3:\/\/ledger-models\/.*cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe("the registry with MODEL_STORE=s3://…", () => {
  it("puts a base model when it is registered, and serves its weights from the store once the local copy is gone", async () => {
    for (const [k, v] of Object.entries(s3Env)) vi.stubEnv(k, v);
    const dataDir = path.join(root, "registry");
    const local = path.join(dataDir, "models", "base-moby-dick");
    cpSync(path.resolve("models/base/moby-dick"), local, { recursive: true });
    const weights = readFileSync(path.join(local, "weights.safetensors"));
    expect(modelStoreFor(dataDir).kind).toBe("s3");

    const world = await testWorld();
    const version = await registerBaseModel(world.db, SYSTEM_ACTOR, dataDir, "models/base-moby-dick", "s3-family");
    expect((await rawClient().listObjects("ledger/models/base-moby-dick/")).map((o) => o.key)).toContain("ledger/models/base-moby-dick/.manifest.json");
    rmSync(local, { recursive: true });

    const res = await handleWeightsDownload({ db: world.db, user: world.users.privacy_officer }, version.id, dataDir);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(weights)).toBe(true);
    expect(existsSync(path.join(dataDir, "cache", "models", "models", "base-moby-dick", "weights.safetensors"))).toBe(true);
    vi.unstubAllEnvs();
  });
});
