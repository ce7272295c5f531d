// A small SVG line chart for one or more series over steps (loss, epsilon, clipped fraction, gradient norms); a chart
// of figures computed from private data without DP carries the "internal, not DP" label.
import { InternalBadge } from "./internal-badge";
const W = 460;
const H = 180;
const PAD = { left: 46, right: 10, top: 10, bottom: 24 };
const COLOURS = ["#1f5fbf", "#c2571a", "#2e7d4f", "#8a3ea8"];

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

export function LineChart({ title, series, yLabel, internal = false }: { title: string; series: Series[]; yLabel: string; internal?: boolean }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  const xMax = Math.max(1, ...all.map((p) => p.x));
  const yMin = Math.min(0, ...all.map((p) => p.y));
  const yMax = Math.max(...all.map((p) => p.y)) || 1;
  const x = (v: number) => PAD.left + ((W - PAD.left - PAD.right) * v) / xMax;
  const y = (v: number) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * (v - yMin)) / (yMax - yMin || 1);
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong>
        {internal && <InternalBadge />}{" "}
        {series.length > 1 &&
          series.map((s, i) => (
            <span key={s.name} style={{ color: COLOURS[i % COLOURS.length], marginLeft: 8 }}>
              ■ {s.name}
            </span>
          ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label={title}>
        {[yMin, (yMin + yMax) / 2, yMax].map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#eef0f3" />
            <text x={PAD.left - 4} y={y(t) + 4} fontSize="10" textAnchor="end" fill="#5b6470">
              {Number(t.toPrecision(3))}
            </text>
          </g>
        ))}
        {series.map((s, i) => (
          <polyline key={s.name} fill="none" stroke={COLOURS[i % COLOURS.length]} strokeWidth="1.5" points={s.points.map((p) => `${x(p.x)},${y(p.y)}`).join(" ")} />
        ))}
        <text x={W - PAD.right} y={H - 6} fontSize="10" textAnchor="end" fill="#5b6470">
          step (of {xMax})
        </text>
        <text x={4} y={PAD.top + 4} fontSize="10" fill="#5b6470">
          {yLabel}
        </text>
      </svg>
    </figure>
  );
}
