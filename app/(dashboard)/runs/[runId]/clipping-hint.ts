// What the clipped fraction says about the clip norm: when nearly every unit is clipped (the clip norm is small next to
// the gradients) or nearly none (it is larger than needed, so the noise, which grows with it, is too), what to change.

/** Steps looked at: the latest ones, once there are enough to judge. */
const WINDOW = 10;
const MIN_STEPS = 3;

export function clippingHint(steps: readonly { clippedFraction: number | null; gradNormQuantiles: { p50: number } | null }[], clipNorm: number): string | null {
  const recent = steps.slice(-WINDOW).filter((s) => s.clippedFraction !== null);
  if (recent.length < MIN_STEPS) return null;
  const mean = recent.reduce((sum, s) => sum + s.clippedFraction!, 0) / recent.length;
  const medians = recent.flatMap((s) => (s.gradNormQuantiles ? [s.gradNormQuantiles.p50] : [])).sort((a, b) => a - b);
  const median = medians.length > 0 ? medians[Math.floor(medians.length / 2)]! : null;
  const near = median === null ? "" : ` (the median gradient norm is about ${Number(median.toPrecision(2))})`;
  if (mean >= 0.9) {
    return (
      `Almost every unit is clipped (${Math.round(mean * 100)}% over the last ${recent.length} steps): the clip norm ${clipNorm} is small next to the gradients${near}. ` +
      "Training still works but is biased; try a larger clip norm, closer to the median gradient norm."
    );
  }
  if (mean <= 0.1) {
    return (
      `Almost no unit is clipped (${Math.round(mean * 100)}% over the last ${recent.length} steps): the clip norm ${clipNorm} is larger than the gradients need${near}, ` +
      "and the noise grows with it. Try a smaller clip norm, closer to the median gradient norm, for less noise at the same epsilon."
    );
  }
  return null;
}
