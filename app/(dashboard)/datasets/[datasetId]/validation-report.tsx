// A synthetic version's leakage validation report: each check with its figures, the threshold it was held to and its
// verdict, then sample records, every text masked where it holds PII (internal evidence, not DP).
import { InternalBadge } from "@/app/_components/internal-badge";
import type { ValidationReport as Report } from "@/server/synthetic/report";

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const counts = (byType: Partial<Record<string, number>>) =>
  Object.entries(byType)
    .map(([t, n]) => `${t} ×${n}`)
    .join(", ") || "none";

function Verdict({ passed, skipped }: { passed: boolean; skipped?: string | null }) {
  if (skipped) return <span className="badge">skipped</span>;
  return <span className={passed ? "badge" : "badge danger"}>{passed ? "passed" : "failed"}</span>;
}

export function ValidationReport({ report: r }: { report: Report }) {
  const t = r.thresholds;
  return (
    <div data-testid="validation-report">
      <h3>
        Leakage validation: {r.passed ? "passed" : "failed"}
        <InternalBadge />
      </h3>
      <p className="muted">
        {r.records.toLocaleString("en")} synthetic records checked against {r.training_records.toLocaleString("en")} training records of the source run.
      </p>
      {r.failures.length > 0 && (
        <ul className="error" data-testid="validation-failures">
          {r.failures.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      <div className="scroll-x">
        <table>
          <thead>
            <tr>
              <th>Check</th>
              <th>Found</th>
              <th>Threshold</th>
              <th>Verdict</th>
            </tr>
          </thead>
          <tbody>
            <tr data-testid="check-duplicates">
              <td>Exact and near duplicates of training records ({r.duplicates.method})</td>
              <td>
                {r.duplicates.exact} exact, {r.duplicates.near} at Jaccard ≥ {t.near_duplicate_jaccard} ({pct(r.duplicates.share)}); highest similarity{" "}
                {r.duplicates.max_jaccard.toFixed(2)}
              </td>
              <td>at most {pct(t.max_duplicate_share)}</td>
              <td>
                <Verdict passed={r.duplicates.passed} />
              </td>
            </tr>
            <tr data-testid="check-dcr">
              <td>Distance to the closest record: training versus held-out ({r.dcr.reference_records} of each)</td>
              <td>
                {r.dcr.skipped ??
                  `${pct(r.dcr.closer_share)} closer to training (95% interval ${pct(r.dcr.interval.low)}–${pct(r.dcr.interval.high)}); median distance ${r.dcr.median_train_distance.toFixed(2)} to training, ${r.dcr.median_holdout_distance.toFixed(2)} to held-out`}
              </td>
              <td>at most {pct(t.max_closer_share)}, chance being 50%</td>
              <td>
                <Verdict passed={r.dcr.passed} skipped={r.dcr.skipped} />
              </td>
            </tr>
            <tr data-testid="check-pii">
              <td>PII in the synthetic text</td>
              <td>
                found: {counts(r.pii.found)}; copied from training records: {counts(r.pii.copied)}
              </td>
              <td>at most {t.max_copied_pii} copied</td>
              <td>
                <Verdict passed={r.pii.passed} />
              </td>
            </tr>
            <tr data-testid="check-canaries">
              <td>Inserted canaries appearing</td>
              <td>
                {r.canaries.appeared} of {r.canaries.checked}
              </td>
              <td>none</td>
              <td>
                <Verdict passed={r.canaries.passed} />
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      {[...r.duplicates.examples, ...r.pii.examples].length > 0 && (
        <>
          <h4>Records behind the findings (PII masked)</h4>
          <ul className="mono">
            {[...new Set([...r.duplicates.examples, ...r.pii.examples])].map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </>
      )}
      {r.utility && (
        <div data-testid="synthetic-utility">
          <h4>
            Train on synthetic, test on real
            <InternalBadge />
          </h4>
          {"skipped" in r.utility ? (
            <p className="muted">Not measured: {r.utility.skipped}</p>
          ) : (
            <p>
              An n-gram classifier trained on these records labels {r.utility.test_records} held-out real records ({r.utility.labels.join(", ")}) with accuracy{" "}
              {r.utility.synthetic.accuracy.toFixed(3)}, macro-F1 {r.utility.synthetic.macro_f1.toFixed(3)}; trained on the real training records instead:
              accuracy {r.utility.real.accuracy.toFixed(3)}, macro-F1 {r.utility.real.macro_f1.toFixed(3)}.
            </p>
          )}
        </div>
      )}
      <h4>Sample records (PII masked)</h4>
      <div className="scroll-x">
        <table data-testid="synthetic-samples">
          <thead>
            <tr>
              <th>Label</th>
              <th>Text</th>
            </tr>
          </thead>
          <tbody>
            {r.samples.map((s, i) => (
              <tr key={i}>
                <td>{s.label ?? "–"}</td>
                <td className="mono">{s.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
