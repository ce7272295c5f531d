// The distributed discrete Gaussian (Kairouz, Liu and Steinke, ICML 2021, Theorem 1's bound): n parties each add
// independent discrete Gaussian noise N_Z(0, σ²), σ ≥ 1/2, to an integer vector of L2 sensitivity Δ2 and L1 sensitivity Δ1, and
// only the sum is seen. The sum is not exactly a discrete Gaussian; the theorem bounds it as (ε²/2)-concentrated DP
// with
//   ε = min( sqrt(Δ2²/(nσ²) + τΔ1/2),  Δ2/(sqrt(n)σ) + τ·sqrt(Δ1) ),   τ = 10 Σ_{k=1}^{n-1} exp(-2π²σ²·k/(k+1)).
// A ρ-zCDP mechanism has Rényi divergence at most αρ at every order α, which is the Gaussian mechanism's with noise
// multiplier 1/ε: the ledger charges that Gaussian, whose RDP curve is exactly this bound (and only RDP accounting may
// read it so: the Gaussian's own privacy loss distribution is tighter than what the theorem gives).

export interface DistributedDiscreteGaussian {
  /** L2 sensitivity of one party's integer vector. */
  l2Sensitivity: number;
  /** L1 sensitivity of one party's integer vector. */
  l1Sensitivity: number;
  /** Each party's noise variance σ² (integer units). */
  partyVariance: number;
  /** The fewest parties whose noise is in the sum. */
  parties: number;
}

/** τ of the theorem: how far the sum of n discrete Gaussians is from one discrete Gaussian (0 once σ is a few units). */
export function sumDeviation(partyVariance: number, parties: number): number {
  let tau = 0;
  for (let k = 1; k < parties; k++) tau += Math.exp((-2 * Math.PI ** 2 * partyVariance * k) / (k + 1));
  return 10 * tau;
}

/** ε of the theorem: the sum is (ε²/2)-zCDP. */
export function concentratedEpsilon({ l2Sensitivity: d2, l1Sensitivity: d1, partyVariance: v, parties: n }: DistributedDiscreteGaussian): number {
  if (!(d2 > 0 && d1 > 0 && n >= 1)) throw new RangeError("positive sensitivities, and at least one party");
  if (!(v >= 0.25)) throw new RangeError("the theorem holds for σ ≥ 1/2 per party");
  const tau = sumDeviation(v, n);
  return Math.min(Math.sqrt((d2 * d2) / (n * v) + (tau * d1) / 2), d2 / Math.sqrt(n * v) + tau * Math.sqrt(d1));
}

/** The Gaussian mechanism's noise multiplier with the same zCDP: what the ledger charges for one such sum. */
export const equivalentNoiseMultiplier = (mechanism: DistributedDiscreteGaussian): number => 1 / concentratedEpsilon(mechanism);
