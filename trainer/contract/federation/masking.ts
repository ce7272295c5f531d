// What secure aggregation adds and sums: vectors of reals in fixed point as unsigned 32-bit integers (mod 2^32), and
// the masks a seed expands to (AES-256-CTR under a key derived from the seed and the round, so both ends of a pair
// expand the same mask).
import { createCipheriv, createHash } from "node:crypto";

/**
 * The fixed-point scale for sums of `parties` vectors whose coordinates are at most `bound` in absolute value: the
 * largest power of two keeping every sum inside a signed 32-bit integer.
 */
export function fixedPointScale(parties: number, bound: number): number {
  if (!(parties >= 1 && bound > 0)) throw new RangeError("parties ≥ 1 and a positive bound");
  return 2 ** Math.floor(Math.log2((2 ** 31 - 1) / (parties * bound)));
}

/** Each coordinate rounded to a multiple of 1/scale, as a 32-bit two's complement integer. */
export function encode(values: ArrayLike<number>, scale: number): Uint32Array {
  return Uint32Array.from(values, (v) => Math.round(v * scale) >>> 0);
}

/** A sum mod 2^32 read back as signed integers over the scale. */
export function decode(sum: Uint32Array, scale: number): Float64Array {
  return Float64Array.from(sum, (v) => (v | 0) / scale);
}

/** `a += sign · b` mod 2^32, in place. */
export function addInto(a: Uint32Array, b: Uint32Array, sign: 1 | -1 = 1): void {
  if (a.length !== b.length) throw new RangeError(`vectors of ${a.length} and ${b.length} coordinates`);
  for (let i = 0; i < a.length; i++) a[i] = (a[i]! + sign * b[i]!) >>> 0;
}

/** The mask a seed expands to for a round: `length` uniform 32-bit words. */
export function expandMask(seed: Uint8Array, roundId: string, length: number): Uint32Array {
  const key = createHash("sha256").update("epsilon-ledger secure aggregation mask v1\0").update(roundId).update("\0").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const bytes = Buffer.concat([cipher.update(Buffer.alloc(length * 4)), cipher.final()]);
  return new Uint32Array(bytes.buffer, bytes.byteOffset, length).slice();
}
