// The common interface of the two accountants (RDP and PLD): epsilon for a delta and delta for an epsilon, for one
// privacy event (usually the composition of everything run on a dataset), and a composition to which events are
// added one at a time (a lineage's ledger). Inputs are validated here, at the edge.

import { z } from "zod";
import { eventsComposition, rdpComposition, type Composition } from "./composition";
import { validateEvent, type PrivacyEvent } from "./events";
import { DEFAULT_DISCRETISATION_INTERVAL, pldDelta, pldEpsilon } from "./pld";
import { DEFAULT_RDP_ORDERS, cachedRdpOfEvent, deltaFromRdp, epsilonFromRdp } from "./rdp";

export const ACCOUNTANT_NAMES = ["rdp", "pld"] as const;
export const accountantNameSchema = z.enum(ACCOUNTANT_NAMES);
export type AccountantName = z.infer<typeof accountantNameSchema>;

export interface Accountant {
  readonly name: AccountantName;
  /** One line saying how this accountant computes, for display next to its numbers. */
  readonly description: string;
  /** Smallest epsilon this accountant can certify at `delta` (an upper bound on the true epsilon). */
  epsilon(event: PrivacyEvent, delta: number): number;
  /** Smallest delta this accountant can certify at `epsilon` (an upper bound on the true delta). */
  delta(event: PrivacyEvent, epsilon: number): number;
  /**
   * An empty composition: events added one at a time, epsilon of those so far on demand, equal to `epsilon` of their
   * composition (RDP: to rounding, the curves being added event by event; PLD: exactly).
   */
  composition(): Composition;
}

export interface AccountantOptions {
  /** RDP orders (each > 1); default DEFAULT_RDP_ORDERS. */
  orders?: readonly number[];
  /** PLD grid interval of privacy-loss values; default DEFAULT_DISCRETISATION_INTERVAL (1e-4). */
  discretisationInterval?: number;
}

const deltaSchema = z.number().gt(0, "delta must be > 0").lt(1, "delta must be < 1");
const epsilonSchema = z.number().min(0, "epsilon must be >= 0").refine(Number.isFinite, "epsilon must be finite");
const optionsSchema = z.strictObject({
  orders: z.array(z.number().gt(1, "every RDP order must be > 1")).min(1).optional(),
  discretisationInterval: z.number().gt(0).max(1).optional(),
});

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new RangeError(`${what}: ${result.error.issues.map((i) => i.message).join("; ")}`);
  return result.data;
}

export function createAccountant(name: AccountantName, options: AccountantOptions = {}): Accountant {
  const { orders = DEFAULT_RDP_ORDERS, discretisationInterval = DEFAULT_DISCRETISATION_INTERVAL } = check(
    optionsSchema,
    options,
    "accountant options",
  );
  const inputs = (event: PrivacyEvent, value: number, schema: z.ZodType<number>, what: string) =>
    [validateEvent(event), check(schema, value, what)] as const;
  switch (check(accountantNameSchema, name, "accountant")) {
    case "rdp": {
      const rdpOf = cachedRdpOfEvent(orders);
      const epsilonOfCurve = (rdp: readonly number[], delta: number) =>
        epsilonFromRdp(orders, rdp, check(deltaSchema, delta, "delta")).value;
      return {
        name: "rdp",
        description: `RDP (Mironov-Talwar-Zhang) at ${orders.length} orders, Canonne-Kamath-Steinke conversion`,
        // rdpOf validates the event (the first time it sees it), before the delta or epsilon is checked.
        epsilon: (event, delta) => {
          const rdp = rdpOf(event);
          return epsilonFromRdp(orders, rdp, check(deltaSchema, delta, "delta")).value;
        },
        delta: (event, epsilon) => {
          const rdp = rdpOf(event);
          return deltaFromRdp(orders, rdp, check(epsilonSchema, epsilon, "epsilon")).value;
        },
        composition: () => rdpComposition(orders, rdpOf, epsilonOfCurve),
      };
    }
    case "pld": {
      const epsilon = (event: PrivacyEvent, delta: number) => {
        const [e, d] = inputs(event, delta, deltaSchema, "delta");
        return pldEpsilon(e, d, { discretisationInterval });
      };
      return {
        name: "pld",
        description: `PLD (connect-the-dots, pessimistic) at discretisation interval ${discretisationInterval}`,
        epsilon,
        delta: (event, epsilon) => {
          const [e, eps] = inputs(event, epsilon, epsilonSchema, "epsilon");
          return pldDelta(e, eps, { discretisationInterval });
        },
        composition: () => eventsComposition(epsilon),
      };
    }
  }
}
