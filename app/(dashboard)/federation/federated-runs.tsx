"use client";
// Federated runs on the Federation page: the federation's lineage with its latest declarations (the parties, the units
// each states, and k, the most parties one person is at), which officers record; and every round with its
// participants, dropouts and spend (the round's own epsilon, and its run's after it, recomputed by the server from the
// run's events). The engineers' launch form is launch-federated-run.tsx.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorMessage } from "@/app/_components/error-message";
import { when } from "@/app/_components/format";
import { Num } from "@/app/_components/num";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterOutputs } from "@/app/_trpc/types";

type Cohort = NonNullable<RouterOutputs["federation"]["cohort"]>;

export function CohortCard({ can }: { can: Can }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cohort = useQuery(trpc.federation.cohort.queryOptions());
  const record = useMutation(trpc.federation.recordDeclarations.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.federation.cohort.queryKey() }) }));
  const c = cohort.data;
  return (
    <section className="card" data-testid="cohort">
      <h2>Declarations</h2>
      <p className="muted">
        A federated run trains on a version of the federation&apos;s lineage: the enrolled parties&apos; declarations (name, key, the units each states)
        recorded at one moment. Its budget, with the party as the privacy unit, is set on the Budgets page like any dataset&apos;s.
      </p>
      <ErrorMessage error={cohort.error ?? record.error} />
      {c === null && <p className="muted">No party is registered yet.</p>}
      {c && (
        <p>
          Lineage <Link href={`/datasets/${c.datasetId}`}>{c.datasetName}</Link> (<Link href="/budgets">budget</Link>).
        </p>
      )}
      {c?.latest === null && <p className="muted">No declarations recorded yet.</p>}
      {c?.latest && <Declarations latest={c.latest} />}
      {can["federation.recordDeclarations"] && c && (
        <button type="button" onClick={() => record.mutate()} disabled={record.isPending}>
          Record the enrolled parties&apos; declarations
        </button>
      )}
      {record.data && (
        <p role="status">{record.data.created ? `Recorded as version ${record.data.version}.` : `Nothing changed since version ${record.data.version}.`}</p>
      )}
    </section>
  );
}

function Declarations({ latest }: { latest: NonNullable<Cohort["latest"]> }) {
  const { k, measuredBy } = latest.partiesPerPerson;
  return (
    <div data-testid="declarations">
      <h3>
        Version {latest.version}, recorded {when(latest.createdAt)}: {latest.parties.length} parties
      </h3>
      <ul>
        {latest.parties.map((p) => (
          <li key={p.id}>
            {p.name}: {p.statedUnits} units (stated, not verified)
          </li>
        ))}
      </ul>
      <p data-testid="parties-per-person">
        A person is at up to {k} {k === 1 ? "party" : "parties"}{" "}
        {measuredBy ? "(by the latest overlap of subjects among them)" : "(no overlap of subjects among them yet: taken as every party)"}: a person-level
        statement takes {k}-fold group privacy over the party-level guarantee.
      </p>
    </div>
  );
}

export function RoundsCard() {
  const trpc = useTRPC();
  const rounds = useQuery({ ...trpc.federation.rounds.queryOptions(), refetchInterval: (q) => (q.state.data?.some((r) => r.status === "running") ? 1000 : 5000) });
  return (
    <section className="card" data-testid="rounds">
      <h2>Rounds</h2>
      <ErrorMessage error={rounds.error} />
      {rounds.data?.length === 0 && <p className="muted">No round yet.</p>}
      {rounds.data && rounds.data.length > 0 && (
        <div className="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Run</th>
                <th>Round</th>
                <th>Status</th>
                <th>Sampled</th>
                <th>Contributed</th>
                <th>Dropped out</th>
                <th>Round&apos;s ε</th>
                <th>Run&apos;s ε after</th>
              </tr>
            </thead>
            <tbody>
              {rounds.data.map((r) => (
                <tr key={r.id} data-testid="round">
                  <td>{r.runId ? <Link href={`/runs/${r.runId}`}>{r.runId.slice(0, 8)}</Link> : "–"}</td>
                  <td>{r.attempt ?? "–"}</td>
                  <td>
                    {r.status}
                    {r.reason && <span className="muted"> ({r.reason})</span>}
                  </td>
                  <td>
                    {r.sampled.length} of {r.declared}
                  </td>
                  <td>{r.contributed.join(", ") || "–"}</td>
                  <td>{r.dropped.join(", ") || "–"}</td>
                  <td>{r.spend ? <Num value={r.spend.roundEpsilon} /> : "nothing spent"}</td>
                  <td>{r.spend ? <Num value={r.spend.runEpsilonAfter} /> : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">
        Every party takes part in each round; the sampled ones contribute their update, the others zeros. An abandoned round applied nothing and spends
        nothing; epsilons are at the lineage budget&apos;s δ, with the party as the unit.
      </p>
    </section>
  );
}
