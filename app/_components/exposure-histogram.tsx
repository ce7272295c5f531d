// The exposure plot: how the model scores random members of the canaries' space (the reference distribution, and the
// fitted skew-normal) against the inserted canaries and the others. Inserted canaries far to the left (lower loss
// than almost every random candidate) are memorised.
const W = 460;
const H = 200;
const PAD = { left: 40, right: 10, top: 12, bottom: 30 };

export interface Histogram {
  edges: number[];
  reference: number[];
  expected: number[] | null;
  inserted: number[];
  others: number[];
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
        <span style={{ color: "#9aa3ad", marginLeft: 8 }}>■ random candidates</span>
        <span style={{ color: "#b3261e", marginLeft: 8 }}>■ inserted canaries</span>
        <span style={{ color: "#1f5fbf", marginLeft: 8 }}>■ other canaries</span>
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
        <text x={PAD.left} y={H - 8} fontSize="10" fill="#5b6470">
          loss {histogram.edges[0]?.toFixed(2)} (more likely)
        </text>
        <text x={W - PAD.right} y={H - 8} fontSize="10" textAnchor="end" fill="#5b6470">
          {histogram.edges.at(-1)?.toFixed(2)} (less likely)
        </text>
      </svg>
    </figure>
  );
}
