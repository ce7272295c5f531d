"use client";
// The runs the user may see, newest first, a page at a time, with their privacy settings and how many steps were charged.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { when } from "@/app/_components/format";
import { Num } from "@/app/_components/num";
import { Pager } from "@/app/_components/pager";
import { useTRPC } from "@/app/_trpc/client";

const PAGE_SIZE = 50;

export function RunsTable() {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const list = useQuery({ ...trpc.runs.list.queryOptions({ page, pageSize: PAGE_SIZE }), refetchInterval: 3000 });
  return (
    <section className="card">
      <h2>Runs</h2>
      <ErrorMessage error={list.error} />
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
          {list.data?.runs.map((r) => (
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
      {list.data?.total === 0 && <p className="muted">No runs yet.</p>}
      {list.data && list.data.total > PAGE_SIZE && <Pager page={page} pageSize={PAGE_SIZE} total={list.data.total} noun="runs" onPage={setPage} />}
    </section>
  );
}
