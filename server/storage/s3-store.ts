// The S3 model store: put uploads a model directory's files (PutObject each, then a manifest of their SHA-256
// digests, last); materialize downloads them into DATA_DIR/cache/models/<key> (ListObjectsV2, GetObject) through a
// temporary directory, each file checked against the manifest, then renamed into place.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream, existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { mkdirPrivate, PRIVATE_FILE_MODE, writePrivateFile } from "../private-files";
import type { S3Client } from "./s3-client";
import { sha256Hex } from "./sigv4";
import type { ModelStore } from "./model-store";

/** The manifest's name, beside the model's files (in the bucket and in the cache). */
export const MANIFEST = ".manifest.json";

const segment = z.string().regex(/^(?!\.{1,2}$)[^/\\\0]+$/, "a path segment");
const relativePath = z.string().refine((p) => p.split("/").every((s) => segment.safeParse(s).success), "a relative path without . or .. segments");
const manifestSchema = z.object({
  version: z.literal(1),
  files: z.array(z.object({ path: relativePath, sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() })),
});
type Manifest = z.infer<typeof manifestSchema>;

/** No model is stored under the key (no manifest there). */
export class ModelNotStoredError extends Error {
  override name = "ModelNotStoredError";
}

/** A store key (a weightsPath): relative, `/`-separated, no empty, `.` or `..` segments. */
export function checkKey(key: string): string {
  if (!relativePath.safeParse(key).success || key.length === 0) throw new Error(`not a model store key: ${JSON.stringify(key)}`);
  return key;
}

/** Every file under `dir`, as `/`-separated relative paths, sorted. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return filesUnder(path.join(dir, entry.name), rel);
      return entry.isFile() ? [rel] : [];
    })
    .sort();
}

export class S3ModelStore implements ModelStore {
  readonly kind = "s3" as const;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly client: S3Client,
    /** Under the bucket: `prefix/<key>/<file>` ("" for none). */
    private readonly prefix: string,
    /** Where materialized models are kept: DATA_DIR/cache/models. */
    private readonly cacheRoot: string,
  ) {}

  private objectKey(key: string, file: string): string {
    return `${[this.prefix, key].filter(Boolean).join("/")}/${file}`;
  }

  private where(key: string): string {
    return `s3://${this.client.config.bucket}/${this.objectKey(key, "")}`;
  }

  /** Uploads every file of `localDir` under `key`, then the manifest (so a manifest is seen only once its files are). */
  async put(key: string, localDir: string): Promise<{ digest: string }> {
    checkKey(key);
    const files: Manifest["files"] = [];
    for (const rel of filesUnder(localDir)) {
      if (rel === MANIFEST) throw new Error(`${path.join(localDir, rel)}: a model directory may not hold a file named ${MANIFEST}`);
      const body = await readFile(path.join(localDir, ...rel.split("/")));
      await this.client.putObject(this.objectKey(key, rel), body);
      files.push({ path: rel, sha256: sha256Hex(body), size: body.length });
    }
    if (files.length === 0) throw new Error(`${localDir}: no model files to store`);
    const manifest = Buffer.from(JSON.stringify({ version: 1, files } satisfies Manifest, null, 2));
    await this.client.putObject(this.objectKey(key, MANIFEST), manifest);
    return { digest: sha256Hex(manifest) };
  }

  /** The cached copy of `key`, downloaded first unless the cache holds this very manifest's files. */
  async materialize(key: string): Promise<string> {
    checkKey(key);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const done = this.download(key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, done);
    return done;
  }

  private async download(key: string): Promise<string> {
    const target = path.join(this.cacheRoot, ...key.split("/"));
    const manifestBytes = await this.client.getObjectBytes(this.objectKey(key, MANIFEST));
    if (!manifestBytes) throw new ModelNotStoredError(`no model is stored at ${this.where(key)} (its ${MANIFEST} is missing)`);
    const cached = path.join(target, MANIFEST);
    if (existsSync(cached) && readFileSync(cached).equals(manifestBytes)) return target;
    let manifest: Manifest;
    try {
      manifest = manifestSchema.parse(JSON.parse(manifestBytes.toString("utf8")));
    } catch (err) {
      throw new Error(`the manifest at ${this.where(key)}${MANIFEST} is not valid: ${(err as Error).message}`);
    }
    const listed = new Map((await this.client.listObjects(this.objectKey(key, ""))).map((o) => [o.key, o.size]));
    for (const file of manifest.files) {
      const size = listed.get(this.objectKey(key, file.path));
      if (size === undefined) throw new Error(`${this.where(key)}${file.path} is missing (it is in the manifest)`);
      if (size !== file.size) throw new Error(`${this.where(key)}${file.path} has ${size} bytes, the manifest says ${file.size}`);
    }
    mkdirPrivate(this.cacheRoot);
    const temp = path.join(this.cacheRoot, `.tmp-${randomUUID()}`);
    mkdirPrivate(temp);
    try {
      for (const file of manifest.files) await this.fetchFile(key, file, temp);
      writePrivateFile(path.join(temp, MANIFEST), manifestBytes);
      this.swapIn(temp, target);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
    return target;
  }

  /** Streams one object into `dir`, hashing it on the way; a digest other than the manifest's is refused. */
  private async fetchFile(key: string, file: Manifest["files"][number], dir: string): Promise<void> {
    const objectKey = this.objectKey(key, file.path);
    const body = await this.client.getObject(objectKey);
    if (!body) throw new Error(`s3://${this.client.config.bucket}/${objectKey} is missing (it is in the manifest)`);
    const dest = path.join(dir, ...file.path.split("/"));
    mkdirPrivate(path.dirname(dest));
    const hash = createHash("sha256");
    const hashing = new Transform({ transform: (chunk: Buffer, _enc, next) => (hash.update(chunk), next(null, chunk)) });
    await pipeline(Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>), hashing, createWriteStream(dest, { mode: PRIVATE_FILE_MODE }));
    const digest = hash.digest("hex");
    if (digest !== file.sha256) {
      throw new Error(`s3://${this.client.config.bucket}/${objectKey} does not match its manifest: SHA-256 ${digest}, expected ${file.sha256} (the object was changed or corrupted)`);
    }
  }

  /** Renames the verified download into place; an older copy is moved aside first, then removed. */
  private swapIn(temp: string, target: string): void {
    mkdirPrivate(path.dirname(target));
    const old = existsSync(target) ? `${temp}-old` : null;
    if (old) renameSync(target, old);
    try {
      renameSync(temp, target);
    } catch (err) {
      // Another process put the same model there meanwhile: theirs is as good as ours.
      if (!existsSync(path.join(target, MANIFEST))) throw err;
    } finally {
      if (old) rmSync(old, { recursive: true, force: true });
    }
  }

  /** Deletes the model's objects (the manifest first, so a half-deleted model is never materialized) and its cache. */
  async remove(key: string): Promise<void> {
    checkKey(key);
    const manifestKey = this.objectKey(key, MANIFEST);
    const keys = (await this.client.listObjects(this.objectKey(key, ""))).map((o) => o.key);
    if (keys.includes(manifestKey)) await this.client.deleteObject(manifestKey);
    for (const k of keys) if (k !== manifestKey) await this.client.deleteObject(k);
    rmSync(path.join(this.cacheRoot, ...key.split("/")), { recursive: true, force: true });
  }
}
