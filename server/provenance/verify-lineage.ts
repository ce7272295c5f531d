// The offline verifier's privacy checks of one lineage: each run's event from its settings, the DP count releases'
// noise and events, epsilon recomputed with the project's accountant over the runs (composed, never summed), the
// version's own runs, and the person-level figure for the stated k.
import {
  composed,
  createAccountant,
  dpSgdEvent,
  groupPrivacy,
  type AccountantName,
  type PrivacyEvent,
} from "../../trainer/privacy";
import { canonicalJson } from "../audit/canonical";
import { countReleaseEvent, countSensitivities } from "../budgets/dp-counts";
import type { Predicate } from "./bundle";
import { attempt, fail, pass, type Check } from "./verify-checks";

/** Relative tolerance between a stated epsilon and the recomputed one (floating-point summation order may differ). */
export const EPSILON_TOLERANCE = 1e-9;

type Lineage = Predicate["privacy"]["lineages"][number];

/**
 * Recent compositions and their epsilons, keyed by the exact inputs: the accountant takes milliseconds, and a caller
 * verifying many exports of one lineage (the dashboard, the tests) would otherwise recompute the same figure.
 */
const recentEpsilons = new Map<string, number>();
const RECENT_EPSILONS = 64;

function lineageEpsilon(accountantName: AccountantName, event: PrivacyEvent, delta: number): number {
  const key = canonicalJson([accountantName, delta, event]);
  const known = recentEpsilons.get(key);
  if (known !== undefined) return known;
  const epsilon = createAccountant(accountantName).epsilon(event, delta);
  if (recentEpsilons.size >= RECENT_EPSILONS) recentEpsilons.clear();
  recentEpsilons.set(key, epsilon);
  return epsilon;
}

const close = (a: number, b: number) => Math.abs(a - b) <= EPSILON_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));

/** The lineage's privacy figures, recomputed: each run's event, DP counts, epsilon, own epsilon, person level. */
export function checkLineage(lineage: Lineage, accountantName: AccountantName): Check[] {
  const label = `${lineage.dataset_name} (${lineage.dataset_id})`;
  const runChecks = lineage.runs.map((run) =>
    attempt(`privacy event of run ${run.run_id}`, () => {
      const expected = dpSgdEvent(run.sampling_rate, run.noise_multiplier, run.steps_charged);
      return canonicalJson(run.event.event) === canonicalJson(expected)
        ? pass(`${run.steps_charged} Poisson-sampled Gaussian steps, q=${run.sampling_rate}, sigma=${run.noise_multiplier}`)
        : fail(`the event is not dpSgdEvent(${run.sampling_rate}, ${run.noise_multiplier}, ${run.steps_charged})`);
    }),
  );
  const countChecks = lineage.dataset_versions.flatMap((version) => {
    const counts = version.dp_counts;
    if (counts === null) return [];
    return [
      attempt(`DP counts of dataset version ${version.id}`, () => {
        const sigma = counts.noise_multiplier;
        const clippedAt = counts.records_counted_up_to;
        if ((lineage.privacy_unit === "subject") !== (clippedAt !== null)) {
          return fail("records_counted_up_to must be given exactly when the privacy unit is a person");
        }
        const sensitivity = countSensitivities(lineage.privacy_unit, clippedAt ?? 1);
        if (canonicalJson(counts.event.event) !== canonicalJson(countReleaseEvent(sigma))) return fail(`the event is not two Gaussian queries at sigma=${sigma}`);
        if (!close(counts.record_noise_std, sigma * sensitivity.records) || !close(counts.subject_noise_std, sigma * sensitivity.subjects)) {
          return fail(`noise std (${counts.record_noise_std}, ${counts.subject_noise_std}) is not sigma=${sigma} times the sensitivities (${sensitivity.records}, ${sensitivity.subjects})`);
        }
        return pass(`Gaussian noise of std ${counts.record_noise_std} (records) and ${counts.subject_noise_std} (subjects), a release of its own on the lineage`);
      }),
    ];
  });
  let recomputed: number | undefined;
  const epsilonCheck = attempt(`epsilon of ${label}`, () => {
    const event = composed(lineage.runs.map((run) => run.event.event));
    const epsilon = lineageEpsilon(accountantName, event, lineage.delta);
    recomputed = epsilon;
    const what = `${accountantName} over ${lineage.runs.length} run(s) at delta=${lineage.delta}`;
    return close(epsilon, lineage.epsilon)
      ? pass(`${what}: ${epsilon}, as stated`)
      : fail(`${what}: recomputed ${epsilon}, stated ${lineage.epsilon}`);
  });
  const ownCheck = attempt(`own epsilon of ${label}`, () => {
    const own = lineage.runs.filter((run) => run.in_chain);
    if (own.length === 0) return fail("no run is marked as the version's own (in_chain)");
    const epsilon = lineageEpsilon(accountantName, composed(own.map((run) => run.event.event)), lineage.delta);
    if (!close(epsilon, lineage.own_epsilon)) return fail(`${own.length} own run(s): recomputed ${epsilon}, stated ${lineage.own_epsilon}`);
    return recomputed === undefined || epsilon <= recomputed * (1 + 1e-9)
      ? pass(`${own.length} own run(s) of ${lineage.runs.length}: ${epsilon}, as stated (the guarantee is the composition of all)`)
      : fail(`the own runs' epsilon ${epsilon} exceeds the lineage's ${recomputed}`);
  });
  const personCheck = attempt(`person-level figure of ${label}`, () => {
    // On the federation's lineage (parties_per_person stated; required with parties as the unit) k is the parties one
    // person is at, whatever the unit; elsewhere the records per person of a record-level budget.
    const perParty = lineage.parties_per_person;
    if (lineage.privacy_unit === "party" && perParty === null) return fail("parties as the unit, but no parties_per_person (k) is stated");
    const k = perParty ? perParty.k : Math.max(1, ...lineage.dataset_versions.map((v) => v.records_per_person_bound));
    const of = perParty ? "parties a person is at" : "records per person";
    const applies = (perParty !== null || lineage.privacy_unit === "record") && k > 1;
    const stated = lineage.person_level;
    if (!applies) {
      return stated === null
        ? pass(lineage.privacy_unit === "subject" && !perParty ? "none needed: the privacy unit is a person" : `none needed: at most one of the ${of}`)
        : fail(`stated, but it applies only with records as the unit, or on the federation's lineage, and k > 1 ${of}`);
    }
    if (stated === null) return fail(`missing: k = ${k} ${of}`);
    if (recomputed === undefined) return fail("epsilon could not be recomputed");
    const group = groupPrivacy(recomputed, lineage.delta, k);
    return close(group.epsilon, stated.epsilon) && close(group.delta, stated.delta)
      ? pass(`group privacy over k = ${k} ${of}: (${group.epsilon}, ${group.delta}), as stated`)
      : fail(`group privacy over k = ${k} ${of} gives (${group.epsilon}, ${group.delta}), stated (${stated.epsilon}, ${stated.delta})`);
  });
  return [...runChecks, ...countChecks, epsilonCheck, ownCheck, personCheck];
}
