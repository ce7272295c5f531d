// Chart ticks: round numbers that fit the axis, dates with times only over short spans.
import { describe, expect, it } from "vitest";
import { dateLabel, labelsThatFit, numberTicks, timeTicks } from "./chart-ticks";

describe("chart ticks", () => {
  it("chooses round steps and never more ticks than fit", () => {
    expect(numberTicks(0, 100, 6)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(numberTicks(1, 1000, 5, true)).toEqual([500, 1000]);
    expect(numberTicks(0, 1, 3)).toEqual([0, 0.5, 1]);
    for (const [max, most] of [[7, 4], [1234, 5], [3, 10]] as const) expect(numberTicks(0, max, most, true).length).toBeLessThanOrEqual(most);
    expect(numberTicks(0, 3, 10, true)).toEqual([0, 1, 2, 3]);
  });

  it("gives one tick for a single value", () => {
    expect(numberTicks(5, 5, 4)).toEqual([5]);
    expect(timeTicks(10, 10, 4)).toEqual([10]);
  });

  it("labels dates by day, with the time over spans under two days", () => {
    const t = Date.UTC(2026, 10, 30, 14, 5);
    expect(dateLabel(t, 3 * 86_400_000)).toBe("30 Nov");
    expect(dateLabel(t, 3_600_000)).toBe("30 Nov 14:05");
    expect(timeTicks(0, 100, 3)).toEqual([0, 50, 100]);
    expect(labelsThatFit(400, 12)).toBe(4);
  });
});
