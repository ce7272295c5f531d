// Memory test of the streaming ingest: a generated 100 MB upload must never sit whole in memory.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { ingestUpload } from "./parse";
import { scratchDir } from "./testing";

const UPLOAD_BYTES = 100 * 1024 * 1024;
const MAX_GROWTH = 100 * 1024 * 1024;
/** One line, the write buffer (1 MiB of text), 5,000 subject counts and the PII report: a few MiB at most. */
const MAX_LIVE_HEAP_GROWTH = 20 * 1024 * 1024;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Peaks sampled once per chunk: the resident set, and the live heap measured right after a full collection every
 * 8 MiB (what the ingest retains, as opposed to garbage a lazy collector has not yet reclaimed).
 */
const peak = { rss: 0, liveHeap: 0 };
const GC_EVERY = 8 * 1024 * 1024;
let sinceGc = 0;
function sample(bytes: number): void {
  sinceGc += bytes;
  if (sinceGc >= GC_EVERY) {
    sinceGc = 0;
    gc();
    peak.liveHeap = Math.max(peak.liveHeap, process.memoryUsage().heapUsed);
  }
  peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
}

/** JSONL records with a subject of 5,000 and some PII, made 64 KiB at a time so the upload exists only as a stream. */
async function* generatedUpload(totalBytes: number): AsyncGenerator<Uint8Array> {
  let sent = 0;
  let i = 0;
  while (sent < totalBytes) {
    let chunk = "";
    while (chunk.length < 64 * 1024) {
      const text = `Note ${i}: Alice Smith wrote to alice${i % 97}@example.com about order ${i * 7}, and the fox jumped over the lazy dog again.`;
      chunk += `${JSON.stringify({ text, user: `u${i % 5000}`, n: i })}\n`;
      i += 1;
    }
    const bytes = Buffer.from(chunk, "utf8");
    sent += bytes.length;
    sample(bytes.length);
    yield bytes;
  }
}

it("ingests a generated 100 MB upload with memory growth far below its size", async () => {
  const destination = join(await scratchDir(), "big.jsonl");
  gc();
  const before = process.memoryUsage();
  peak.rss = before.rss;
  peak.liveHeap = before.heapUsed;
  const started = performance.now();

  const result = await ingestUpload({
    source: generatedUpload(UPLOAD_BYTES),
    format: "jsonl",
    textField: "text",
    subjectField: "user",
    destination,
    maxBytes: 2 * UPLOAD_BYTES,
  });

  const growth = { rss: peak.rss - before.rss, liveHeap: peak.liveHeap - before.heapUsed };
  console.log(
    `ingested ${(UPLOAD_BYTES / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `peak growth: rss ${(growth.rss / 2 ** 20).toFixed(1)} MiB, live heap ${(growth.liveHeap / 2 ** 20).toFixed(1)} MiB`,
  );
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.summary.bytes).toBeGreaterThanOrEqual(UPLOAD_BYTES);
  expect(result.summary).toMatchObject({ subjectCount: 5000, contentBytes: (await stat(destination)).size });
  expect(result.summary.pii.byType.email.records).toBe(result.summary.recordCount);
  expect(growth.rss).toBeLessThan(MAX_GROWTH);
  expect(growth.liveHeap).toBeLessThan(MAX_LIVE_HEAP_GROWTH);
}, 60_000);
