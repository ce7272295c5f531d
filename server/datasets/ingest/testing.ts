// Test helpers for the ingest modules: a scratch directory, in-memory upload sources and listing what was left.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

/** A fresh directory, removed after the current test. */
export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ingest-test-"));
  afterEach(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An upload body delivered in the given chunks (strings are encoded as UTF-8). */
export async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === "string" ? Buffer.from(part, "utf8") : part;
}

/** The names in a directory, temp files included. */
export function filesIn(dir: string): Promise<string[]> {
  return readdir(dir);
}
