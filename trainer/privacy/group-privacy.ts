// Group privacy: a record-level guarantee restated for a person with k records, shown next to the record-level
// figure when subjects may have several records (../shared/design/privacy-ledger.md, "Units and neighbours").

/**
 * Group privacy: an (epsilon, delta)-DP guarantee for one record protects a person with k records at
 * (k epsilon, k e^{(k-1) epsilon} delta) (Vadhan 2017, Lemma 2.2). For showing a person-level figure next to a
 * record-level one when subjects may have several records.
 */
export function groupPrivacy(epsilon: number, delta: number, k: number): { epsilon: number; delta: number } {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`group size must be a whole number >= 1, got ${k}`);
  return { epsilon: k * epsilon, delta: Math.min(1, k * Math.exp((k - 1) * epsilon) * delta) };
}
