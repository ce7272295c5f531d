// The exposure plot: how the model scores random members of the canaries' space (the reference distribution, and the
// fitted skew-normal) against the inserted canaries and the others. Inserted canaries far to the left (lower loss
// than almost every random candidate) are memorised.
const W = 460;
const H = 200;
const PAD = { left: 40, right: 12, top: 12, bottom: 46 };

export interface Histogram {
  edges: number[];
  reference: number[];
  expected: number[] | null;
  inserted: number[];
  others: number[];
}

/** Three loss ticks (the first edge, the middle, the last), 3 significant digits each, so they never crowd. */
export function lossTicks(edges: number[]): { at: number; label: string }[] {
  if (edges.length === 0) return [];
  const first = edges[0]!;
  const last = edges.at(-1)!;
  const values = first === last ? [first] : [first, (first + last) / 2, last];
  return values.map((v, i) => ({ at: i, label: String(Number(v.toPrecision(3))) }));
}

/** A legend entry: the series' colour as a swatch (the light reference grey is no colour for text), its name in text. */
function Key({ colour, label }: { colour: string; label: string }) {
  return (
    <span style={{ marginLeft: 8, whiteSpace: "nowrap", display: "inline-block" }}>
      <svg width="10" height="10" aria-hidden="true">
        <rect width="10" height="10" fill={colour} stroke="#5b6470" strokeWidth="0.5" />
      </svg>{" "}
      {label}
    </span>
  );
}

export function ExposureHistogram({ histogram }: { histogram: Histogram }) {
  const bins = histogram.reference.length;
  const top = Math.max(1, ...histogram.reference, ...(histogram.expected ?? []));
  const canaryTop = Math.max(1, ...histogram.inserted, ...histogram.others);
  const bw = (W - PAD.left - PAD.right) / bins;
  const x = (i: number) => PAD.left + i * bw;
  const y = (n: number) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * n) / top;
  const marks = (counts: number[], colour: string, offset: number) =>
    counts.flatMap((n, i) =>
      n === 0 ? [] : [<rect key={`${colour}${i}`} x={x(i) + offset * (bw / 2)} width={bw / 2 - 1} y={PAD.top} height={((H - PAD.top - PAD.bottom) * n) / canaryTop / 3} fill={colour} />],
    );
  return (
    <figure className="chart">
      <figcaption>
        <strong>Canary losses against the reference distribution</strong>{" "}
        <Key colour="#d5dae0" label="random candidates" />
        <Key colour="#b3261e" label="inserted canaries" />
        <Key colour="#1f5fbf" label="other canaries" />
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label="Canary losses against the reference distribution">
        {histogram.reference.map((n, i) => (
          <rect key={i} x={x(i)} width={bw - 1} y={y(n)} height={H - PAD.bottom - y(n)} fill="#d5dae0" />
        ))}
        {histogram.expected && (
          <polyline fill="none" stroke="#5b6470" strokeWidth="1.2" points={histogram.expected.map((n, i) => `${x(i) + bw / 2},${y(n)}`).join(" ")} />
        )}
        {marks(histogram.inserted, "#b3261e", 0)}
        {marks(histogram.others, "#1f5fbf", 1)}
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} stroke="#9aa3ad" />
        {lossTicks(histogram.edges).map((t, i, all) => (
          <text
            key={t.at}
            x={PAD.left + ((W - PAD.left - PAD.right) * i) / Math.max(1, all.length - 1)}
            y={H - PAD.bottom + 15}
            fontSize="11"
            textAnchor={i === 0 ? "start" : i === all.length - 1 ? "end" : "middle"}
            fill="#5b6470"
          >
            {t.label}
          </text>
        ))}
        <text x={(W + PAD.left - PAD.right) / 2} y={H - 8} fontSize="12" textAnchor="middle" fill="#3b4350">
          loss per candidate (left: the model finds it more likely)
        </text>
        <text transform={`translate(14 ${(H - PAD.bottom + PAD.top) / 2}) rotate(-90)`} fontSize="12" textAnchor="middle" fill="#3b4350">
          candidates
        </text>
      </svg>
    </figure>
  );
}
