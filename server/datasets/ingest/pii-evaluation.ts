// Measures the PII detector on a labelled JSONL set (gold spans per record): precision and recall per entity type, exact spans.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ENTITY_TYPES, entityTypeSchema, findEntities, type EntityType } from "./pii";

/** The evaluation set shipped with the detector: several hundred records of many cultures, other PII and decoys. */
export const EVALUATION_SET_PATH = fileURLToPath(new URL("./pii-evaluation.jsonl", import.meta.url));

const goldRecordSchema = z.strictObject({
  text: z.string(),
  entities: z.array(
    z
      .strictObject({ type: entityTypeSchema, start: z.number().int().nonnegative(), end: z.number().int().positive() })
      .refine((e) => e.end > e.start, "an entity ends after it starts"),
  ),
});
export type GoldRecord = z.infer<typeof goldRecordSchema>;

export interface TypeScore {
  /** Gold spans of the type. */
  gold: number;
  /** Spans of the type the detector found. */
  found: number;
  /** Found spans equal to a gold span of the same type (start, end and type). */
  correct: number;
  /** correct / found (1 when nothing was found). */
  precision: number;
  /** correct / gold (1 when there is no gold span). */
  recall: number;
}

export interface Evaluation {
  records: number;
  byType: Record<EntityType, TypeScore>;
  /** The records where the detector and the labels differ, for inspection. */
  mismatches: { line: number; text: string; missed: string[]; spurious: string[] }[];
}

/** Parses a labelled set: one `{"text", "entities": [{"type", "start", "end"}]}` per line; throws naming the line. */
export function parseGoldSet(jsonl: string): GoldRecord[] {
  return jsonl
    .split("\n")
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== "")
    .map(({ line, number }) => {
      const parsed = goldRecordSchema.safeParse((() => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return undefined;
        }
      })());
      if (!parsed.success) throw new Error(`line ${number}: not a labelled record (${parsed.error.issues[0]?.message ?? "invalid"})`);
      for (const entity of parsed.data.entities) {
        if (entity.end > parsed.data.text.length) throw new Error(`line ${number}: an entity ends past the text`);
      }
      return parsed.data;
    });
}

/** Scores `findEntities` against the labelled records. */
export function evaluateDetector(records: GoldRecord[]): Evaluation {
  const counts = Object.fromEntries(ENTITY_TYPES.map((type) => [type, { gold: 0, found: 0, correct: 0 }])) as Record<
    EntityType,
    { gold: number; found: number; correct: number }
  >;
  const mismatches: Evaluation["mismatches"] = [];
  records.forEach((record, index) => {
    const key = (e: { type: string; start: number; end: number }) => `${e.type}:${e.start}:${e.end}`;
    const gold = new Set(record.entities.map(key));
    const found = findEntities(record.text);
    const foundKeys = new Set(found.map(key));
    for (const entity of record.entities) counts[entity.type].gold += 1;
    for (const entity of found) {
      counts[entity.type].found += 1;
      if (gold.has(key(entity))) counts[entity.type].correct += 1;
    }
    const show = (e: { type: string; start: number; end: number }) => `${e.type} ${JSON.stringify(record.text.slice(e.start, e.end))}`;
    const missed = record.entities.filter((e) => !foundKeys.has(key(e))).map(show);
    const spurious = found.filter((e) => !gold.has(key(e))).map(show);
    if (missed.length > 0 || spurious.length > 0) mismatches.push({ line: index + 1, text: record.text, missed, spurious });
  });
  const byType = Object.fromEntries(
    ENTITY_TYPES.map((type) => {
      const { gold, found, correct } = counts[type];
      return [type, { gold, found, correct, precision: found === 0 ? 1 : correct / found, recall: gold === 0 ? 1 : correct / gold }];
    }),
  ) as Record<EntityType, TypeScore>;
  return { records: records.length, byType, mismatches };
}

/** The detector scored on the shipped evaluation set. */
export function evaluateShippedSet(): Evaluation {
  return evaluateDetector(parseGoldSet(readFileSync(EVALUATION_SET_PATH, "utf8")));
}
