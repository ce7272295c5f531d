// ROC curves on log-log axes (the low false-positive region is where privacy attacks matter), with the largest
// true-positive rate the model's (epsilon, delta) allows, and chance.
const W = 420;
const H = 300;
// Room on the left for the tick labels and the rotated axis title, below for the tick labels and the title.
const PAD = { left: 64, right: 14, top: 12, bottom: 44 };
const COLOURS = ["#1f5fbf", "#8a3ea8", "#b3261e"];

export interface Curve {
  name: string;
  points: { fpr: number; tpr: number }[];
  dashed?: boolean;
}

/** A decade as people read a rate: 100%, 10%, 1%, 0.1%, 0.01%, … */
export function rateTick(decade: number): string {
  return `${Number((100 * 10 ** decade).toPrecision(1))}%`;
}

export function LogLogRoc({ curves, floor, title }: { curves: Curve[]; floor: number; title: string }) {
  const lo = Math.log10(Math.max(floor, 1e-5));
  const x = (fpr: number) => PAD.left + ((W - PAD.left - PAD.right) * (Math.log10(Math.max(fpr, 10 ** lo)) - lo)) / -lo;
  const y = (tpr: number) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * (Math.log10(Math.max(tpr, 10 ** lo)) - lo)) / -lo;
  const decades = Array.from({ length: Math.ceil(-lo) + 1 }, (_, i) => -i).filter((d) => d >= lo);
  return (
    <figure className="chart">
      <figcaption>
        <strong>{title}</strong>{" "}
        {curves.map((c, i) => (
          <span key={c.name} style={{ color: COLOURS[i % COLOURS.length], marginLeft: 8, whiteSpace: "nowrap", display: "inline-block" }}>
            {c.dashed ? "┄" : "■"} {c.name}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label={title}>
        {decades.map((d) => (
          <g key={d}>
            <line x1={x(10 ** d)} x2={x(10 ** d)} y1={PAD.top} y2={H - PAD.bottom} stroke="#eef0f3" />
            <line x1={PAD.left} x2={W - PAD.right} y1={y(10 ** d)} y2={y(10 ** d)} stroke="#eef0f3" />
            <text x={x(10 ** d)} y={H - PAD.bottom + 16} fontSize="11" textAnchor={d === 0 ? "end" : x(10 ** d) - PAD.left < 20 ? "start" : "middle"} fill="#5b6470">
              {rateTick(d)}
            </text>
            <text x={PAD.left - 6} y={y(10 ** d) + 4} fontSize="11" textAnchor="end" fill="#5b6470">
              {rateTick(d)}
            </text>
          </g>
        ))}
        <line x1={x(10 ** lo)} y1={y(10 ** lo)} x2={x(1)} y2={y(1)} stroke="#c4c9d0" strokeDasharray="2 3" />
        {curves.map((c, i) => (
          <polyline
            key={c.name}
            fill="none"
            stroke={COLOURS[i % COLOURS.length]}
            strokeWidth="1.5"
            strokeDasharray={c.dashed ? "6 4" : undefined}
            points={c.points.map((p) => `${x(p.fpr)},${y(p.tpr)}`).join(" ")}
          />
        ))}
        <text x={(W + PAD.left - PAD.right) / 2} y={H - 6} fontSize="12" textAnchor="middle" fill="#3b4350">
          false-positive rate (log scale)
        </text>
        <text transform={`translate(14 ${(H - PAD.bottom + PAD.top) / 2}) rotate(-90)`} fontSize="12" textAnchor="middle" fill="#3b4350">
          true-positive rate (log scale)
        </text>
      </svg>
    </figure>
  );
}
