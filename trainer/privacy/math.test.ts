// Tests for the numerical helpers: reference values computed with mpmath at 30 significant digits.
import { describe, expect, it } from "vitest";
import { CompensatedSum, erfc, logAddExp, logErfc, logSubExp, normalCdf, normalUpperQuantile } from "./math";

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe("log-space arithmetic", () => {
  it("adds and subtracts in log space without overflow", () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 15);
    expect(logAddExp(-Infinity, 1)).toBe(1);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSubExp(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 15);
    expect(logSubExp(1000, 1000)).toBe(-Infinity);
    expect(() => logSubExp(1, 2)).toThrow(RangeError);
  });

  it("sums long series with compensated rounding", () => {
    const sum = new CompensatedSum();
    sum.add(1);
    for (let i = 0; i < 1_000_000; i++) sum.add(1e-16);
    expect(sum.value).toBe(1 + 1e-10);
  });
});

describe("erfc and the normal distribution", () => {
  // mpmath.erfc(x) at 30 digits.
  const reference: [number, number][] = [
    [-3, 1.9999779095030014146],
    [-0.5, 1.5204998778130465377],
    [0, 1],
    [0.3, 0.67137324054087258381],
    [1, 0.15729920705028513066],
    [1.4999, 0.033906748337704729378],
    [1.5, 0.033894853524689272933],
    [2, 0.0046777349810472658379],
    [5, 1.5374597944280348502e-12],
    [10, 2.088487583762544757e-45],
    [26, 5.6631924088561428465e-296],
  ];
  it.each(reference)("erfc(%d) has relative error below 1e-14", (x, expected) => {
    expect(relativeError(erfc(x), expected)).toBeLessThan(1e-14);
  });

  it("logErfc stays finite and accurate where erfc underflows", () => {
    expect(relativeError(logErfc(30), -903.97411711064387808)).toBeLessThan(1e-15);
    expect(relativeError(logErfc(100), -10005.177585122664333)).toBeLessThan(1e-15);
    expect(relativeError(logErfc(1e4), -100000009.7827053199)).toBeLessThan(1e-15);
    expect(logErfc(-40)).toBeCloseTo(Math.log(2), 15);
  });

  it("normalCdf is accurate in the far lower tail and symmetric", () => {
    expect(relativeError(normalCdf(-10), 7.619853024160526066e-24)).toBeLessThan(1e-14);
    expect(relativeError(normalCdf(-38), 2.8854283600687843084e-316)).toBeLessThan(1e-10); // subnormal range
    for (const z of [-2, -0.1, 0.7, 3]) expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 15);
  });

  it("normalUpperQuantile inverts the upper tail", () => {
    expect(normalUpperQuantile(1e-15)).toBeCloseTo(7.9413453261709967836, 10);
    expect(normalUpperQuantile(Math.exp(-50))).toBeCloseTo(9.6748252836107485737, 10);
    expect(normalUpperQuantile(0.5)).toBeCloseTo(0, 10);
    expect(() => normalUpperQuantile(0)).toThrow(RangeError);
  });
});
