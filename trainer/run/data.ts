// Training and validation data: JSON lines of records ({"text": ..., "subject_id": ...}), grouped into the units of
// privacy (one record, or all the records of one subject) and tokenised for the model's context.

import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Unit } from "../model/batch";
import type { PrivacyUnit } from "../privacy";
import { sha256 } from "../contract/safetensors";
import { recordTokens, type Tokenizer } from "../model/tokenizer";
import { labelledText } from "../contract/labelled-text";

export const recordSchema = z.object({
  text: z.string(),
  subject_id: z.string().min(1).optional(),
  label: z.string().optional(),
});
export type DataRecord = z.infer<typeof recordSchema>;

export interface Dataset {
  records: DataRecord[];
  /** SHA-256 of the file's bytes. */
  sha256: string;
}

function parseRecords(jsonLines: string, source: string): DataRecord[] {
  const records: DataRecord[] = [];
  jsonLines.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new Error(`${source} line ${i + 1}: not JSON (${(cause as Error).message})`);
    }
    const result = recordSchema.safeParse(value);
    if (!result.success) throw new Error(`${source} line ${i + 1}: ${result.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
    records.push(result.data);
  });
  return records;
}

export function readDataset(path: string): Dataset {
  const bytes = readFileSync(path);
  return { records: parseRecords(bytes.toString("utf8"), path), sha256: sha256(bytes) };
}

/** The units of privacy: each record alone, or each subject's records together (every record needs a subject); with
 * a task's labels, each record in its labelled form. */
export function toUnits(records: readonly DataRecord[], unit: PrivacyUnit, contextLength: number, tokenizer: Tokenizer, labels: readonly string[] | null = null): Unit[] {
  const tokens = (r: DataRecord) => recordTokens(tokenizer, labelledText(r, labels), contextLength + 1);
  if (unit === "record") return records.map((r) => [tokens(r)]);
  const bySubject = new Map<string, Int32Array[]>();
  records.forEach((r, i) => {
    if (r.subject_id === undefined) throw new Error(`record ${i + 1} has no subject_id, which subject-level privacy needs`);
    const list = bySubject.get(r.subject_id) ?? [];
    list.push(tokens(r));
    bySubject.set(r.subject_id, list);
  });
  return [...bySubject.values()];
}
