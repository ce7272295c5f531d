// Shamir's secret sharing over the prime field of the Mersenne prime 2^521 − 1 (a 32-byte secret fits with room):
// any `threshold` shares give the secret back by Lagrange interpolation at 0; fewer say nothing about it. The
// polynomial's coefficients come from node:crypto.
import { randomBytes } from "node:crypto";

export const FIELD_PRIME = (1n << 521n) - 1n;

const mod = (a: bigint) => ((a % FIELD_PRIME) + FIELD_PRIME) % FIELD_PRIME;

function randomElement(): bigint {
  // 72 random bytes reduced modulo p: the bias is below 2^-55.
  return mod(BigInt(`0x${randomBytes(72).toString("hex")}`));
}

function power(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % FIELD_PRIME;
    b = (b * b) % FIELD_PRIME;
  }
  return result;
}

const inverse = (a: bigint) => power(a, FIELD_PRIME - 2n);

/** One share: the polynomial's value at x (x ≥ 1), as hex. */
export interface Share {
  x: number;
  y: string;
}

export function bytesToElement(bytes: Uint8Array): bigint {
  if (bytes.length > 64) throw new RangeError("a secret of at most 64 bytes");
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

export function elementToBytes(e: bigint, length: number): Uint8Array {
  const hex = e.toString(16).padStart(length * 2, "0");
  if (hex.length > length * 2) throw new RangeError(`the element does not fit in ${length} bytes`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** `n` shares of `secret`, any `threshold` of which recover it (1 ≤ threshold ≤ n). */
export function split(secret: Uint8Array, threshold: number, n: number): Share[] {
  if (!Number.isInteger(threshold) || !Number.isInteger(n) || threshold < 1 || threshold > n) throw new RangeError(`threshold ${threshold} of ${n} shares`);
  const coefficients = [bytesToElement(secret), ...Array.from({ length: threshold - 1 }, randomElement)];
  return Array.from({ length: n }, (_, i) => {
    const x = BigInt(i + 1);
    let y = 0n;
    for (let k = coefficients.length - 1; k >= 0; k--) y = (y * x + coefficients[k]!) % FIELD_PRIME;
    return { x: i + 1, y: y.toString(16) };
  });
}

/** The secret from `threshold` or more distinct shares (interpolation at 0), as `length` bytes. */
export function combine(shares: readonly Share[], length: number): Uint8Array {
  const xs = shares.map((s) => BigInt(s.x));
  if (new Set(xs).size !== xs.length) throw new RangeError("shares with the same x");
  let secret = 0n;
  shares.forEach((share, i) => {
    let num = 1n;
    let den = 1n;
    xs.forEach((xj, j) => {
      if (j === i) return;
      num = (num * mod(-xj)) % FIELD_PRIME;
      den = (den * mod(xs[i]! - xj)) % FIELD_PRIME;
    });
    secret = mod(secret + BigInt(`0x${share.y}`) * num * inverse(den));
  });
  return elementToBytes(secret, length);
}
