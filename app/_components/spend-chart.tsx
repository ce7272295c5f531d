// The budget-over-time chart: the lineage's composed epsilon after each entry of its ledger, one labelled bar per run
// or DP count release (its rise, in time order), against the budget's limit. Plain SVG, so it prints.
import { eps } from "./format";
import { seriesColour } from "./chart-colours";

const W = 640;
const H = 270;
const PAD = { left: 52, right: 16, top: 18, bottom: 78 };
/** With more entries than this, only every n-th bar is named below the axis (all are named on hover). */
const MAX_NAMED_BARS = 12;

/** An entry of the ledger: a run, or a DP count release; `label` names its bar (default: "run <id>"). */
export type ChartEntry = { cumulativeEpsilon: number; reserved: boolean; createdAt: string; label?: string } & (
  | { kind: "run"; runId: string }
  | { kind: "count release"; releaseId: string }
);

const entryKey = (e: ChartEntry) => (e.kind === "run" ? e.runId : e.releaseId);
const entryLabel = (e: ChartEntry) => e.label ?? (e.kind === "run" ? `run ${e.runId.slice(0, 8)}` : "count release");

export function SpendChart({ runs, limit, label }: { runs: ChartEntry[]; limit: number; label: string }) {
  const top = Math.max(limit, ...runs.map((r) => r.cumulativeEpsilon)) * 1.1 || 1;
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * i) / Math.max(1, runs.length);
  const y = (e: number) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * e) / top;
  const ticks = [0, top / 4, top / 2, (3 * top) / 4].map((t) => Number(t.toPrecision(2)));
  const every = Math.ceil(runs.length / MAX_NAMED_BARS);
  const barWidth = runs.length === 0 ? 0 : x(1) - x(0);
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
        <text x={16} y={(PAD.top + H - PAD.bottom) / 2} fontSize="11" fill="#5b6470" textAnchor="middle" transform={`rotate(-90 16 ${(PAD.top + H - PAD.bottom) / 2})`}>
          composed ε
        </text>
        {runs.map((r, i) => {
          const previous = i === 0 ? 0 : runs[i - 1]!.cumulativeEpsilon;
          const centre = x(i) + barWidth / 2;
          const named = i % every === 0;
          return (
            <g key={entryKey(r)} data-testid="spend-bar">
              <rect
                x={x(i) + 2}
                width={Math.max(2, barWidth - 4)}
                y={y(r.cumulativeEpsilon)}
                height={Math.max(1, y(previous) - y(r.cumulativeEpsilon))}
                fill={seriesColour(i)}
                fillOpacity={r.reserved ? 0.35 : 0.85}
              >
                <title>{`${entryLabel(r)}: composed ε ${eps(previous)} → ${eps(r.cumulativeEpsilon)}${r.reserved ? " (reserved)" : ""}`}</title>
              </rect>
              {named && runs.length <= MAX_NAMED_BARS && (
                <text x={centre} y={y(r.cumulativeEpsilon) - 4} fontSize="10" textAnchor="middle" fill="#1b1f24">
                  +{eps(r.cumulativeEpsilon - previous)}
                </text>
              )}
              {named && (
                <text x={centre} y={H - PAD.bottom + 14} fontSize="10" textAnchor="end" fill="#5b6470" transform={`rotate(-30 ${centre} ${H - PAD.bottom + 14})`}>
                  {entryLabel(r)}
                </text>
              )}
            </g>
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
          limit ε = {eps(limit)}
        </text>
        <text x={PAD.left} y={H - 6} fontSize="11" fill="#5b6470">
          {runs.some((r) => r.kind === "count release") ? "runs and count releases" : "runs"} in time order (pale: reserved, not yet charged)
        </text>
      </svg>
      <figcaption className="muted">{label}</figcaption>
    </figure>
  );
}
