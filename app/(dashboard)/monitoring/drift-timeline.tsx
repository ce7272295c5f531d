// A version's drift timeline over time: membership AUC, mean canary exposure and PII per 1000 sampled outputs, one
// chart each (their scales differ), each with its drift threshold drawn and labelled. Internal figures, not DP.
import { LineChart } from "@/app/_components/line-chart";

export interface DriftPoint {
  at: string;
  auc: number;
  exposure: number;
  piiPer1000: number;
}

export interface DriftThresholds {
  maxAuc: number;
  maxExposure: number;
  maxPiiPer1000: number;
}

const METRICS = [
  { key: "auc", title: "Membership inference AUC", yLabel: "AUC", threshold: "maxAuc" },
  { key: "exposure", title: "Mean canary exposure", yLabel: "bits", threshold: "maxExposure" },
  { key: "piiPer1000", title: "PII per 1000 sampled outputs", yLabel: "per 1000", threshold: "maxPiiPer1000" },
] as const;

export function DriftTimeline({ timeline, thresholds }: { timeline: readonly DriftPoint[]; thresholds: DriftThresholds | null }) {
  if (timeline.length === 0) return null;
  return (
    <div className="charts" data-testid="drift-timeline">
      {METRICS.map((m) => (
        <LineChart
          key={m.key}
          title={`${m.title} over time`}
          internal
          xAxis="time"
          yLabel={m.yLabel}
          series={[{ name: m.title, points: timeline.map((t) => ({ x: Date.parse(t.at), y: t[m.key] })) }]}
          thresholds={thresholds ? [{ y: thresholds[m.threshold], label: `threshold ${Number(thresholds[m.threshold].toPrecision(3))}` }] : []}
        />
      ))}
    </div>
  );
}
