"use client";
// The forms of a budget card: officers set a budget and renew it (the epsilon they decide on said in words, live as
// they type); engineers with access ask for more, or for a first budget on a dataset without one.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { EpsilonSentence } from "@/app/_components/epsilon-sentence";
import { ErrorMessage } from "@/app/_components/error-message";
import { FieldHelp } from "@/app/_components/field-help";
import { formData } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";
import type { PrivacyUnit } from "@/trainer/privacy/units";
import { BudgetSettingsFields } from "./budget-settings-fields";
import type { RouterOutputs } from "@/app/_trpc/types";

type Budget = RouterOutputs["budgets"]["overview"][number]["budget"];

/** After a change: refetch the budgets and their breakdowns. */
export function useRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.budgets.pathKey() }), queryClient.invalidateQueries({ queryKey: trpc.spend.pathKey() })]);
}

export function SetBudgetForm({ datasetId, current }: { datasetId: string; current: Budget }) {
  const trpc = useTRPC();
  const set = useMutation(trpc.budgets.set.mutationOptions({ onSuccess: useRefresh() }));
  const [epsilon, setEpsilon] = useState(String(current?.epsilon ?? 3));
  const [delta, setDelta] = useState(String(current?.delta ?? 1e-5));
  const [unit, setUnit] = useState<PrivacyUnit>(current?.privacyUnit ?? "subject");
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    set.mutate({
      datasetId,
      epsilon: Number(epsilon),
      delta: Number(delta),
      privacyUnit: unit,
      renewsOn: get("renewsOn"),
      recordsPerPersonBound: Number(get("recordsPerPersonBound")),
      ...(get("deltaOverrideReason") ? { deltaOverrideReason: get("deltaOverrideReason") } : {}),
    });
  }
  return (
    <form className="inline" onSubmit={onSubmit} aria-label="Set budget">
      <label>
        Epsilon
        <input name="epsilon" inputMode="decimal" value={epsilon} onChange={(e) => setEpsilon(e.target.value)} required />
      </label>
      <FieldHelp field="epsilon" />
      <BudgetSettingsFields
        delta={delta}
        onDelta={setDelta}
        unit={unit}
        onUnit={setUnit}
        renewsOn={current?.renewsOn}
        recordsPerPersonBound={current?.recordsPerPersonBound ?? 1}
      />
      <label>
        Override the 1/N bound (reason)
        <input name="deltaOverrideReason" defaultValue={current?.deltaOverrideReason ?? ""} placeholder="only if δ is not below 1/N" />
      </label>
      <button type="submit" disabled={set.isPending}>
        {current ? "Update budget" : "Set budget"}
      </button>
      {/* The epsilon being decided on, in words; for the budget as it stands the renewal form says it. */}
      {Number(epsilon) > 0 && Number(delta) > 0 && (!current || Number(epsilon) !== current.epsilon || Number(delta) !== current.delta || unit !== current.privacyUnit) && (
        <EpsilonSentence epsilon={Number(epsilon)} delta={Number(delta)} unit={unit} />
      )}
      <ErrorMessage error={set.error} />
    </form>
  );
}

/** Renewing keeps the limit and moves the date on: the limit granted again is said in words. */
export function RenewForm({ datasetId, current }: { datasetId: string; current: NonNullable<Budget> }) {
  const trpc = useTRPC();
  const renew = useMutation(trpc.budgets.renew.mutationOptions({ onSuccess: useRefresh() }));
  return (
    <form
      className="inline"
      aria-label="Renew budget"
      onSubmit={(event) => {
        event.preventDefault();
        renew.mutate({ datasetId, renewsOn: formData(event)("renewsOn") });
      }}
    >
      <label>
        New renewal date
        <input name="renewsOn" type="date" required />
      </label>
      <button type="submit" className="secondary" disabled={renew.isPending}>
        Renew
      </button>
      <EpsilonSentence epsilon={current.epsilon} delta={current.delta} unit={current.privacyUnit} />
      <ErrorMessage error={renew.error} />
    </form>
  );
}

/** Engineers with access: more budget, or (`first`) a first budget on a dataset that has none. */
export function RequestForm({ datasetId, first }: { datasetId: string; first: boolean }) {
  const trpc = useTRPC();
  const request = useMutation(trpc.budgets.request.mutationOptions({ onSuccess: useRefresh() }));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    request.mutate({ datasetId, epsilon: Number(get("epsilon")), reason: get("reason") });
  }
  const action = first ? "Ask for a first budget" : "Request more budget";
  return (
    <form className="inline" onSubmit={onSubmit} aria-label={action}>
      <label>
        {first ? "First budget (epsilon)" : "New limit (epsilon)"}
        <input name="epsilon" inputMode="decimal" required />
      </label>
      <FieldHelp field="epsilon" />
      <label>
        Reason
        <input name="reason" required />
      </label>
      <button type="submit" disabled={request.isPending}>
        {action}
      </button>
      <ErrorMessage error={request.error} />
    </form>
  );
}
