// MinHash signatures of texts' character 5-gram sets (lower-cased, whitespace collapsed), whose agreement estimates the
// Jaccard similarity of two texts, and a banded index (LSH) that finds, among many indexed texts, those that may be
// near duplicates of a text streamed past, without comparing every pair.

/** Characters per shingle. */
export const SHINGLE_CHARS = 5;
/** Hash functions per signature: the estimate's standard error is at most 1/(2·sqrt(64)) = 0.0625. */
export const SIGNATURE_LENGTH = 64;
/** The recall a band layout must reach at the threshold: a pair that similar is a candidate with this probability. */
const BAND_RECALL = 0.95;

/**
 * Rows per band for a threshold: the most rows (fewer candidates below the threshold, so fewer comparisons) for which a
 * pair at the threshold is still a candidate with probability BAND_RECALL, 1 − (1 − t^r)^(64/r): 4 rows at 0.7, 2 at
 * 0.3 or 0.5.
 */
export function bandRowsFor(threshold: number): number {
  for (const rows of [8, 4, 2]) if (1 - (1 - threshold ** rows) ** (SIGNATURE_LENGTH / rows) >= BAND_RECALL) return rows;
  return 1;
}

/** The form texts are compared in: lower case, runs of whitespace as one space, trimmed. */
export function normaliseForMatch(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

/** The text's set of SHINGLE_CHARS-character shingles (a shorter, non-empty text is one shingle of itself). */
export function shingles(text: string): Set<string> {
  const t = normaliseForMatch(text);
  const out = new Set<string>();
  if (t.length === 0) return out;
  if (t.length <= SHINGLE_CHARS) return out.add(t);
  for (let i = 0; i + SHINGLE_CHARS <= t.length; i++) out.add(t.slice(i, i + SHINGLE_CHARS));
  return out;
}

/** FNV-1a over the string's UTF-16 code units, 32 bits. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** MurmurHash3's finaliser: a bijective mix of 32 bits. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fixed, public seeds (a similarity sketch, not a secret): one hash function each. */
const SEEDS = Uint32Array.from({ length: SIGNATURE_LENGTH }, (_, i) => mix(0x9e3779b9 * (i + 1)));

/** The text's signature: per seed, the least hash of its shingles (all 0xffffffff for an empty text). */
export function signature(text: string): Uint32Array {
  const sig = new Uint32Array(SIGNATURE_LENGTH).fill(0xffffffff);
  for (const s of shingles(text)) {
    const h = fnv1a(s);
    for (let i = 0; i < SIGNATURE_LENGTH; i++) {
      const v = mix(h ^ SEEDS[i]!);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/** The Jaccard similarity two signatures estimate: the share of hash functions whose least values agree. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < SIGNATURE_LENGTH; i++) if (a[i] === b[i]) same++;
  return same / SIGNATURE_LENGTH;
}

/** The exact Jaccard similarity of two texts' shingle sets (1 for two empty texts). */
export function jaccard(a: string, b: string): number {
  const sa = shingles(a);
  const sb = shingles(b);
  if (sa.size === 0 && sb.size === 0) return 1;
  let both = 0;
  for (const s of sa) if (sb.has(s)) both++;
  return both / (sa.size + sb.size - both);
}

/**
 * Indexes texts by the bands of their signatures; `bestMatches` then holds, for each indexed text, the highest
 * estimated Jaccard similarity to any text fed to `add` that shared a band with it (below the threshold, a lower bound).
 */
export class NearDuplicateIndex {
  private readonly buckets = new Map<string, number[]>();
  private readonly rows: number;
  readonly signatures: Uint32Array[];
  readonly bestMatches: Float64Array;

  /** `threshold`: the similarity the index must find (bandRowsFor); pairs below it may be missed, and often are. */
  constructor(texts: readonly string[], threshold: number) {
    this.rows = bandRowsFor(threshold);
    this.signatures = texts.map(signature);
    this.bestMatches = new Float64Array(texts.length);
    this.signatures.forEach((sig, k) => {
      for (const key of bandKeys(sig, this.rows)) {
        const at = this.buckets.get(key);
        if (at) at.push(k);
        else this.buckets.set(key, [k]);
      }
    });
  }

  /** Compares the indexed texts sharing a band with `text` to it. */
  add(text: string): void {
    const sig = signature(text);
    const seen = new Set<number>();
    for (const key of bandKeys(sig, this.rows)) {
      for (const k of this.buckets.get(key) ?? []) {
        if (seen.has(k)) continue;
        seen.add(k);
        const j = estimatedJaccard(sig, this.signatures[k]!);
        if (j > this.bestMatches[k]!) this.bestMatches[k] = j;
      }
    }
  }
}

function bandKeys(sig: Uint32Array, rows: number): string[] {
  const keys: string[] = [];
  for (let b = 0; b < SIGNATURE_LENGTH / rows; b++) keys.push(`${b}:${Array.from(sig.subarray(b * rows, (b + 1) * rows)).join(",")}`);
  return keys;
}
