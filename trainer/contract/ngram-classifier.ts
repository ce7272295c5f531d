// A plain downstream classifier for "train on synthetic, test on real": multinomial logistic regression on hashed
// n-gram features (lower-cased word unigrams and bigrams, and character 4-grams, hashed with FNV-1a into 2^18
// signed buckets, log-scaled counts, unit length), fitted by stochastic gradient descent with L2 decay in an order
// shuffled from a seed. No TF: sparse vectors and a dense weight matrix.
import { seededUniform } from "./seeded-random";

export const FEATURE_BITS = 18;
const DIMENSIONS = 1 << FEATURE_BITS;

export interface Example {
  text: string;
  label: string;
}

interface SparseVector {
  index: Int32Array;
  value: Float32Array;
}

/** FNV-1a, 32-bit, of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The text's hashed features: each n-gram adds ±1 to its bucket (the sign from the hash's top bit), then log(1 + |x|) with the sign kept, scaled to unit length. */
export function features(text: string): SparseVector {
  const counts = new Map<number, number>();
  const add = (gram: string) => {
    const h = fnv1a(gram);
    const bucket = h & (DIMENSIONS - 1);
    counts.set(bucket, (counts.get(bucket) ?? 0) + (h >>> 31 ? -1 : 1));
  };
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  words.forEach((w, i) => {
    add(`w:${w}`);
    if (i > 0) add(`b:${words[i - 1]} ${w}`);
  });
  const flat = ` ${text.toLowerCase().replace(/\s+/g, " ")} `;
  for (let i = 0; i + 4 <= flat.length; i++) add(`c:${flat.slice(i, i + 4)}`);
  const index = Int32Array.from(counts.keys());
  const value = Float32Array.from(counts.values(), (c) => Math.sign(c) * Math.log1p(Math.abs(c)));
  let squares = 0;
  for (const v of value) squares += v * v;
  const norm = Math.sqrt(squares) || 1;
  for (let i = 0; i < value.length; i++) value[i] = value[i]! / norm;
  return { index, value };
}

export interface NgramClassifier {
  labels: readonly string[];
  predict(text: string): string;
}

/** Fits the classifier to `examples` over `labels` (examples with other labels are left out). */
export function trainNgramClassifier(
  examples: readonly Example[],
  labels: readonly string[],
  options: { epochs?: number; learningRate?: number; l2?: number; seed?: number } = {},
): NgramClassifier {
  const { epochs = 8, learningRate = 0.5, l2 = 1e-6, seed = 1 } = options;
  const k = labels.length;
  if (k < 2) throw new RangeError("a classifier needs at least two labels");
  const data = examples.filter((e) => labels.includes(e.label)).map((e) => ({ x: features(e.text), y: labels.indexOf(e.label) }));
  if (data.length === 0) throw new RangeError("no example carries one of the labels");
  const weights = new Float32Array(k * DIMENSIONS);
  const bias = new Float64Array(k);
  const scores = (x: SparseVector) => {
    const out = Array.from(bias);
    for (let c = 0; c < k; c++) {
      const row = c * DIMENSIONS;
      for (let j = 0; j < x.index.length; j++) out[c]! += weights[row + x.index[j]!]! * x.value[j]!;
    }
    return out;
  };
  const next = seededUniform(seed);
  const order = data.map((_, i) => i);
  let t = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const at of order) {
      const { x, y } = data[at]!;
      const rate = learningRate / Math.sqrt(1 + t++ / data.length);
      const s = scores(x);
      const top = s.reduce((a, b) => Math.max(a, b));
      const exp = s.map((v) => Math.exp(v - top));
      const total = exp.reduce((a, b) => a + b, 0);
      for (let c = 0; c < k; c++) {
        const gradient = exp[c]! / total - (c === y ? 1 : 0);
        bias[c]! -= rate * gradient;
        const row = c * DIMENSIONS;
        for (let j = 0; j < x.index.length; j++) {
          const w = row + x.index[j]!;
          weights[w] = weights[w]! * (1 - rate * l2) - rate * gradient * x.value[j]!;
        }
      }
    }
  }
  return {
    labels,
    predict(text) {
      const s = scores(features(text));
      return labels[s.indexOf(Math.max(...s))]!;
    },
  };
}
