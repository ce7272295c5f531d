"use client";
// An officer's decision on a budget request, with a reason: approve or refuse. A request for a dataset's first budget
// also asks for the rest of the budget (delta, unit, renewal date, k); the epsilon decided on is said in words, live.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { EpsilonSentence } from "@/app/_components/epsilon-sentence";
import { ErrorMessage } from "@/app/_components/error-message";
import { formData } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";
import type { PrivacyUnit } from "@/trainer/privacy/units";
import { BudgetSettingsFields } from "./budget-settings-fields";

export interface DecidableRequest {
  id: string;
  epsilon: number;
  firstBudget: boolean;
}

/** A date a year from today, as the first budget's default renewal. */
function inAYear(): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

/** The budget the request would raise (null: it asks for a first one). */
export type CurrentBudget = { delta: number; privacyUnit: PrivacyUnit } | null;

export function DecideRequest({ request, current, onDecided }: { request: DecidableRequest; current: CurrentBudget; onDecided: () => void }) {
  const trpc = useTRPC();
  const decide = useMutation(trpc.budgets.decide.mutationOptions({ onSuccess: onDecided }));
  const [delta, setDelta] = useState(String(current?.delta ?? 1e-5));
  const [unit, setUnit] = useState<PrivacyUnit>("subject");
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const approve = submitter?.value === "approve";
    decide.mutate({
      requestId: request.id,
      approve,
      reason: get("reason"),
      ...(approve && request.firstBudget
        ? { budget: { delta: Number(delta), privacyUnit: unit, renewsOn: get("renewsOn"), recordsPerPersonBound: Number(get("recordsPerPersonBound")) } }
        : {}),
    });
  }
  const shownDelta = current ? current.delta : Number(delta) > 0 ? Number(delta) : 1e-5;
  return (
    <form className="inline" aria-label="Decide request" onSubmit={onSubmit}>
      {request.firstBudget && (
        <>
          <BudgetSettingsFields
            delta={delta}
            onDelta={setDelta}
            unit={unit}
            onUnit={setUnit}
            renewsOn={inAYear()}
            recordsPerPersonBound={1}
            labelSuffix=", first budget"
          />
        </>
      )}
      <label>
        Decision reason
        <input name="reason" required />
      </label>
      <button type="submit" value="approve" disabled={decide.isPending}>
        Approve
      </button>
      <button type="submit" value="refuse" className="secondary" disabled={decide.isPending}>
        Refuse
      </button>
      <EpsilonSentence epsilon={request.epsilon} delta={shownDelta} unit={current?.privacyUnit ?? unit} />
      <ErrorMessage error={decide.error} />
    </form>
  );
}
