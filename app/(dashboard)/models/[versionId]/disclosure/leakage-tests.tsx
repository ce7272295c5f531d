// The disclosure report's leakage tests: every evaluation that exists, with the one-run audit's lower bound beside the
// accountant's epsilon and the canaries' exposure; membership and extraction probes named, their figures internal.
import { when } from "@/app/_components/format";
import { Num } from "@/app/_components/num";
import type { RouterOutputs } from "@/app/_trpc/types";
import { LEAKAGE_KIND } from "../../leakage-kinds";

type Evidence = RouterOutputs["disclosure"]["get"]["leakage"];

const bits = (x: number | null) => (x === null ? "–" : `${x.toFixed(2)} bits`);

export function LeakageTests({ evidence }: { evidence: Evidence }) {
  if (evidence.length === 0) return <p data-testid="no-leakage-audit">No leakage audit has been recorded for this version.</p>;
  const internal = [...new Set(evidence.flatMap((e) => e.figures?.internalProbes ?? []))];
  return (
    <>
      <div className="scroll-x">
        <table data-testid="leakage-audits">
          <thead>
            <tr>
              <th>Evaluation</th>
              <th>Requested</th>
              <th>Result</th>
              <th>One-run audit (canaries)</th>
              <th>Canary exposure: inserted / others</th>
            </tr>
          </thead>
          <tbody>
            {evidence.map((e) => (
              <tr key={e.id} data-testid="leakage-audit">
                <td>{LEAKAGE_KIND[e.kind]}</td>
                <td>{when(e.requestedAt)}</td>
                <td>
                  {e.status === "done" ? (e.alert ? <span className="error">alert raised (see incidents)</span> : "no alert") : e.status === "failed" ? `failed: ${e.error ?? "no reason given"}` : e.status}
                </td>
                <td>
                  {e.figures ? (
                    <>
                      empirical ε ≥ <Num value={e.figures.oneRunAudit.epsilonLowerBound} /> at {Math.round(e.figures.oneRunAudit.confidence * 100)}% confidence (
                      {e.figures.oneRunAudit.correct} of {e.figures.oneRunAudit.guesses} guesses right on {e.figures.oneRunAudit.canaries} canaries), against the
                      accountant&apos;s ε = <Num value={e.figures.oneRunAudit.accountantEpsilon} />
                      {e.figures.oneRunAudit.groupSize > 1 && ` (group privacy over ${e.figures.oneRunAudit.groupSize} repeats)`}:{" "}
                      {e.figures.oneRunAudit.consistent ? <span className="ok">consistent</span> : <span className="error">contradicts the accountant</span>}
                    </>
                  ) : (
                    "–"
                  )}
                </td>
                <td>
                  {e.figures
                    ? `${bits(e.figures.exposure.insertedMean)} (${e.figures.exposure.inserted}) / ${bits(e.figures.exposure.othersMean)} (${e.figures.exposure.others}), ${e.figures.exposure.method}`
                    : "–"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {internal.length > 0 && (
        <p className="muted" data-testid="internal-probes">
          Also run, on training records: {internal.join("; ")}. Their figures are internal evidence (computed on personal data, not differentially
          private), so they are not disclosed here; privacy officers and auditors read them on the version&apos;s page.
        </p>
      )}
    </>
  );
}
