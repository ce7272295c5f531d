// Axis ticks for the SVG charts: round numbers (1, 2 or 5 times a power of ten) or evenly spaced dates, never more
// than the axis has room for, so that labels do not overlap.

/** Round-number ticks over [min, max], at most `most` of them (at least the two ends' neighbourhood). */
export function numberTicks(min: number, max: number, most: number, integers = false): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / Math.max(1, most - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => (max - min) / s <= Math.max(1, most - 1)) ?? 10 * power;
  if (integers) step = Math.max(1, Math.ceil(step));
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks.length > most ? ticks.filter((_, i) => i % Math.ceil(ticks.length / most) === 0) : ticks;
}

/** At most `most` evenly spaced instants over [min, max] (epoch milliseconds), ends included. */
export function timeTicks(min: number, max: number, most: number): number[] {
  if (!(max > min) || most < 2) return [min];
  const count = Math.min(most, 6);
  return Array.from({ length: count }, (_, i) => min + ((max - min) * i) / (count - 1));
}

/** A date label: the day ("30 Nov"), with the time when the axis spans less than two days. */
export function dateLabel(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const day = d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
  if (spanMs >= 2 * 86_400_000) return day;
  return `${day} ${d.toISOString().slice(11, 16)}`;
}

/** How many labels of `chars` characters (about 6 px each at 10 px type, plus a gap) fit along `pixels`. */
export const labelsThatFit = (pixels: number, chars: number): number => Math.max(2, Math.floor(pixels / (chars * 6 + 12)));
