// The normalised dataset record and its stored form: a JSONL file, one record per line, keys in a fixed order.
import { normalisedRecordSchema, readRecords, type NormalisedRecord } from "../../../trainer/contract/normalised-record";

/** The key under which the text is reported and planned; an extra field may therefore not be named so. */
export const TEXT_FIELD = "text";

export { normalisedRecordSchema, readRecords, type NormalisedRecord };

/**
 * One line of the stored form, newline included: keys `text`, `subject`, `fields`, and the fields sorted by name,
 * so that the same content always has the same bytes (and so the same digest).
 */
export function serialiseRecord(record: NormalisedRecord): string {
  const fields = Object.fromEntries(Object.entries(record.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ text: record.text, subject: record.subject, fields })}\n`;
}
