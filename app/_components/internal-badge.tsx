// The "internal, not DP" label, beside every figure computed from private data without differential privacy.
export const INTERNAL_NOT_DP_EXPLANATION = "Computed from private data without differential privacy: for people inside the organisation; never publish.";

export function InternalBadge() {
  return (
    <span className="badge internal" title={INTERNAL_NOT_DP_EXPLANATION} data-testid="internal-not-dp">
      internal, not DP
    </span>
  );
}
