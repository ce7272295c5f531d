// Writes a dataset version's normalised JSONL atomically (temp file, then rename) and summarises it in the same pass.
import { createHash, randomUUID } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "../../private-files";
import { createPiiScanner, piiReportSchema } from "./pii-report";
import { serialiseRecord, type NormalisedRecord } from "./records";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();

export const versionSummarySchema = z.strictObject({
  recordCount: count,
  /** Distinct subjects; a record without a subject is a subject of its own. */
  subjectCount: count,
  maxRecordsPerSubject: count,
  /** SHA-256 of the bytes read: the upload, or for a derived version its parent's normalised file. */
  sourceDigest: sha256Hex,
  /** SHA-256 of the normalised JSONL written: the version's content. */
  contentDigest: sha256Hex,
  /** Size of what sourceDigest covers. */
  bytes: count,
  /** Size of what contentDigest covers. */
  contentBytes: count,
  /** The extra field names that hold a value in at least one record, sorted. */
  fields: z.array(z.string()),
  pii: piiReportSchema,
});
export type VersionSummary = z.infer<typeof versionSummarySchema>;

export interface VersionWriter {
  write(record: NormalisedRecord): Promise<void>;
  /** Flushes, renames the temp file onto the destination and returns the summary; the writer is then spent. */
  commit(source: { digest: string; bytes: number }): Promise<VersionSummary>;
  /** Closes and deletes the temp file; safe to call at any time, and more than once. */
  abort(): Promise<void>;
}

const FLUSH_CHARS = 1 << 20;

/**
 * Opens a temp file beside `destination` (same directory, created if missing, so the final rename is atomic). The
 * folder and the file are owner-only (0700, 0600) whatever the umask: they hold personal data.
 */
export async function openVersionWriter(destination: string): Promise<VersionWriter> {
  mkdirPrivate(dirname(destination));
  const temp = join(dirname(destination), `.${basename(destination)}.${randomUUID()}.tmp`);
  const handle = await open(temp, "wx", PRIVATE_FILE_MODE);
  await handle.chmod(PRIVATE_FILE_MODE);
  let closed = false;
  const hash = createHash("sha256");
  const pii = createPiiScanner();
  const recordsPerSubject = new Map<string, number>();
  const fields = new Set<string>();
  let anonymousRecords = 0;
  let recordCount = 0;
  let contentBytes = 0;
  let pending = "";

  async function flush(): Promise<void> {
    if (pending === "") return;
    const bytes = Buffer.from(pending, "utf8");
    pending = "";
    hash.update(bytes);
    contentBytes += bytes.length;
    await handle.write(bytes);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await handle.close();
  }

  async function abort(): Promise<void> {
    await close().catch(() => undefined);
    await rm(temp, { force: true });
  }

  return {
    async write(record) {
      recordCount += 1;
      if (record.subject === null) anonymousRecords += 1;
      else recordsPerSubject.set(record.subject, (recordsPerSubject.get(record.subject) ?? 0) + 1);
      for (const name of Object.keys(record.fields)) fields.add(name);
      pii.scanRecord(record);
      pending += serialiseRecord(record);
      if (pending.length >= FLUSH_CHARS) await flush();
    },
    async commit(source) {
      try {
        await flush();
        await handle.sync();
        await close();
        await rename(temp, destination);
      } catch (error) {
        await abort();
        throw error;
      }
      let maxRecordsPerSubject = anonymousRecords > 0 ? 1 : 0;
      for (const n of recordsPerSubject.values()) maxRecordsPerSubject = Math.max(maxRecordsPerSubject, n);
      return {
        recordCount,
        subjectCount: recordsPerSubject.size + anonymousRecords,
        maxRecordsPerSubject,
        sourceDigest: source.digest,
        contentDigest: hash.digest("hex"),
        bytes: source.bytes,
        contentBytes,
        fields: [...fields].sort(),
        pii: pii.report(),
      };
    },
    abort,
  };
}
