"use client";
// Every run the user may see, newest first, with its privacy settings and how many steps were charged.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorMessage } from "@/app/_components/error-message";
import { when } from "@/app/_components/format";
import { Num } from "@/app/_components/num";
import { useTRPC } from "@/app/_trpc/client";

export function RunsTable() {
  const trpc = useTRPC();
  const runs = useQuery({ ...trpc.runs.list.queryOptions(), refetchInterval: 3000 });
  return (
    <section className="card">
      <h2>Runs</h2>
      <ErrorMessage error={runs.error} />
      <table>
        <thead>
          <tr>
            <th>Run</th>
            <th>Status</th>
            <th>Steps charged / planned</th>
            <th>Sampling rate</th>
            <th>Noise multiplier</th>
            <th>Unit</th>
            <th>Launched</th>
          </tr>
        </thead>
        <tbody>
          {runs.data?.map((r) => (
            <tr key={r.id} data-testid="run-row">
              <td className="mono">
                <Link href={`/runs/${r.id}`}>{r.id.slice(0, 8)}</Link>
              </td>
              <td>
                <span className="badge">{r.status}</span> {r.statusReason}
              </td>
              <td>
                {r.chargedSteps} / {r.plannedSteps}
              </td>
              <td>
                <Num value={r.samplingRate} />
              </td>
              <td>
                <Num value={r.noiseMultiplier} />
              </td>
              <td>{r.privacyUnit}</td>
              <td>{when(r.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.data?.length === 0 && <p className="muted">No runs yet.</p>}
    </section>
  );
}
