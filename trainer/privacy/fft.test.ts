// Tests for the FFT helpers against direct (quadratic) convolution.
import { describe, expect, it } from "vitest";
import { convolve, cyclicSelfConvolution, fft, nextPowerOfTwo } from "./fft";

function directConvolution(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j] = (out[i + j] as number) + (a[i] as number) * (b[j] as number);
  return out;
}

const seeded = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) % 2 ** 32;
  return seed / 2 ** 32;
};

describe("fft", () => {
  it("transforms and inverts", () => {
    const random = seeded(1);
    const re = Float64Array.from({ length: 64 }, random);
    const im = Float64Array.from({ length: 64 }, random);
    const [re0, im0] = [re.slice(), im.slice()];
    fft(re, im);
    // DC term is the sum.
    expect(re[0]).toBeCloseTo(re0.reduce((s, v) => s + v, 0), 12);
    fft(re, im, true);
    re.forEach((v, k) => expect(v).toBeCloseTo(re0[k] as number, 13));
    im.forEach((v, k) => expect(v).toBeCloseTo(im0[k] as number, 13));
  });

  it("refuses lengths that are not powers of two", () => {
    expect(() => fft(new Float64Array(6), new Float64Array(6))).toThrow(RangeError);
    expect(nextPowerOfTwo(1)).toBe(1);
    expect(nextPowerOfTwo(1025)).toBe(2048);
  });

  it("convolves two real sequences like the direct sum", () => {
    const random = seeded(2);
    const a = Float64Array.from({ length: 37 }, random);
    const b = Float64Array.from({ length: 100 }, random);
    const expected = directConvolution(a, b);
    const actual = convolve(a, b);
    expect(actual.length).toBe(expected.length);
    actual.forEach((v, k) => expect(v).toBeCloseTo(expected[k] as number, 12));
  });

  it("computes the count-fold cyclic self-convolution", () => {
    const values = Float64Array.of(0.5, 0.3, 0.2);
    let direct: number[] = [1];
    for (let i = 0; i < 5; i++) direct = directConvolution(direct, values);
    // Wide enough: no wrap-around.
    const wide = cyclicSelfConvolution(values, 5, 16);
    direct.forEach((v, k) => expect(wide[k]).toBeCloseTo(v, 14));
    // Modulo 8: entries 8..10 wrap onto 0..2.
    const narrow = cyclicSelfConvolution(values, 5, 8);
    for (let k = 0; k < 8; k++) expect(narrow[k]).toBeCloseTo((direct[k] ?? 0) + (direct[k + 8] ?? 0), 14);
  });
});
