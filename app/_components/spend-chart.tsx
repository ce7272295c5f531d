// The budget-over-time chart: the lineage's composed epsilon after each entry of its ledger (each run's or DP count
// release's share a coloured step), against the budget's limit. Plain SVG, so it prints.
const W = 640;
const H = 220;
const PAD = { left: 48, right: 16, top: 14, bottom: 30 };
const COLOURS = ["#1f5fbf", "#c2571a", "#2e7d4f", "#8a3ea8", "#b8860b", "#00838f"];

/** An entry of the ledger: a run, or a DP count release. */
export type ChartEntry = { cumulativeEpsilon: number; reserved: boolean; createdAt: string } & (
  | { kind: "run"; runId: string }
  | { kind: "count release"; releaseId: string }
);

const entryKey = (e: ChartEntry) => (e.kind === "run" ? e.runId : e.releaseId);

export function SpendChart({ runs, limit, label }: { runs: ChartEntry[]; limit: number; label: string }) {
  const top = Math.max(limit, ...runs.map((r) => r.cumulativeEpsilon)) * 1.1 || 1;
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * i) / Math.max(1, runs.length);
  const y = (eps: number) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * eps) / top;
  const ticks = [0, top / 4, top / 2, (3 * top) / 4].map((t) => Number(t.toPrecision(2)));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} width="100%" style={{ maxWidth: W }}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#eef0f3" />
            <text x={PAD.left - 6} y={y(t) + 4} fontSize="11" textAnchor="end" fill="#5b6470">
              {t}
            </text>
          </g>
        ))}
        {runs.map((r, i) => {
          const previous = i === 0 ? 0 : runs[i - 1]!.cumulativeEpsilon;
          return (
            <rect
              key={entryKey(r)}
              x={x(i) + 2}
              width={Math.max(2, x(i + 1) - x(i) - 4)}
              y={y(r.cumulativeEpsilon)}
              height={Math.max(1, y(previous) - y(r.cumulativeEpsilon))}
              fill={COLOURS[i % COLOURS.length]}
              fillOpacity={r.reserved ? 0.35 : 0.85}
            >
              <title>{`${r.kind} ${entryKey(r).slice(0, 8)}: composed ε ${previous.toFixed(3)} → ${r.cumulativeEpsilon.toFixed(3)}${r.reserved ? " (reserved)" : ""}`}</title>
            </rect>
          );
        })}
        <polyline
          fill="none"
          stroke="#1b1f24"
          strokeWidth="1.5"
          points={[`${x(0)},${y(0)}`, ...runs.flatMap((r, i) => [`${x(i)},${y(r.cumulativeEpsilon)}`, `${x(i + 1)},${y(r.cumulativeEpsilon)}`])].join(" ")}
        />
        <line x1={PAD.left} x2={W - PAD.right} y1={y(limit)} y2={y(limit)} stroke="#b3261e" strokeDasharray="6 4" />
        <text x={W - PAD.right} y={y(limit) - 4} fontSize="11" textAnchor="end" fill="#b3261e">
          limit ε = {limit}
        </text>
        <text x={PAD.left} y={H - 8} fontSize="11" fill="#5b6470">
          {runs.some((r) => r.kind === "count release") ? "runs and count releases" : "runs"} in time order (pale: reserved, not yet charged)
        </text>
      </svg>
      <figcaption className="muted">{label}</figcaption>
    </figure>
  );
}
