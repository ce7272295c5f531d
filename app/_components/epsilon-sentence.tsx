// "What this epsilon means", as one sentence next to every epsilon an officer decides on.
import type { PrivacyUnit } from "@/trainer/privacy/units";
import { eps, prob } from "./format";

/** Whose membership the unit's guarantee is about. */
const WHO: Record<PrivacyUnit, string> = {
  record: "whether one record was used",
  subject: "whether one person's records were used",
  party: "whether one institution's data was used",
};

/** The sentence: an (ε, δ)-DP model lets an attacker be at most e^ε times more likely to tell membership apart. */
export function epsilonSentence(epsilon: number, delta: number, unit: PrivacyUnit = "subject"): string {
  const who = WHO[unit];
  if (!Number.isFinite(epsilon)) return `No limit: an attacker who sees the model may be able to tell ${who}.`;
  const times = Math.exp(epsilon);
  const factor = times < 10 ? String(Number(times.toPrecision(2))) : times < 1e6 ? String(Math.round(times)) : times.toExponential(1);
  return (
    `ε = ${eps(epsilon)} means an attacker who sees the model is at most ${factor} times more likely to tell ${who}` +
    ` than without it (except with probability δ = ${prob(delta)}).`
  );
}

export function EpsilonSentence(props: { epsilon: number; delta: number; unit?: PrivacyUnit }) {
  return (
    <p className="epsilon-sentence muted" data-testid="epsilon-sentence">
      {epsilonSentence(props.epsilon, props.delta, props.unit)}
    </p>
  );
}
