"use client";
// Each dataset's budget: limit, composed spend (never a sum), the chart, the runs' shares, and the forms each role
// may use (officers set, renew and decide; engineers with access request more).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { InternalBadge } from "@/app/_components/internal-badge";
import { eps, formData, when } from "@/app/_components/format";
import { SpendChart } from "@/app/_components/spend-chart";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterOutputs } from "@/app/_trpc/types";

export function BudgetsView({ can }: { can: Can }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.budgets.overview.queryOptions());
  if (overview.error) return <ErrorMessage error={overview.error} />;
  if (!overview.data) return <p className="muted">Loading…</p>;
  if (overview.data.length === 0) return <p className="muted">No datasets you may see yet.</p>;
  return (
    <>
      {overview.data.map((status) => (
        <DatasetBudget key={status.dataset.id} status={status} can={can} />
      ))}
    </>
  );
}

type Status = RouterOutputs["budgets"]["overview"][number];

function DatasetBudget({ status, can }: { status: Status; can: Can }) {
  const { dataset, budget, spend } = status;
  return (
    <section className="card" data-testid={`budget-${dataset.name}`}>
      <h2>{dataset.name}</h2>
      {budget && spend ? (
        <>
          <p>
            Limit <strong>ε = {budget.epsilon}</strong> at δ = {budget.delta}, per <strong>{budget.privacyUnit}</strong> (record-level
            means one record; subject-level means one person) · renews on {budget.renewsOn}
            {status.expired && <span className="badge error"> expired: no new runs until renewed</span>}
            {budget.frozen && <span className="badge error"> frozen by an incident</span>}
          </p>
          <p data-testid="budget-spend">
            Spent (composed by the accountant, {budget.privacyUnit}-level): <strong>ε = {eps(spend.epsilon)}</strong>, of which charged ε ={" "}
            {eps(spend.chargedEpsilon)} and the rest reserved by queued or running runs · left <strong>ε = {eps(status.leftEpsilon)}</strong> ·
            naive sum of the runs' epsilons would say ε = {eps(spend.naiveEpsilonSum)}
          </p>
          <p className="muted" data-testid="budget-bounds">
            Records per person, at most k = <strong>{budget.recordsPerPersonBound}</strong> (stated by the privacy officer)
            {budget.deltaOverrideReason && (
              <>
                {" "}
                · <span className="badge">δ not below 1/N</span> override reason: {budget.deltaOverrideReason}
              </>
            )}
          </p>
          {budget.privacyUnit === "record" && (
            <p className="muted" data-testid="budget-person-level">
              person-level (group privacy, k = {budget.recordsPerPersonBound}):{" "}
              {status.personLevel
                ? `ε = ${eps(status.personLevel.epsilon)}, δ = ${status.personLevel.delta.toExponential(2)}`
                : "the record-level figure (one record per person)"}
            </p>
          )}
          {status.internal?.exceedsBound && (
            <p className="error" data-testid="budget-internal">
              <InternalBadge /> One person has {status.internal.observedMaxRecordsPerSubject} records, more than the stated bound k ={" "}
              {budget.recordsPerPersonBound}: the person-level figure does not cover them; raise k.
            </p>
          )}
          <SpendChart runs={spend.runs} limit={budget.epsilon} label={`Composed ε over runs for ${dataset.name} (${spend.accountant}, δ = ${budget.delta})`} />
        </>
      ) : (
        <p className="muted">No budget set yet: no run may start on this dataset.</p>
      )}
      {can["budgets.set"] && <SetBudgetForm datasetId={dataset.id} current={budget} />}
      {can["budgets.request"] && budget && <RequestForm datasetId={dataset.id} />}
      <Requests requests={status.requests} mayDecide={can["budgets.decide"]} />
    </section>
  );
}

function useRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.budgets.pathKey() }) };
}

function SetBudgetForm({ datasetId, current }: { datasetId: string; current: Status["budget"] }) {
  const trpc = useTRPC();
  const set = useMutation(trpc.budgets.set.mutationOptions(useRefresh()));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    set.mutate({
      datasetId,
      epsilon: Number(get("epsilon")),
      delta: Number(get("delta")),
      privacyUnit: get("privacyUnit") === "subject" ? "subject" : "record",
      renewsOn: get("renewsOn"),
      recordsPerPersonBound: Number(get("recordsPerPersonBound")),
      ...(get("deltaOverrideReason") ? { deltaOverrideReason: get("deltaOverrideReason") } : {}),
    });
  }
  return (
    <form className="inline" onSubmit={onSubmit} aria-label="Set budget">
      <label>
        Epsilon
        <input name="epsilon" inputMode="decimal" defaultValue={current?.epsilon ?? 3} required />
      </label>
      <label>
        Delta
        <input name="delta" inputMode="decimal" defaultValue={current?.delta ?? 1e-5} required />
      </label>
      <label>
        Privacy unit
        <select name="privacyUnit" defaultValue={current?.privacyUnit ?? "subject"}>
          <option value="subject">subject (a person)</option>
          <option value="record">record</option>
        </select>
      </label>
      <label>
        Renews on
        <input name="renewsOn" type="date" defaultValue={current?.renewsOn} required />
      </label>
      <label>
        Records per person, at most (k)
        <input name="recordsPerPersonBound" inputMode="numeric" defaultValue={current?.recordsPerPersonBound ?? 1} required />
      </label>
      <label>
        Override the 1/N bound (reason)
        <input name="deltaOverrideReason" defaultValue={current?.deltaOverrideReason ?? ""} placeholder="only if δ is not below 1/N" />
      </label>
      <button type="submit" disabled={set.isPending}>
        {current ? "Update budget" : "Set budget"}
      </button>
      <ErrorMessage error={set.error} />
    </form>
  );
}

function RequestForm({ datasetId }: { datasetId: string }) {
  const trpc = useTRPC();
  const request = useMutation(trpc.budgets.request.mutationOptions(useRefresh()));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    request.mutate({ datasetId, epsilon: Number(get("epsilon")), reason: get("reason") });
  }
  return (
    <form className="inline" onSubmit={onSubmit} aria-label="Request more budget">
      <label>
        New limit (epsilon)
        <input name="epsilon" inputMode="decimal" required />
      </label>
      <label>
        Reason
        <input name="reason" required />
      </label>
      <button type="submit" disabled={request.isPending}>
        Request more budget
      </button>
      <ErrorMessage error={request.error} />
    </form>
  );
}

function Requests({ requests, mayDecide }: { requests: Status["requests"]; mayDecide: boolean }) {
  const trpc = useTRPC();
  const decide = useMutation(trpc.budgets.decide.mutationOptions(useRefresh()));
  if (requests.length === 0) return null;
  return (
    <>
      <h3>Requests</h3>
      <ErrorMessage error={decide.error} />
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>New limit</th>
            <th>Reason</th>
            <th>Status</th>
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((r) => (
            <tr key={r.id} data-testid="budget-request">
              <td>{when(r.createdAt)}</td>
              <td>ε = {r.epsilon}</td>
              <td>{r.reason}</td>
              <td>{r.status}</td>
              <td>
                {r.status === "pending" && mayDecide ? (
                  <form
                    className="inline"
                    aria-label="Decide request"
                    onSubmit={(event) => {
                      event.preventDefault();
                      const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
                      decide.mutate({ requestId: r.id, approve: submitter?.value === "approve", reason: formData(event)("reason") });
                    }}
                  >
                    <input name="reason" aria-label="Decision reason" placeholder="reason" required />
                    <button type="submit" value="approve">
                      Approve
                    </button>
                    <button type="submit" value="refuse" className="secondary">
                      Refuse
                    </button>
                  </form>
                ) : (
                  r.decisionReason ?? ""
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
