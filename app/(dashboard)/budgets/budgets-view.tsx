"use client";
// Each dataset's budget: limit, composed spend (never a sum), freeze state, the spend by run and model version, and
// the forms each role may use (officers set, renew and decide; engineers with access ask for more or a first budget).
import { useQuery } from "@tanstack/react-query";
import { ErrorMessage } from "@/app/_components/error-message";
import { FieldHelp } from "@/app/_components/field-help";
import { InternalBadge } from "@/app/_components/internal-badge";
import { Num } from "@/app/_components/num";
import { when } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterOutputs } from "@/app/_trpc/types";
import { RenewForm, RequestForm, SetBudgetForm } from "./budget-forms";
import { RequestsTable } from "./requests-table";
import { SpendBreakdown } from "./spend-breakdown";

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

function FreezeState({ freeze }: { freeze: NonNullable<Status["freeze"]> }) {
  const since = freeze.since ? ` since ${when(freeze.since)}${freeze.by ? ` by ${freeze.by}` : ""}` : "";
  return (
    <p data-testid="budget-freeze">
      {freeze.frozen ? (
        <>
          <span className="badge error">frozen by an incident</span>
          {since}: no new run, resume or count release until an officer unfreezes it from the incident.
        </>
      ) : (
        <span className="muted">Not frozen{freeze.since ? ` (unfrozen${since})` : ""}: runs may start within the limit.</span>
      )}
    </p>
  );
}

function DatasetBudget({ status, can }: { status: Status; can: Can }) {
  const { dataset, budget, spend } = status;
  return (
    <section className="card" data-testid={`budget-${dataset.name}`} id={`budget-${dataset.id}`}>
      <h2>{dataset.name}</h2>
      {budget && spend ? (
        <>
          <div data-testid="budget-limit">
            Limit{" "}
            <strong>
              ε = <Num value={budget.epsilon} />
            </strong>
            <FieldHelp field="epsilon" /> at δ = <Num value={budget.delta} kind="delta" />
            <FieldHelp field="delta" />, per <strong>{budget.privacyUnit}</strong> (record-level means one record; subject-level means one person)
            <FieldHelp field="privacyUnit" /> · renews on {budget.renewsOn}
            {status.expired && <span className="badge error"> expired: no new runs until renewed</span>}
          </div>
          {status.freeze && <FreezeState freeze={status.freeze} />}
          <p data-testid="budget-spend">
            Spent (composed by the accountant, {budget.privacyUnit}-level):{" "}
            <strong>
              ε = <Num value={spend.epsilon} />
            </strong>
            , of which charged ε = <Num value={spend.chargedEpsilon} /> and the rest reserved by queued or running runs · left{" "}
            <strong>
              ε = <Num value={status.leftEpsilon} />
            </strong>{" "}
            · naive sum of the runs' epsilons would say ε = <Num value={spend.naiveEpsilonSum} />
          </p>
          <div className="muted" data-testid="budget-bounds">
            Records per person, at most k = <strong>{budget.recordsPerPersonBound}</strong> (stated by the privacy officer)
            <FieldHelp field="recordsPerSubject" />
            {budget.deltaOverrideReason && (
              <>
                {" "}
                · <span className="badge">δ not below 1/N</span> override reason: {budget.deltaOverrideReason}
              </>
            )}
          </div>
          {budget.privacyUnit === "record" && (
            <p className="muted" data-testid="budget-person-level">
              person-level (group privacy, k = {budget.recordsPerPersonBound}):{" "}
              {status.personLevel ? (
                <>
                  ε = <Num value={status.personLevel.epsilon} />, δ = <Num value={status.personLevel.delta} kind="delta" />
                </>
              ) : (
                "the record-level figure (one record per person)"
              )}
            </p>
          )}
          {status.internal?.exceedsBound && (
            <p className="error" data-testid="budget-internal">
              <InternalBadge /> One person has {status.internal.observedMaxRecordsPerSubject} records, more than the stated bound k ={" "}
              {budget.recordsPerPersonBound}: the person-level figure does not cover them; raise k.
            </p>
          )}
          <SpendBreakdown datasetId={dataset.id} datasetName={dataset.name} limit={budget.epsilon} delta={budget.delta} accountant={spend.accountant} />
        </>
      ) : (
        <p className="muted" data-testid="budget-none">
          {status.postProcessing
            ? "Synthetic data only: sampled from a DP model (post-processing), it needs no budget until real data is added to it; runs on it charge nothing to the source datasets."
            : "No budget set yet: no run may start on this dataset."}
        </p>
      )}
      {can["budgets.set"] && <SetBudgetForm datasetId={dataset.id} current={budget} />}
      {can["budgets.renew"] && budget && <RenewForm datasetId={dataset.id} current={budget} />}
      {can["budgets.request"] && <RequestForm datasetId={dataset.id} first={budget === null} />}
      <RequestsTable requests={status.requests} current={budget && { delta: budget.delta, privacyUnit: budget.privacyUnit }} mayDecide={can["budgets.decide"]} />
    </section>
  );
}
