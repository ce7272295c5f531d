// Randomness that privacy rests on (DP noise, Poisson sampling, choosing a subject's records), drawn from the
// operating system's CSPRNG through node:crypto. Never seeded, never reproducible: a seeded PRNG would let anyone
// who learns the seed subtract the noise.

import { randomFillSync } from "node:crypto";

const CHUNK = 1 << 16; // uniforms drawn per randomFillSync call
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/** Fills `out` with independent uniform doubles in [0, 1), each with 53 random bits. */
function fillUniforms(out: Float64Array): Float64Array {
  const words = new Uint32Array(2 * Math.min(CHUNK, out.length));
  for (let start = 0; start < out.length; start += CHUNK) {
    const count = Math.min(CHUNK, out.length - start);
    randomFillSync(words, 0, 2 * count);
    for (let i = 0; i < count; i++) {
      out[start + i] = ((words[2 * i] as number) >>> 5) * TWO_POW_26 + ((words[2 * i + 1] as number) >>> 6);
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / TWO_POW_53;
  return out;
}

export const uniforms = (n: number): Float64Array => fillUniforms(new Float64Array(n));

/** n independent normal draws N(0, std^2): Marsaglia's polar method on CSPRNG uniforms (no trigonometry; about
 * 21% of the uniform pairs are rejected, so uniforms are drawn in chunks until enough pairs are accepted). */
export function gaussians(n: number, std = 1): Float32Array {
  const out = new Float32Array(n);
  const u = new Float64Array(2 * Math.min(CHUNK, Math.ceil(n / 2) + 16));
  let filled = 0;
  while (filled < n) {
    fillUniforms(u);
    for (let i = 0; i < u.length && filled < n; i += 2) {
      const x = 2 * (u[i] as number) - 1;
      const y = 2 * (u[i + 1] as number) - 1;
      const s = x * x + y * y;
      if (s >= 1 || s === 0) continue;
      const factor = std * Math.sqrt((-2 * Math.log(s)) / s);
      out[filled++] = x * factor;
      if (filled < n) out[filled++] = y * factor;
    }
  }
  return out;
}

/** Poisson sampling: the indices 0..n-1 each included independently with probability `rate`. */
export function poissonSample(n: number, rate: number): number[] {
  const u = uniforms(n);
  const chosen: number[] = [];
  for (let i = 0; i < n; i++) if ((u[i] as number) < rate) chosen.push(i);
  return chosen;
}

/** `k` items of `items` chosen uniformly at random without replacement (all of them, in order, if k >= length). */
export function chooseWithoutReplacement<T>(items: readonly T[], k: number): T[] {
  if (k >= items.length) return [...items];
  const pool = [...items];
  const u = uniforms(k);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor((u[i] as number) * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, k);
}

/**
 * n independent discrete Gaussian draws N_Z(0, sigma²) (integers, as doubles), by Canonne, Kamath and Steinke's
 * rejection from a discrete Laplace of scale t = ⌊sigma⌋ + 1 (their Algorithm 3, in floating point on CSPRNG
 * uniforms): each candidate Y is kept with probability exp(-(|Y| - sigma²/t)² / (2 sigma²)).
 */
export function discreteGaussians(n: number, sigma: number): Float64Array {
  if (!(sigma > 0)) throw new RangeError("sigma must be positive");
  const t = Math.floor(sigma) + 1;
  const out = new Float64Array(n);
  let filled = 0;
  while (filled < n) {
    const u = uniforms(4 * Math.min(CHUNK, n - filled + 16));
    for (let i = 0; i + 3 < u.length && filled < n; i += 4) {
      // Geometric G with P(G = k) = (1 - e^(-1/t)) e^(-k/t), a random sign, and -0 rejected: a discrete Laplace.
      const g = Math.floor(-t * Math.log(1 - (u[i] as number)));
      const negative = (u[i + 1] as number) < 0.5;
      if (negative && g === 0) continue;
      const y = negative ? -g : g;
      const excess = Math.abs(y) - (sigma * sigma) / t;
      if ((u[i + 2] as number) < Math.exp(-(excess * excess) / (2 * sigma * sigma))) out[filled++] = y;
    }
  }
  return out;
}

/** Each value rounded to ⌊v⌋ or ⌊v⌋ + 1 at random, up with probability v - ⌊v⌋: unbiased, never off by a whole unit. */
export function randomizedRound(values: ArrayLike<number>): Float64Array {
  const u = uniforms(values.length);
  return Float64Array.from(values, (v, i) => {
    const floor = Math.floor(v);
    return (u[i] as number) < v - floor ? floor + 1 : floor;
  });
}
