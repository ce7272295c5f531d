// The intervals against published values: Wilson's for 0 and 5 of 10, Newcombe's (1998, method 10) for his examples
// 56/70 - 48/80 and 9/10 - 3/10.
import { describe, expect, it } from "vitest";
import { differenceInterval, wilsonInterval } from "./proportion-interval";

describe("wilsonInterval", () => {
  it("gives the score interval, nothing known for no trials", () => {
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(0, 10).high).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(0.5, 10).low).toBeCloseTo(0.2366, 4);
    expect(wilsonInterval(0.5, 10).high).toBeCloseTo(0.7634, 4);
    expect(wilsonInterval(0.3, 0)).toEqual({ low: 0, high: 1 });
    expect(() => wilsonInterval(1.2, 10)).toThrow(RangeError);
  });
});

describe("differenceInterval", () => {
  it("gives Newcombe's hybrid score interval", () => {
    const a = differenceInterval({ hits: 56, n: 70 }, { hits: 48, n: 80 });
    expect(a.low).toBeCloseTo(0.0524, 4);
    expect(a.high).toBeCloseTo(0.3339, 4);
    const b = differenceInterval({ hits: 9, n: 10 }, { hits: 3, n: 10 });
    expect(b.low).toBeCloseTo(0.1705, 4);
    expect(b.high).toBeCloseTo(0.809, 4);
  });
});
