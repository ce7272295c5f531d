// The clipping hint: said only once there are a few steps, and only when the clipped fraction stays near 100% or 0%.
import { describe, expect, it } from "vitest";
import { clippingHint } from "./clipping-hint";

const steps = (fraction: number, n = 5, p50 = 3.2) => Array.from({ length: n }, () => ({ clippedFraction: fraction, gradNormQuantiles: { p50 } }));

describe("the clipping hint", () => {
  it("asks for a larger clip norm when nearly every unit is clipped, and a smaller one when almost none is", () => {
    expect(clippingHint(steps(1), 1)).toMatch(/^Almost every unit is clipped \(100% over the last 5 steps\): the clip norm 1 is small .*median gradient norm is about 3\.2.*larger clip norm/);
    expect(clippingHint(steps(0, 5, 0.05), 1)).toMatch(/^Almost no unit is clipped \(0% .*smaller clip norm/);
  });

  it("says nothing in between or before there are enough steps", () => {
    expect(clippingHint(steps(0.5), 1)).toBeNull();
    expect(clippingHint(steps(1, 2), 1)).toBeNull();
  });
});
