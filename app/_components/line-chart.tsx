// A small SVG line chart for one or more series over steps or over time (loss, epsilon, clipped fraction, gradient
// norms, drift probes): round-number ticks thinned to fit, dates on a time axis, a lone point drawn as a point, and
// optional labelled threshold lines. A chart of figures computed from private data without DP carries the
// "internal, not DP" label.
import { dateLabel, labelsThatFit, numberTicks, timeTicks } from "./chart-ticks";
import { InternalBadge } from "./internal-badge";
import { seriesColour } from "./chart-colours";

const W = 460;
const H = 190;
const PAD = { left: 50, right: 12, top: 12, bottom: 34 };
const THRESHOLD_COLOUR = "#b3261e";
const AXIS = "#5b6470";

export interface Series {
  name: string;
  /** x: a step, or epoch milliseconds when the chart's x axis is time. */
  points: { x: number; y: number }[];
}

export interface Threshold {
  y: number;
  label: string;
}

const figure = (v: number) => String(Number(v.toPrecision(3)));

export function LineChart({
  title,
  series,
  yLabel,
  xAxis = "step",
  thresholds = [],
  internal = false,
}: {
  title: string;
  series: Series[];
  yLabel: string;
  /** "step" (integer steps) or "time" (dates). */
  xAxis?: "step" | "time";
  thresholds?: Threshold[];
  internal?: boolean;
}) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  const xs = all.map((p) => p.x);
  const ys = [...all.map((p) => p.y), ...thresholds.map((t) => t.y)];
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const yMin = Math.min(0, ...ys);
  const yTop = Math.max(...ys);
  const yMax = yTop > yMin ? yTop * 1.05 : yMin + 1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  // A single x value sits in the middle of the axis.
  const x = (v: number) => (xMax > xMin ? PAD.left + (plotW * (v - xMin)) / (xMax - xMin) : PAD.left + plotW / 2);
  const y = (v: number) => H - PAD.bottom - (plotH * (v - yMin)) / (yMax - yMin);
  const span = xMax - xMin;
  const xTicks =
    xAxis === "time"
      ? timeTicks(xMin, xMax, labelsThatFit(plotW, dateLabel(xMax, span).length))
      : numberTicks(xMin, xMax, labelsThatFit(plotW, String(xMax).length), true);
  const xText = (v: number) => (xAxis === "time" ? dateLabel(v, span) : String(v));
  const yTicks = numberTicks(yMin, yMax, Math.min(5, Math.floor(plotH / 18)));
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong>
        {internal && <InternalBadge />}{" "}
        {series.length > 1 &&
          series.map((s, i) => (
            <span key={s.name} style={{ color: seriesColour(i), marginLeft: 8 }}>
              ■ {s.name}
            </span>
          ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label={title}>
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#eef0f3" />
            <text x={PAD.left - 4} y={y(t) + 3} fontSize="10" textAnchor="end" fill={AXIS}>
              {figure(t)}
            </text>
          </g>
        ))}
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} stroke="#c9ced6" />
        {xTicks.map((t, i) => (
          <text
            key={`x${t}`}
            x={x(t)}
            y={H - PAD.bottom + 13}
            fontSize="10"
            fill={AXIS}
            textAnchor={xTicks.length > 1 && i === 0 ? "start" : xTicks.length > 1 && i === xTicks.length - 1 ? "end" : "middle"}
          >
            {xText(t)}
          </text>
        ))}
        <text x={PAD.left + plotW / 2} y={H - 4} fontSize="10" textAnchor="middle" fill={AXIS}>
          {xAxis === "time" ? "date (UTC)" : "step"}
        </text>
        <text x={4} y={PAD.top - 2} fontSize="10" fill={AXIS}>
          {yLabel}
        </text>
        {thresholds.map((t) => (
          <g key={t.label} data-testid="chart-threshold">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t.y)} y2={y(t.y)} stroke={THRESHOLD_COLOUR} strokeDasharray="5 4" />
            <text x={W - PAD.right} y={y(t.y) - 3} fontSize="10" textAnchor="end" fill={THRESHOLD_COLOUR}>
              {t.label}
            </text>
          </g>
        ))}
        {series.map((s, i) => {
          const colour = seriesColour(i);
          return s.points.length === 1 ? (
            <circle key={s.name} cx={x(s.points[0]!.x)} cy={y(s.points[0]!.y)} r="3.5" fill={colour} data-testid="chart-point" />
          ) : (
            <polyline key={s.name} fill="none" stroke={colour} strokeWidth="1.5" points={s.points.map((p) => `${x(p.x)},${y(p.y)}`).join(" ")} />
          );
        })}
      </svg>
    </figure>
  );
}
