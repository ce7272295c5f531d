"use client";
// Where a lineage's spend went: labelled bars per run (the composed epsilon's rise at each), and the model versions
// those runs produced, each linked to its page.
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { ErrorMessage } from "@/app/_components/error-message";
import { Num } from "@/app/_components/num";
import { SpendChart } from "@/app/_components/spend-chart";
import { when } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";

export function SpendBreakdown({ datasetId, datasetName, limit, delta, accountant }: { datasetId: string; datasetName: string; limit: number; delta: number; accountant: string }) {
  const trpc = useTRPC();
  const breakdown = useQuery(trpc.spend.breakdown.queryOptions({ datasetId }));
  if (breakdown.error) return <ErrorMessage error={breakdown.error} />;
  const data = breakdown.data;
  if (!data) return <p className="muted">Loading the spend…</p>;
  const entries = data.entries.map((e) =>
    e.kind === "run"
      ? { kind: "run" as const, runId: e.id, cumulativeEpsilon: e.cumulativeEpsilon, reserved: e.reserved, createdAt: e.createdAt, label: `run ${e.id.slice(0, 8)}` }
      : { kind: "count release" as const, releaseId: e.id, cumulativeEpsilon: e.cumulativeEpsilon, reserved: false, createdAt: e.createdAt, label: "count release" },
  );
  if (entries.length === 0) return <p className="muted" data-testid="spend-none">Nothing spent yet: no run or DP count release on this dataset.</p>;
  return (
    <>
      <SpendChart runs={entries} limit={limit} label={`Composed ε over runs for ${datasetName} (${accountant}, δ = ${delta})`} />
      <table data-testid="spend-runs">
        <caption className="muted">Each entry's share is the rise it caused in the composed ε (the shares add up to it; the ε alone would add up to more).</caption>
        <thead>
          <tr>
            <th>Entry</th>
            <th>When</th>
            <th>Launched by</th>
            <th>Status</th>
            <th>ε alone</th>
            <th>Share of composed ε</th>
            <th>Model version</th>
          </tr>
        </thead>
        <tbody>
          {data.entries.map((e) => (
            <tr key={e.id} data-testid="spend-entry">
              <td>{e.kind === "run" ? <Link href={`/runs/${e.id}`}>run {e.id.slice(0, 8)}</Link> : "DP count release"}</td>
              <td>{when(e.createdAt)}</td>
              <td>{e.launchedBy ?? "–"}</td>
              <td>{e.reserved ? `${e.status} (reserved)` : e.status}</td>
              <td>
                <Num value={e.epsilonAlone} />
              </td>
              <td>
                + <Num value={e.share} />
              </td>
              <td>
                {e.modelVersion ? (
                  <Link href={`/models/${e.modelVersion.id}`}>{e.modelVersion.label}</Link>
                ) : e.hiddenModelVersion ? (
                  <span className="muted">a version you may not see</span>
                ) : (
                  <span className="muted">none</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.byModelVersion.length > 0 && (
        <>
          <h3>Spend by model version</h3>
          <ul data-testid="spend-by-model">
            {data.byModelVersion.map((v) => (
              <li key={v.modelVersion.id}>
                <Link href={`/models/${v.modelVersion.id}`}>{v.modelVersion.label}</Link> ({v.modelVersion.status}): ε <Num value={v.share} /> of the
                composed <Num value={data.epsilon} /> from {v.runs} {v.runs === 1 ? "run" : "runs"}
              </li>
            ))}
            {data.elsewhere > 0 && (
              <li className="muted">
                no model version (failed, cancelled or running runs, count releases): ε <Num value={data.elsewhere} />
              </li>
            )}
          </ul>
        </>
      )}
    </>
  );
}
