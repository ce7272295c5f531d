// A run's privacy as the trainer keeps it: the DP-SGD steps charged so far as privacy events (the accountant's
// format, which the server recomputes epsilon from), epsilon by the chosen accountant, and how many steps a target
// epsilon affords.

import { createAccountant, dpSgdEvent, type Accountant, type AccountantName, type PrivacyEvent } from "../privacy";

export class RunPrivacy {
  private readonly accountant: Accountant;

  constructor(
    readonly samplingRate: number,
    readonly noiseMultiplier: number,
    readonly delta: number,
    accountant: AccountantName,
    /** Steps charged so far (including those of earlier segments of a resumed run). */
    public steps = 0,
  ) {
    this.accountant = createAccountant(accountant);
  }

  /** The events of `steps` steps (by default, those charged so far). */
  event(steps = this.steps): PrivacyEvent {
    return dpSgdEvent(this.samplingRate, this.noiseMultiplier, steps);
  }

  epsilon(steps = this.steps): number {
    return steps === 0 ? 0 : this.accountant.epsilon(this.event(steps), this.delta);
  }

  /** The most steps, at most `planned`, whose epsilon stays at or below `target` (epsilon grows with steps). */
  affordableSteps(target: number, planned: number): number {
    if (this.epsilon(planned) <= target) return planned;
    let low = 0; // affordable
    let high = planned; // not affordable
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (this.epsilon(mid) <= target) low = mid;
      else high = mid;
    }
    return low;
  }
}
