// Turns: never more than the limit at once, the waiting ones started in the order they came, and a failure ends its
// turn like a success.
import { describe, expect, it } from "vitest";
import { turns } from "./turns";

/** A promise and the functions that settle it. */
function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("turns", () => {
  it("runs at most the limit at once, and the rest in arrival order", async () => {
    const inTurn = turns(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const done = gates.map((g, i) =>
      inTurn(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await g.promise;
        running--;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    // The second ends first: the third starts in its turn, then the fourth and fifth as others end.
    for (const i of [1, 0, 2, 3, 4]) {
      gates[i]!.resolve();
      await done[i];
    }
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it("ends a turn whose work fails, and gives the failure to its caller", async () => {
    const inTurn = turns(1);
    const failing = inTurn(async () => {
      throw new Error("no");
    });
    const next = inTurn(async () => "next ran");
    await expect(failing).rejects.toThrow("no");
    expect(await next).toBe("next ran");
  });
});
