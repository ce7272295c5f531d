// A uniform sample of up to n items without replacement from a stream (reservoir sampling with node:crypto draws),
// kept in the stream's order; shared by the leakage tests and the red team's built-in attack sets.
import { randomInt } from "node:crypto";

export class Reservoir<T> {
  private readonly kept: { at: number; item: T }[] = [];
  private seen = 0;
  constructor(private readonly n: number) {}
  add(item: T): void {
    const at = this.seen++;
    if (this.kept.length < this.n) this.kept.push({ at, item });
    else {
      const j = randomInt(at + 1);
      if (j < this.n) this.kept[j] = { at, item };
    }
  }
  items(): T[] {
    return [...this.kept].sort((a, b) => a.at - b.at).map((k) => k.item);
  }
}
