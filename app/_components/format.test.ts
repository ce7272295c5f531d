// Figures rounded for people, and the epsilon sentence's factor.
import { describe, expect, it } from "vitest";
import { epsilonSentence } from "./epsilon-sentence";
import { eps, prob } from "./format";

describe("eps", () => {
  it("keeps 3 significant digits and writes tiny values in scientific notation", () => {
    expect([0.123456, 1.98765, 12.3456, 1234.5, 0.0001234, 0, Infinity, null].map(eps)).toEqual([
      "0.123",
      "1.99",
      "12.3",
      "1230",
      "1.2e-4",
      "0",
      "∞",
      "–",
    ]);
  });
  it("writes delta with 2 significant digits", () => {
    expect([1e-5, 0.012345, 0].map(prob)).toEqual(["1.0e-5", "0.012", "0"]);
  });
});

describe("epsilonSentence", () => {
  it("states e^epsilon as the attacker's odds, for the privacy unit", () => {
    expect(epsilonSentence(1, 1e-5)).toBe(
      "ε = 1 means an attacker who sees the model is at most 2.7 times more likely to tell whether one person's records were used than without it (except with probability δ = 1.0e-5).",
    );
    expect(epsilonSentence(8, 1e-6, "record")).toContain("at most 2981 times more likely to tell whether one record was used");
  });
});
