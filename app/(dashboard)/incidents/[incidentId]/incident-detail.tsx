"use client";
// An incident: what it links, its blast radius (every model version derived from what is affected), the timeline of
// notes, actions and status changes, and for privacy officers: notes, owner, status, and containment (withdraw a
// model version, freeze or unfreeze a dataset's budget).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { Can } from "@/app/_trpc/types";
import { ConfirmButton } from "@/app/_components/confirm-button";
import { EntityLink, TextWithEntities } from "@/app/_components/entity-link";
import { ErrorMessage } from "@/app/_components/error-message";
import { formData, when } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";

const NEXT: Record<string, string[]> = { open: ["contained", "resolved"], contained: ["resolved"], resolved: ["review_done"], review_done: [] };

export function IncidentDetail({ incidentId, can }: { incidentId: string; can: Can }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(trpc.incidents.get.queryOptions({ incidentId }));
  const officers = useQuery({ ...trpc.incidents.officers.queryOptions(), enabled: can["incidents.officers"] });
  const refresh = { onSuccess: () => queryClient.invalidateQueries() };
  const note = useMutation(trpc.incidents.note.mutationOptions(refresh));
  const setStatus = useMutation(trpc.incidents.setStatus.mutationOptions(refresh));
  const assign = useMutation(trpc.incidents.assign.mutationOptions(refresh));
  const withdraw = useMutation(trpc.incidents.withdrawModel.mutationOptions(refresh));
  const freeze = useMutation(trpc.incidents.freezeBudget.mutationOptions(refresh));
  if (!detail.data) return <ErrorMessage error={detail.error} />;
  const { incident, owner, links, notes, blastRadius } = detail.data;
  const datasetLinks = links.filter((l) => l.entityType === "dataset");
  // Notes name entities by id (e.g. "withdrew model version <id>"): shown by name, linked, for what the incident links.
  const names = new Map(links.map((l) => [l.entityId, l.name]));
  const submit = (fn: (get: (name: string) => string) => void) => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    fn(formData(event));
    event.currentTarget.reset();
  };
  return (
    <>
      <h1>{incident.title}</h1>
      <p>
        <span className="badge">{incident.severity}</span> <span data-testid="incident-status">{incident.status}</span> · {incident.source} · opened{" "}
        {when(incident.openedAt)} · owner <span data-testid="incident-owner">{owner ? `${owner.name} (${owner.email})` : "none"}</span>
      </p>
      {incident.description && <p>{incident.description}</p>}
      <section className="card">
        <h2>Blast radius</h2>
        <p data-testid="incident-links">
          Links:{" "}
          {links.length === 0
            ? "none"
            : links.map((l, i) => (
                <span key={`${l.entityType}:${l.entityId}`}>
                  {i > 0 && ", "}
                  <span className="muted">{l.entityType.replace("_", " ")}</span> <EntityLink name={l.name} id={l.entityId} can={can} />
                </span>
              ))}{" "}
          · affected dataset versions: {blastRadius.datasetVersionIds.length}
        </p>
        <table>
          <tbody>
            {blastRadius.modelVersions.map((m) => (
              <tr key={m.id} data-testid="blast-model">
                <td>
                  <EntityLink name={{ label: `${m.family} v${m.version}`, href: `/models/${m.id}`, needs: "models.get", found: true }} id={m.id} can={can} />
                </td>
                <td>
                  <span className="badge">{m.status}</span>
                </td>
                <td className="muted">{m.why}</td>
                <td>
                  {can["incidents.withdrawModel"] && m.status !== "withdrawn" && (
                    <WithdrawForm
                      label={`${m.family} v${m.version}`}
                      pending={withdraw.isPending}
                      onWithdraw={(reason) => withdraw.mutate({ incidentId, versionId: m.id, reason })}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {blastRadius.modelVersions.length === 0 && <p className="muted">No model version is derived from what this incident links.</p>}
        {can["incidents.freezeBudget"] &&
          datasetLinks.map((l) => (
            <form
              key={l.entityId}
              className="inline"
              aria-label="Freeze budget"
              onSubmit={(event) => {
                event.preventDefault();
                const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
                freeze.mutate({ incidentId, datasetId: l.entityId, frozen: submitter?.value === "freeze", reason: formData(event)("reason") });
              }}
            >
              <span>
                Budget of dataset <EntityLink name={l.name} id={l.entityId} can={can} />
              </span>
              <label>
                Reason
                <input name="reason" required />
              </label>
              <button type="submit" value="freeze">
                Freeze budget
              </button>
              <button type="submit" value="unfreeze" className="secondary">
                Unfreeze
              </button>
            </form>
          ))}
        <ErrorMessage error={withdraw.error ?? freeze.error} />
      </section>
      <section className="card">
        <h2>Timeline</h2>
        <ol>
          {notes.map((n) => (
            <li key={n.id} data-testid="incident-note">
              <span className="muted">{when(n.at)}</span> <span className="badge">{n.kind}</span> <TextWithEntities text={n.text} names={names} can={can} /> <span className="muted">— {n.author}</span>
            </li>
          ))}
        </ol>
        {can["incidents.note"] && (
          <form className="inline" onSubmit={submit((get) => note.mutate({ incidentId, text: get("text") }))} aria-label="Add a note">
            <label>
              Note
              <input name="text" required />
            </label>
            <button type="submit">Add note</button>
          </form>
        )}
        {can["incidents.setStatus"] && NEXT[incident.status]!.length > 0 && (
          <form
            className="inline"
            onSubmit={submit((get) => setStatus.mutate({ incidentId, status: get("status") as "contained", note: get("note") }))}
            aria-label="Change status"
          >
            <label>
              New status
              <select name="status">
                {NEXT[incident.status]!.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <label>
              Status note
              <input name="note" required />
            </label>
            <button type="submit">Change status</button>
          </form>
        )}
        {can["incidents.assign"] && (
          <form className="inline" onSubmit={submit((get) => assign.mutate({ incidentId, ownerId: get("ownerId") }))} aria-label="Assign owner">
            <label>
              Owner
              <select name="ownerId">
                {officers.data?.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.email}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit">Assign owner</button>
          </form>
        )}
        <ErrorMessage error={note.error ?? setStatus.error ?? assign.error} />
      </section>
    </>
  );
}

/** Withdrawing cannot be undone: the reason first, then Withdraw asks, and only "Yes, withdraw" acts. */
function WithdrawForm({ label, pending, onWithdraw }: { label: string; pending: boolean; onWithdraw: (reason: string) => void }) {
  const [reason, setReason] = useState("");
  return (
    <form className="inline" aria-label={`Withdraw ${label}`} onSubmit={(event) => event.preventDefault()}>
      <label>
        Reason
        <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
      </label>
      <ConfirmButton
        question={`Withdraw ${label}? It can no longer be downloaded, deployed or exported as valid.`}
        confirmLabel="Yes, withdraw"
        disabled={pending || reason.trim().length < 3}
        onConfirm={() => onWithdraw(reason)}
      >
        Withdraw
      </ConfirmButton>
    </form>
  );
}
