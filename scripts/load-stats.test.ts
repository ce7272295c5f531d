// Tests of the load benchmark's figures: nearest-rank percentiles and the per-operation summary.
import { describe, expect, it } from "vitest";
import { percentile, summarise, summariseByOperation, type Sample } from "./load-stats";

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([15, 20, 35, 40, 50], 30)).toBe(20);
    expect(percentile([15, 20, 35, 40, 50], 40)).toBe(20);
    expect(percentile([15, 20, 35, 40, 50], 50)).toBe(35);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([3, 9], 99)).toBe(9);
  });

  it("is 0 for no values and refuses a percentile outside (0, 100]", () => {
    expect(percentile([], 50)).toBe(0);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe("summarise", () => {
  const samples: Sample[] = [
    { op: "runs.launch", ms: 40, outcome: "ok" },
    { op: "runs.list", ms: 5, outcome: "ok" },
    { op: "runs.launch", ms: 30, outcome: "refused" },
    { op: "runs.list", ms: 15, outcome: "error" },
    { op: "runs.launch", ms: 20, outcome: "refused" },
    { op: "budgets.overview", ms: 10, outcome: "ok" },
  ];

  it("counts requests, refusals and errors, with throughput and latency percentiles", () => {
    const launches: Sample[] = [
      { op: "runs.launch", ms: 40, outcome: "ok" },
      { op: "runs.launch", ms: 30, outcome: "refused" },
    ];
    expect(summarise("runs.launch", launches, 4)).toEqual({
      op: "runs.launch",
      requests: 2,
      throughput_rps: 0.5,
      p50_ms: 30,
      p99_ms: 40,
      refused: 1,
      errors: 0,
    });
    expect(summarise("none", [], 0)).toEqual({ op: "none", requests: 0, throughput_rps: 0, p50_ms: 0, p99_ms: 0, refused: 0, errors: 0 });
  });

  it("summarises each operation, sorted by name, and all of them", () => {
    const { operations, overall } = summariseByOperation(samples, 3);
    expect(operations.map((o) => [o.op, o.requests, o.refused, o.errors, o.p50_ms])).toEqual([
      ["budgets.overview", 1, 0, 0, 10],
      ["runs.launch", 3, 2, 0, 30],
      ["runs.list", 2, 0, 1, 5],
    ]);
    expect(overall).toEqual({ op: "all", requests: 6, throughput_rps: 2, p50_ms: 15, p99_ms: 40, refused: 2, errors: 1 });
  });
});
