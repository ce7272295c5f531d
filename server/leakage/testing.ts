// Test fixture for leakage: a stored evaluation with the figures a test chooses (the one-run audit's lower bound,
// membership AUC, the inserted canaries' exposures, PII per 1000 outputs), against the accountant's epsilon 2.
import type { StoredLeakage } from "./stored";

export function storedLeakage(bound: number, auc: number, exposures: number[], pii: number): StoredLeakage {
  const figures = {
    canaries: exposures.map((exposure, i) => ({ digest: String(i).padStart(64, "0"), included: true, exposure, method: "exact" as const })),
    membership: { auc, tpr_at_fpr_0_1pct: 0, tpr_at_fpr_1pct: 0.02, members: 200, non_members: 100, fpr_0_1pct_resolved: false, fpr_1pct_resolved: true, roc: [] },
    extraction: { prompts: 0, verbatim_pii: {} },
  };
  return {
    leakage: { ...figures, one_run_audit: { m: 8, k_plus: 2, k_minus: 2, guesses: 4, correct: 4, delta: 1e-5, confidence: 0.95, epsilon_lower_bound: bound }, computed_at: new Date().toISOString() },
    accountant: { epsilon: 2, delta: 1e-5, group_size: 1 },
    histogram: { edges: [0, 1], reference: [1], expected: null, inserted: [0], others: [0] },
    output_pii: { outputs: 6, per_1000: { email: pii } },
  };
}
