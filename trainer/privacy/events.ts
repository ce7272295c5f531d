// Privacy events: the serialisable record of what a run did to the data (which mechanism, how often), from which
// the accountants compute epsilon. The ledger stores these events, never epsilons.
//
// Adjacency throughout is add-or-remove-one unit: a record, or a subject (a person) when the privacy unit is a
// person. A gaussian event is the Gaussian mechanism with noise standard deviation noise_multiplier times the L2
// sensitivity (the clipping norm) of one unit's contribution; poisson_sampled runs its inner event on a Poisson
// sample in which each unit is included independently with probability sampling_rate.

import { z } from "zod";

/** Version of the stored JSON form ({ version, event }). Bump it when the meaning of a stored event changes. */
export const EVENT_FORMAT_VERSION = 1;

export const EVENT_TYPES = ["gaussian", "poisson_sampled", "self_composed", "composed"] as const;

export type GaussianEvent = { type: "gaussian"; noise_multiplier: number };
export type PoissonSampledEvent = { type: "poisson_sampled"; sampling_rate: number; event: PrivacyEvent };
export type SelfComposedEvent = { type: "self_composed"; event: PrivacyEvent; count: number };
export type ComposedEvent = { type: "composed"; events: PrivacyEvent[] };
export type PrivacyEvent = GaussianEvent | PoissonSampledEvent | SelfComposedEvent | ComposedEvent;

/** Raised for events that are malformed, of an unknown type or version, or not supported by the accountants. */
export class PrivacyEventError extends Error {
  override name = "PrivacyEventError";
}

const noiseMultiplier = z
  .number({ error: "noise_multiplier must be a number" })
  .refine((v) => Number.isFinite(v) && v > 0, "noise_multiplier must be a finite number > 0");
const samplingRate = z
  .number({ error: "sampling_rate must be a number" })
  .refine((v) => v > 0 && v <= 1, "sampling_rate must be in (0, 1]");
const count = z
  .number({ error: "count must be a number" })
  .refine((v) => Number.isSafeInteger(v) && v >= 0, "count must be a whole number >= 0");

export const privacyEventSchema: z.ZodType<PrivacyEvent> = z.lazy(() =>
  z.discriminatedUnion(
    "type",
    [
      z.strictObject({ type: z.literal("gaussian"), noise_multiplier: noiseMultiplier }),
      z.strictObject({ type: z.literal("poisson_sampled"), sampling_rate: samplingRate, event: privacyEventSchema }),
      z.strictObject({ type: z.literal("self_composed"), event: privacyEventSchema, count }),
      z.strictObject({ type: z.literal("composed"), events: z.array(privacyEventSchema) }),
    ],
    {
      error: (issue) => {
        if (issue.code !== "invalid_union") return undefined;
        const type = (issue.input as { type?: unknown } | undefined)?.type;
        const known = `known types: ${EVENT_TYPES.join(", ")}`;
        return type === undefined ? `missing event type (${known})` : `unknown event type ${JSON.stringify(type)} (${known})`;
      },
    },
  ),
);

export const privacyEventDocumentSchema = z.strictObject({
  version: z.literal(EVENT_FORMAT_VERSION, {
    error: (issue) =>
      `unsupported privacy event format version ${JSON.stringify(issue.input)} (this build reads version ${EVENT_FORMAT_VERSION})`,
  }),
  event: privacyEventSchema,
});

function describeIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
      return `${`${root}${path}`.replace(/^\./, "")}: ${issue.message}`;
    })
    .join("; ");
}

/** Validates an event (already parsed from JSON); throws PrivacyEventError naming the offending field. */
export function validateEvent(value: unknown): PrivacyEvent {
  const result = privacyEventSchema.safeParse(value);
  if (!result.success) throw new PrivacyEventError(`invalid privacy event: ${describeIssues(result.error, "event")}`);
  return result.data;
}

/** The stored form of an event: JSON of { version, event }. */
export function serialiseEvent(event: PrivacyEvent): string {
  return JSON.stringify({ version: EVENT_FORMAT_VERSION, event: validateEvent(event) });
}

/** Reads the stored form back; refuses other versions, unknown event types and malformed fields. */
export function parseEvent(json: string): PrivacyEvent {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new PrivacyEventError(`privacy event is not valid JSON: ${(cause as Error).message}`);
  }
  const result = privacyEventDocumentSchema.safeParse(value);
  if (!result.success) throw new PrivacyEventError(`invalid privacy event: ${describeIssues(result.error, "")}`);
  return result.data.event;
}

export const gaussian = (noise_multiplier: number): PrivacyEvent =>
  validateEvent({ type: "gaussian", noise_multiplier });

export const poissonSampled = (sampling_rate: number, event: PrivacyEvent): PrivacyEvent =>
  validateEvent({ type: "poisson_sampled", sampling_rate, event });

export const selfComposed = (event: PrivacyEvent, count: number): PrivacyEvent =>
  validateEvent({ type: "self_composed", event, count });

export const composed = (events: PrivacyEvent[]): PrivacyEvent => validateEvent({ type: "composed", events });

/** The events of `steps` DP-SGD steps: each a Gaussian on a Poisson sample. */
export const dpSgdEvent = (samplingRate: number, noiseMultiplier: number, steps: number): PrivacyEvent =>
  validateEvent({
    type: "self_composed",
    event: { type: "poisson_sampled", sampling_rate: samplingRate, event: { type: "gaussian", noise_multiplier: noiseMultiplier } },
    count: steps,
  });

/** One Poisson-subsampled Gaussian step (sampling rate 1 means no subsampling) and how many times it was run. */
export interface MechanismCount {
  samplingRate: number;
  noiseMultiplier: number;
  count: number;
}

/**
 * Flattens an event into the multiset of mechanisms it runs: nested compositions are expanded, counts multiplied
 * through, and identical mechanisms (same sampling rate and noise multiplier, e.g. a resumed run) merged into one
 * count. Composition is commutative, so this is exactly the same guarantee. Mechanisms run zero times are dropped.
 * Poisson sampling is supported around a Gaussian only; anything else is refused.
 */
export function flattenEvent(event: PrivacyEvent): MechanismCount[] {
  const merged = new Map<string, MechanismCount>();
  const add = (samplingRate: number, noiseMultiplier: number, times: number) => {
    const key = `${samplingRate}/${noiseMultiplier}`;
    const entry = merged.get(key) ?? { samplingRate, noiseMultiplier, count: 0 };
    entry.count += times;
    merged.set(key, entry);
  };
  const visit = (e: PrivacyEvent, times: number): void => {
    switch (e.type) {
      case "gaussian":
        add(1, e.noise_multiplier, times);
        return;
      case "poisson_sampled":
        if (e.event.type !== "gaussian") {
          throw new PrivacyEventError(
            `poisson_sampled is supported only directly around a gaussian event (found ${e.event.type})`,
          );
        }
        add(e.sampling_rate, e.event.noise_multiplier, times);
        return;
      case "self_composed":
        visit(e.event, times * e.count);
        return;
      case "composed":
        for (const inner of e.events) visit(inner, times);
        return;
    }
  };
  visit(validateEvent(event), 1);
  for (const entry of merged.values()) {
    if (!Number.isSafeInteger(entry.count)) throw new PrivacyEventError("event step count exceeds 2^53");
  }
  return [...merged.values()].filter((m) => m.count > 0);
}
