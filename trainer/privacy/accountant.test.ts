// Tests for the common accountant interface: validation at the edge, and RDP vs PLD on the same events.
import { describe, expect, it } from "vitest";
import { createAccountant } from "./accountant";
import { composed, dpSgdEvent, gaussian } from "./events";

describe("createAccountant", () => {
  const rdp = createAccountant("rdp");
  const pld = createAccountant("pld");

  it("names itself and says how it computes", () => {
    expect(rdp.name).toBe("rdp");
    expect(pld.name).toBe("pld");
    expect(pld.description).toMatch(/discretisation interval 0\.0001/);
    expect(createAccountant("pld", { discretisationInterval: 1e-3 }).description).toMatch(/interval 0\.001/);
  });

  it("refuses bad names, options, deltas, epsilons and events", () => {
    expect(() => createAccountant("moments" as "rdp")).toThrow(/accountant/);
    expect(() => createAccountant("rdp", { orders: [0.5, 2] })).toThrow(/order must be > 1/);
    expect(() => createAccountant("pld", { discretisationInterval: 0 })).toThrow(RangeError);
    const event = dpSgdEvent(0.01, 1, 100);
    for (const accountant of [rdp, pld]) {
      expect(() => accountant.epsilon(event, 0)).toThrow(/delta must be > 0/);
      expect(() => accountant.epsilon(event, 1)).toThrow(/delta must be < 1/);
      expect(() => accountant.delta(event, -1)).toThrow(/epsilon must be >= 0/);
      expect(() => accountant.epsilon({ type: "laplace" } as never, 1e-5)).toThrow(/unknown event type "laplace"/);
    }
  });

  it("gives epsilon 0 and delta 0 for an empty composition", () => {
    for (const accountant of [rdp, pld]) {
      expect(accountant.epsilon(composed([]), 1e-5)).toBe(0);
      expect(accountant.delta(composed([]), 0)).toBe(0);
    }
  });

  it("inverts: delta(epsilon(delta)) is delta", () => {
    const event = composed([dpSgdEvent(0.01, 1.2, 2000), gaussian(20)]);
    for (const accountant of [rdp, pld]) {
      const epsilon = accountant.epsilon(event, 1e-6);
      expect(accountant.delta(event, epsilon) / 1e-6).toBeCloseTo(1, 6);
    }
  });

  it("PLD is tighter than RDP on DP-SGD runs, both being upper bounds", () => {
    for (const [q, sigma, steps] of [
      [0.04, 1.5, 2250],
      [0.0064, 1.0, 782],
      [0.01, 0.8, 5000],
    ] as const) {
      const event = dpSgdEvent(q, sigma, steps);
      expect(pld.epsilon(event, 1e-5)).toBeLessThan(rdp.epsilon(event, 1e-5));
    }
    // opacus' accountant test case: RDP 7.3291, PLD 6.7688.
    expect(pld.epsilon(dpSgdEvent(0.04, 1.5, 2250), 1e-5)).toBeCloseTo(6.7688, 4);
  });
});
