// Incremental composition: privacy events composed one at a time, with the epsilon of everything composed so far.
// Every accountant offers one (Accountant.composition()); the server's lineage ledger composes its runs and count
// releases through the RDP accountant's. RDP composes by adding the events' RDP curves, so each event costs one
// addition per order; PLD composes the events it has been given whenever asked for epsilon.

import { composed, validateEvent, type PrivacyEvent } from "./events";

export interface Composition {
  /** Composes one more event with those before it; a malformed event is refused, naming the field. */
  add(event: PrivacyEvent): Composition;
  /** Epsilon at `delta` of every event composed so far (0 before the first). */
  epsilon(delta: number): number;
}

/**
 * The running sum of the events' RDP curves, order by order, read as epsilon by `epsilonOfCurve` (which checks
 * delta). `curveOf` gives an event's curve at the same `orders` (and validates the event).
 */
export function rdpComposition(
  orders: readonly number[],
  curveOf: (event: PrivacyEvent) => readonly number[],
  epsilonOfCurve: (rdp: readonly number[], delta: number) => number,
): Composition {
  const total = new Array<number>(orders.length).fill(0);
  // The last conversion, kept while the curve stays the same (an event of no steps adds nothing to it).
  let last: { delta: number; epsilon: number } | null = null;
  const composition: Composition = {
    add(event) {
      const curve = curveOf(event);
      for (let k = 0; k < total.length; k++) {
        if (curve[k] === 0) continue;
        total[k] = (total[k] as number) + (curve[k] as number);
        last = null;
      }
      return composition;
    },
    epsilon(delta) {
      if (last?.delta !== delta) last = { delta, epsilon: epsilonOfCurve(total, delta) };
      return last.epsilon;
    },
  };
  return composition;
}

/** The events kept as they come, composed into one event by `epsilonOf` whenever epsilon is asked for. */
export function eventsComposition(epsilonOf: (event: PrivacyEvent, delta: number) => number): Composition {
  const events: PrivacyEvent[] = [];
  const composition: Composition = {
    add(event) {
      events.push(validateEvent(event));
      return composition;
    },
    epsilon: (delta) => epsilonOf(composed(events), delta),
  };
  return composition;
}
