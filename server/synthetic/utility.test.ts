// Train on synthetic, test on real: a classifier trained on synthetic records that carry the labels' words labels the
// real held-out records as well as one trained on real records; records without the labels' words do no better than
// chance; and what cannot be measured says why.
import { describe, expect, it } from "vitest";
import { syntheticUtility } from "./utility";

const spam = (i: number) => `win cheap money offer ${i}`;
const ham = (i: number) => `meeting notes report ${i}`;
const real = {
  train: Array.from({ length: 40 }, (_, i) => (i % 2 ? { text: spam(i), label: "spam" } : { text: ham(i), label: "ham" })),
  heldOut: Array.from({ length: 20 }, (_, i) => (i % 2 ? { text: spam(100 + i), label: "spam" } : { text: ham(100 + i), label: "ham" })),
};

describe("syntheticUtility", () => {
  it("scores the classifier trained on synthetic records beside the one trained on real records", () => {
    const synthetic = Array.from({ length: 20 }, (_, i) => (i % 2 ? { text: `cheap offer win ${i}`, label: "spam" } : { text: `report of the meeting ${i}`, label: "ham" }));
    const u = syntheticUtility(synthetic, real, ["spam", "ham"]);
    expect(u).toEqual({ labels: ["spam", "ham"], test_records: 20, synthetic: { accuracy: 1, macro_f1: 1 }, real: { accuracy: 1, macro_f1: 1 } });
    // Records whose text says nothing of their label teach nothing: a majority guess at best.
    const noise = Array.from({ length: 20 }, (_, i) => ({ text: `zzz qqq ${i % 3}`, label: i % 2 ? "spam" : "ham" }));
    const poor = syntheticUtility(noise, real, ["spam", "ham"]);
    expect("synthetic" in poor && poor.synthetic.macro_f1).toBeLessThan(0.8);
  });

  it("says why it was not measured", () => {
    expect(syntheticUtility([], real, ["spam"])).toEqual({ skipped: "The records carry fewer than two of the source run's labels." });
    expect(syntheticUtility([{ text: "x", label: null }], real, ["spam", "ham"])).toEqual({ skipped: "No synthetic record carries one of the source run's labels." });
    expect(syntheticUtility([{ text: "x", label: "spam" }], { ...real, heldOut: [] }, ["spam", "ham"])).toEqual({ skipped: "The source run held out no record with one of these labels." });
  });
});
