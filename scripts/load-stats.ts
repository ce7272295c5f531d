// The figures of the load benchmark (scripts/load-bench.ts), kept pure so that they are tested: nearest-rank
// percentiles of latencies and the summary per operation and overall.

/** How a request ended: answered as hoped, refused as the rules say it may be (over budget), or an error. */
export type Outcome = "ok" | "refused" | "error";

export interface Sample {
  op: string;
  ms: number;
  outcome: Outcome;
}

export interface OperationSummary {
  op: string;
  requests: number;
  throughput_rps: number;
  p50_ms: number;
  p99_ms: number;
  refused: number;
  errors: number;
}

/** The nearest-rank p-th percentile (0 < p <= 100) of values sorted in ascending order; 0 when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], not ${p}`);
  if (sorted.length === 0) return 0;
  return sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Requests, throughput over `seconds`, p50 and p99 latency, refusals and errors of `samples`. */
export function summarise(op: string, samples: readonly Sample[], seconds: number): OperationSummary {
  const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    op,
    requests: samples.length,
    throughput_rps: seconds > 0 ? round2(samples.length / seconds) : 0,
    p50_ms: round2(percentile(latencies, 50)),
    p99_ms: round2(percentile(latencies, 99)),
    refused: samples.filter((s) => s.outcome === "refused").length,
    errors: samples.filter((s) => s.outcome === "error").length,
  };
}

/** One summary per operation (sorted by name) and one of every sample ("all"). */
export function summariseByOperation(samples: readonly Sample[], seconds: number): { operations: OperationSummary[]; overall: OperationSummary } {
  const byOp = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = byOp.get(s.op);
    if (list) list.push(s);
    else byOp.set(s.op, [s]);
  }
  const operations = [...byOp.keys()].sort().map((op) => summarise(op, byOp.get(op) as Sample[], seconds));
  return { operations, overall: summarise("all", samples, seconds) };
}
