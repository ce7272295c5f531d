// Where model weights are kept, behind one interface: the data directory (the default: a model's weightsPath is a
// directory under DATA_DIR) or S3-compatible object storage (MODEL_STORE=s3://bucket/prefix, s3-store.ts). Models are
// put under their weightsPath when registered and materialized (a local directory with the files) where read.
import { cpSync } from "node:fs";
import path from "node:path";
import { modelStoreEnv, type ModelStoreEnv } from "../env";
import { lockDownTree, mkdirPrivate } from "../private-files";
import { S3Client } from "./s3-client";
import { S3ModelStore } from "./s3-store";

export { ModelNotStoredError } from "./s3-store";

export interface ModelStore {
  readonly kind: "directory" | "s3";
  /** Stores the model files of `localDir` under `key` (a weightsPath); the S3 store returns its manifest's digest. */
  put(key: string, localDir: string): Promise<{ digest?: string }>;
  /** A local directory holding the files stored under `key`. */
  materialize(key: string): Promise<string>;
  /** Deletes what is stored under `key`. */
  remove?(key: string): Promise<void>;
}

/** The data directory as the store: `key` is the model's directory relative to DATA_DIR, as it always was. */
export class DirectoryModelStore implements ModelStore {
  readonly kind = "directory" as const;
  constructor(readonly dataDir: string) {}

  /** Nothing to do when the files are there already (a run's model, the seeded base model); else an owner-only copy. */
  async put(key: string, localDir: string): Promise<{ digest?: string }> {
    const dest = path.join(this.dataDir, key);
    if (path.resolve(localDir) === path.resolve(dest)) return {};
    mkdirPrivate(path.dirname(dest));
    cpSync(localDir, dest, { recursive: true });
    lockDownTree(dest);
    return {};
  }

  async materialize(key: string): Promise<string> {
    return path.join(this.dataDir, key);
  }
}

/** The store the variables name (server/env.ts validates them): MODEL_STORE unset, the data directory. */
export function modelStoreFromEnv(env: Omit<ModelStoreEnv, "S3_REGION"> & { S3_REGION?: string; DATA_DIR: string }): ModelStore {
  if (env.MODEL_STORE === undefined) return new DirectoryModelStore(env.DATA_DIR);
  const url = new URL(env.MODEL_STORE);
  if (url.protocol !== "s3:" || !url.hostname) throw new Error("MODEL_STORE must be an s3://bucket/prefix URL");
  if (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY) throw new Error("MODEL_STORE=s3://… needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY");
  const client = new S3Client({
    bucket: url.hostname,
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION ?? "us-east-1",
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
    forcePathStyle: env.S3_FORCE_PATH_STYLE === undefined ? env.S3_ENDPOINT !== undefined : env.S3_FORCE_PATH_STYLE === "true",
  });
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, "");
  return new S3ModelStore(client, prefix, path.join(path.resolve(env.DATA_DIR), "cache", "models"));
}

const s3Stores = new Map<string, ModelStore>();

/**
 * The model store for `dataDir`, by this process's MODEL_STORE and S3_* variables: what the services use where they are
 * handed a data directory. One S3 store per configuration, so that one model is downloaded once at a time.
 */
export function modelStoreFor(dataDir: string, source: Record<string, string | undefined> = process.env): ModelStore {
  const env = modelStoreEnv(source);
  if (env.MODEL_STORE === undefined) return new DirectoryModelStore(dataDir);
  const id = JSON.stringify([path.resolve(dataDir), env.MODEL_STORE, env.S3_ENDPOINT, env.S3_REGION, env.S3_ACCESS_KEY_ID, env.S3_FORCE_PATH_STYLE]);
  let store = s3Stores.get(id);
  if (!store) s3Stores.set(id, (store = modelStoreFromEnv({ ...env, DATA_DIR: dataDir })));
  return store;
}
