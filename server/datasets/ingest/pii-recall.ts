// The PII detector's recall as measured on its evaluation set, per entity type: what "0 found" in a PII report is worth.
// Plain data (no node modules), so the dataset page can import it; pii-evaluation.test.ts checks it against the set.
import { wilsonInterval } from "../../proportion-interval";

/** Measured per type on server/datasets/ingest/pii-evaluation.jsonl: recall (3 decimals), and the gold spans it was measured on. */
export const MEASURED_RECALL = {
  email: { recall: 1, gold: 58 },
  credit_card: { recall: 1, gold: 36 },
  ssn: { recall: 1, gold: 39 },
  ip_address: { recall: 1, gold: 36 },
  date_of_birth: { recall: 1, gold: 78 },
  phone: { recall: 1, gold: 73 },
  person_name: { recall: 0.999, gold: 675 },
} as const satisfies Record<string, { recall: number; gold: number }>;

export type MeasuredType = keyof typeof MEASURED_RECALL;

/**
 * The lower end of the 95% Wilson interval of a recall measured as `recall` over `gold` spans: with 58 of 58 found,
 * the recall on other data may well be lower than 1, and this says how much lower it plausibly is.
 */
export function recallLowerBound(recall: number, gold: number): number {
  return wilsonInterval(recall, gold).low;
}

/** "recall 1.000 (95% lower bound 0.938, 58 labelled)" */
export function describeRecall({ recall, gold }: { recall: number; gold: number }): string {
  return `recall ${recall.toFixed(3)} (95% lower bound ${recallLowerBound(recall, gold).toFixed(3)}, ${gold} labelled)`;
}
