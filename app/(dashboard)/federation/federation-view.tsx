"use client";
// The Federation page's content: the parties with their status, last contact, last round and the unit count each
// states of its data (not verified); an admin's form that registers a party and shows its one-time enrolment token
// once, with the command the party runs; revocation; overlaps of the parties' subjects, which officers start; and
// federated runs (./federated-runs.tsx): the declarations, the launch form, the rounds.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ConfirmButton } from "@/app/_components/confirm-button";
import { ErrorMessage } from "@/app/_components/error-message";
import { formData, when } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterOutputs } from "@/app/_trpc/types";
import { CohortCard, RoundsCard } from "./federated-runs";
import { LaunchFederatedRun } from "./launch-federated-run";

type Registered = RouterOutputs["federation"]["registerParty"];

const STATUS = { invited: "invited: waiting for enrolment", enrolled: "enrolled", revoked: "revoked" } as const;

function RegisterForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [issued, setIssued] = useState<Registered | null>(null);
  const register = useMutation(
    trpc.federation.registerParty.mutationOptions({
      onSuccess: (r) => {
        setIssued(r);
        void queryClient.invalidateQueries({ queryKey: trpc.federation.parties.queryKey() });
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    register.mutate({ name: formData(event)("name") });
  }
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  return (
    <section className="card" data-testid="register-party">
      <h2>Register a party</h2>
      <form onSubmit={onSubmit} aria-label="Register a party" className="inline">
        <label>
          Institution
          <input name="name" required />
        </label>
        <button type="submit" disabled={register.isPending}>
          Register
        </button>
      </form>
      <ErrorMessage error={register.error} />
      {issued && (
        <div role="status" data-testid="enrolment-token">
          <p>
            Hand this one-time token to the party; it is shown only now and expires {when(issued.expiresAt)} UTC. On its own machine the party runs:
          </p>
          <pre className="mono">{`npm run party -- --coordinator ${origin} --token ${issued.token} --data FILE.jsonl`}</pre>
        </div>
      )}
    </section>
  );
}

function OverlapsCard({ can, names }: { can: Can; names: Map<string, string> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overlaps = useQuery({ ...trpc.federation.overlaps.queryOptions(), refetchInterval: (q) => (q.state.data?.some((o) => o.status === "running") ? 1000 : 5000) });
  const start = useMutation(trpc.federation.startOverlap.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.federation.overlaps.queryKey() }) }));
  const name = (id: string) => names.get(id) ?? id.slice(0, 8);
  return (
    <section className="card" data-testid="overlaps">
      <h2>Overlaps of subjects</h2>
      <p className="muted">
        A private set intersection of the enrolled parties&apos; subject ids: each party learns how many of its subjects the others hold; this page, only
        those counts. The most parties one person is at, k, is what a person-level statement with parties as the unit takes k-fold group privacy over.
      </p>
      {can["federation.startOverlap"] && (
        <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
          Start an overlap
        </button>
      )}
      <ErrorMessage error={start.error ?? overlaps.error} />
      {overlaps.data?.map((o) => (
        <div key={o.id} data-testid="overlap">
          <h3>
            Started {when(o.startedAt)}:{" "}
            {o.status === "running"
              ? `running (${o.reports.length} of ${o.parties.length} parties reported)`
              : o.status === "abandoned"
                ? `abandoned (${o.reports.length} of ${o.parties.length} parties reported in time)`
                : `k = ${o.mostPartiesOfOnePerson}`}
          </h3>
          <div className="scroll-x">
            <table>
              <thead>
                <tr>
                  <th>Party</th>
                  <th>Subjects</th>
                  <th>Shared with</th>
                  <th>Subjects by number of parties holding them</th>
                </tr>
              </thead>
              <tbody>
                {o.reports.map((r) => (
                  <tr key={r.party}>
                    <td>{name(r.party)}</td>
                    <td>{r.subjects}</td>
                    <td>
                      {Object.entries(r.shared_with)
                        .map(([p, n]) => `${name(p)}: ${n}`)
                        .join(", ")}
                    </td>
                    <td>
                      {Object.entries(r.held_by)
                        .map(([k, n]) => `${k} part${k === "1" ? "y" : "ies"}: ${n}`)
                        .join(", ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </section>
  );
}

export function FederationView({ can, from }: { can: Can; from?: string | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const parties = useQuery({ ...trpc.federation.parties.queryOptions(), refetchInterval: 5000 });
  const revoke = useMutation(trpc.federation.revokeParty.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.federation.parties.queryKey() }) }));
  return (
    <>
      <p className="muted">
        Parties train on their own records and send only masked, clipped updates; the coordinator learns their sum. Each party states how many people its
        data holds: that figure is the party&apos;s, not verified here.
      </p>
      {can["federation.registerParty"] && <RegisterForm />}
      <section className="card" data-testid="parties">
        <h2>Parties</h2>
        {parties.error && <ErrorMessage error={parties.error} />}
        {parties.data && parties.data.length === 0 && <p className="muted">No party yet.</p>}
        {parties.data && parties.data.length > 0 && (
          <div className="scroll-x">
            <table>
              <thead>
                <tr>
                  <th>Party</th>
                  <th>Status</th>
                  <th>Key</th>
                  <th>Units (stated)</th>
                  <th>Last seen</th>
                  <th>Last round</th>
                  {can["federation.revokeParty"] && <th>Actions</th>}
                </tr>
              </thead>
              <tbody>
                {parties.data.map((p) => (
                  <tr key={p.id} data-testid={`party-${p.name}`}>
                    <td>{p.name}</td>
                    <td>
                      {STATUS[p.status]}
                      {p.tokenExpiresAt && <span className="muted"> (token until {when(p.tokenExpiresAt)})</span>}
                    </td>
                    <td className="mono">{p.keyFingerprint ?? "–"}</td>
                    <td>{p.statedUnits ?? "–"}</td>
                    <td>{when(p.lastSeenAt)}</td>
                    <td>{p.lastRoundId ?? "none yet"}</td>
                    {can["federation.revokeParty"] && (
                      <td>
                        {p.status !== "revoked" && (
                          <ConfirmButton className="secondary" question={`Revoke ${p.name}? Nothing it sends is accepted after.`} confirmLabel="Yes, revoke" onConfirm={() => revoke.mutate({ partyId: p.id })}>
                            Revoke
                          </ConfirmButton>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ErrorMessage error={revoke.error} />
      </section>
      <OverlapsCard can={can} names={new Map((parties.data ?? []).map((p) => [p.id, p.name]))} />
      <CohortCard can={can} />
      {can["runs.launch"] && <LaunchFederatedRun key={from ?? "new"} from={from} />}
      <RoundsCard />
    </>
  );
}
