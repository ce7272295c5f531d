// A dataset version's PII report: its schema (stored with the version) and the streaming scanner that accumulates it
// over the version's records, counting each type per record and per field, with a few masked examples, never a raw
// value.
import { z } from "zod";
import { ENTITY_TYPES, entityTypeSchema, findEntities, maskEntity, type EntityType } from "./pii";
import { MEASURED_RECALL } from "./pii-recall";
import { TEXT_FIELD, type NormalisedRecord } from "./records";

export const MAX_EXAMPLES = 3;

const typeStatsSchema = z.strictObject({
  /** Occurrences, over the text and every field. */
  count: z.number().int().nonnegative(),
  /** Records with at least one occurrence. */
  records: z.number().int().nonnegative(),
  /** Up to three distinct masked occurrences, in the order first met; never a raw value. */
  examples: z.array(z.string()).max(MAX_EXAMPLES),
});

export const piiReportSchema = z.strictObject({
  version: z.literal(1),
  recordsScanned: z.number().int().nonnegative(),
  recordsWithPii: z.number().int().nonnegative(),
  byType: z.record(entityTypeSchema, typeStatsSchema),
  /** Occurrences per field ("text" for the text, else the extra field's name); only fields and types with findings. */
  byField: z.record(z.string(), z.partialRecord(entityTypeSchema, z.number().int().positive())),
  /**
   * The scanning detector's recall per type as measured on its evaluation set (pii-recall.ts), so that "0 found"
   * reads as "0 found by a detector with measured recall r"; absent from reports written before it was recorded.
   */
  detectorRecall: z
    .partialRecord(entityTypeSchema, z.strictObject({ recall: z.number().min(0).max(1), gold: z.number().int().nonnegative() }))
    .optional(),
});
export type PiiReport = z.infer<typeof piiReportSchema>;

/** A streaming accumulator: feed it every record of a dataset version once, then take its report. */
export function createPiiScanner(): { scanRecord(record: NormalisedRecord): void; report(): PiiReport } {
  const byType = Object.fromEntries(
    ENTITY_TYPES.map((type) => [type, { count: 0, records: 0, examples: [] as string[] }]),
  ) as PiiReport["byType"];
  const byField = new Map<string, Partial<Record<EntityType, number>>>();
  let recordsScanned = 0;
  let recordsWithPii = 0;

  function scanValue(field: string, value: string, typesInRecord: Set<EntityType>): void {
    for (const entity of findEntities(value)) {
      const stats = byType[entity.type];
      stats.count += 1;
      typesInRecord.add(entity.type);
      if (stats.examples.length < MAX_EXAMPLES) {
        const masked = maskEntity(entity.type, entity.value);
        if (!stats.examples.includes(masked)) stats.examples.push(masked);
      }
      const counts = byField.get(field) ?? {};
      counts[entity.type] = (counts[entity.type] ?? 0) + 1;
      byField.set(field, counts);
    }
  }

  return {
    scanRecord(record) {
      recordsScanned += 1;
      const typesInRecord = new Set<EntityType>();
      scanValue(TEXT_FIELD, record.text, typesInRecord);
      for (const [name, value] of Object.entries(record.fields)) scanValue(name, value, typesInRecord);
      for (const type of typesInRecord) byType[type].records += 1;
      if (typesInRecord.size > 0) recordsWithPii += 1;
    },
    report() {
      return {
        version: 1,
        recordsScanned,
        recordsWithPii,
        byType: structuredClone(byType),
        byField: Object.fromEntries([...byField.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, { ...v }])),
        detectorRecall: Object.fromEntries(ENTITY_TYPES.map((type) => [type, { ...MEASURED_RECALL[type] }])),
      };
    },
  };
}
