// What the benchmark sections share: a section's result, a median timer and markdown tables.

export interface SectionResult {
  title: string;
  /** Markdown: a table, optionally followed by notes. */
  body: string;
  /** The measurements as one JSON object, for --json. */
  json?: unknown;
}
export type Section = () => Promise<SectionResult> | SectionResult;

/** Median wall time in ms over `runs` calls, after one warm-up call; also returns the last result. */
export function measure<T>(runs: number, fn: () => T): { ms: number; result: T; runs: number } {
  let result = fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] as number, result, runs };
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const formatMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`);
