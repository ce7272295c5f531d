// Tests for group privacy: a record-level guarantee restated for a person with k records.
import { describe, expect, it } from "vitest";
import { groupPrivacy } from "./group-privacy";

describe("groupPrivacy", () => {
  it("converts a record-level guarantee to a person with k records", () => {
    expect(groupPrivacy(0.5, 1e-6, 1)).toEqual({ epsilon: 0.5, delta: 1e-6 });
    const group = groupPrivacy(0.5, 1e-6, 3);
    expect(group.epsilon).toBe(1.5);
    expect(group.delta).toBeCloseTo(3 * Math.exp(1) * 1e-6, 18);
    expect(groupPrivacy(5, 1e-3, 10).delta).toBe(1);
    expect(() => groupPrivacy(1, 1e-6, 0)).toThrow(RangeError);
  });
});
