// Whether a new charge (a run, a resumed run, a DP count release) may be made against a lineage's budget: not while it
// is frozen or expired, and only if the lineage's composed epsilon with the charge stays within the limit.
import type { Budget } from "../../db/schema";
import { isExpired } from "./service";

export interface Charge {
  /** What is charged, as the sentence's subject: "This run", "This count release". */
  what: string;
  /** What a frozen budget forbids, e.g. "no run may start". */
  forbidden: string;
}

const fmt = (x: number) => x.toPrecision(3);

/**
 * Why `charge` may not be made, or null when it fits. `before` is the lineage's composed epsilon now (charges and
 * reservations), `after` with the charge, `alone` the charge's own epsilon, all at the budget's delta.
 */
export function chargeRefusal(budget: Budget, charge: Charge, before: number, after: number, alone: number): string | null {
  if (budget.frozen) return `This dataset's budget is frozen by an incident; ${charge.forbidden}.`;
  if (isExpired(budget)) return `This dataset's budget expired on ${budget.renewsOn}; a privacy officer must renew it.`;
  if (after <= budget.epsilon) return null;
  return (
    `${charge.what} would exceed the budget: on its own it costs ε = ${fmt(alone)}; composed with what this dataset's runs and ` +
    `count releases have spent or reserved (ε = ${fmt(before)}) the total would be ε = ${fmt(after)}, over the limit of ` +
    `ε = ${fmt(budget.epsilon)} at δ = ${budget.delta}.`
  );
}
