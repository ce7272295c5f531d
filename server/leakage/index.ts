// Public API of the leakage statistics: how much a fine-tuned model leaks, in numbers. Pure functions and
// schemas only: no I/O, no model code; the scores and losses come from the model elsewhere.
//
//   canaries.ts         random secrets from a stated randomness space (node:crypto), fair inclusion coins, salted
//                       SHA-256 commitments and the canary plan written to the audit log before training.
//   exposure.ts         exposure = log2|R| - log2 rank, exact or by a skew-normal fit (Owen's T), and the score
//                       histogram for the exposure plot. Carlini, Liu, Erlingsson, Kos & Song 2019, "The Secret
//                       Sharer: Evaluating and Testing Unintended Memorization in Neural Networks" (USENIX Security).
//   membership.ts       loss-threshold membership inference: ROC, AUC, TPR at 0.1% and 1% FPR, log-log ROC.
//   one-run-audit.ts    empirical epsilon lower bound from the canaries of a single run. Steinke, Nasr & Jagielski
//                       2023, "Privacy Auditing with One (1) Training Run" (NeurIPS 2023, arXiv:2305.08846).
//   epsilon-meaning.ts  the largest attack TPR at each FPR under (epsilon, delta)-DP or a privacy profile. Kairouz,
//                       Oh & Viswanath 2015, "The Composition Theorem for Differential Privacy" (ICML), Theorem 2.1.
//   extraction.ts       tally of verbatim PII in completions of training-record prefixes.
//   report.ts           the LeakageReport schema that stores all of it.
//
// Comparing with the accountant: an incident is warranted when oneRunAudit(...) run with the accountant's delta
// gives epsilon_lower_bound above the accountant's epsilon at that delta. For canaries repeated k > 1 times under
// record-level privacy a canary is a group of k records: take g = groupPrivacy(epsilon, delta, k) from
// trainer/privacy, run the audit with delta = g.delta and compare with g.epsilon. A delta = 0 bound is a bound on
// pure DP and says nothing against an (epsilon, delta > 0) accountant.

export {
  MAX_TEMPLATE_DIGITS,
  assignInclusion,
  canaryCandidateAt,
  canaryCommitmentSchema,
  canaryDigest,
  canaryPlanSchema,
  canarySchema,
  drawCanaries,
  fillCanarySpace,
  parseCanarySpace,
  prepareCanaries,
  sampleCanaryCandidates,
  type Canary,
  type CanaryCommitment,
  type CanaryPlan,
  type CanarySpace,
} from "./canaries";
export {
  MAX_SKEW_NORMAL_SKEWNESS,
  exactExposures,
  extrapolatedExposure,
  fitSkewNormal,
  fitSkewNormalMoments,
  owensT,
  scoreHistogram,
  skewNormalCdf,
  skewNormalDensity,
  skewNormalLogLikelihood,
  type ScoreHistogram,
  type SkewNormal,
} from "./exposure";
export {
  logLogRoc,
  membershipSummary,
  rocAuc,
  rocCurve,
  tprAtFpr,
  type LogLogRoc,
  type MembershipSummary,
  type Roc,
  type RocPoint,
  type TprAtFpr,
} from "./membership";
export {
  oneRunAudit,
  oneRunEpsilonLowerBound,
  oneRunGuesses,
  oneRunPValue,
  type OneRunAuditResult,
  type OneRunCounts,
} from "./one-run-audit";
export {
  accountantProfile,
  exceedances,
  logFprGrid,
  maxTpr,
  maxTprCurve,
  type Exceedance,
  type PrivacyGuarantee,
  type TradeoffPoint,
} from "./epsilon-meaning";
export { extractionSummary, type ExtractionAttempt, type ExtractionSummary } from "./extraction";
export {
  canaryExposureSchema,
  extractionSummarySchema,
  leakageReportSchema,
  membershipSummarySchema,
  oneRunAuditSchema,
  type LeakageReport,
} from "./report";
