// Secure aggregation: with 5 parties and 1 or 2 dropouts (before sending a vector, or before unmasking) the
// coordinator's unmasked sum equals the plain sum of the survivors' vectors to fixed-point precision; what it receives
// from one party is indistinguishable from uniform (a chi-square test that the unmasked vector fails); and fewer
// survivors than the threshold abort the round with a clear error.
import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decode, encode, fixedPointScale } from "./masking";
import { AggregationParty, SecureAggregationAbort, base64ToWords, unmaskSum, type MaskedInput, type UnmaskingShares } from "./secure-aggregation";
import { combine, split } from "./shamir";

const LENGTH = 2000;
const ROUND = "round-7";
const PARTIES = ["hospital-a", "hospital-b", "hospital-c", "hospital-d", "hospital-e"];
const vector = () => Float64Array.from({ length: LENGTH }, () => randomInt(-1_000_000, 1_000_001) / 1_000_000);

/** Rounds 0 and 1 for every party, relayed as a coordinator would. */
function setUp(threshold: number) {
  const parties = PARTIES.map((id) => new AggregationParty(id, ROUND));
  const advertised = parties.map((p) => p.advertise());
  const outgoing = parties.flatMap((p) => p.shareKeys(advertised, threshold));
  for (const p of parties) p.receiveShares(outgoing.filter((s) => s.to === p.id));
  return { parties, advertised };
}

/** A whole round: `silent` parties send no vector; `quiet` ones send one but no unmasking shares. */
function round(options: { threshold: number; silent?: string[]; quiet?: string[] }) {
  const { parties, advertised } = setUp(options.threshold);
  const scale = fixedPointScale(PARTIES.length, 1);
  const inputs = new Map(parties.map((p) => [p.id, vector()]));
  const masked: MaskedInput[] = parties.filter((p) => !options.silent?.includes(p.id)).map((p) => p.maskedInput(encode(inputs.get(p.id)!, scale)));
  const survivors = masked.map((m) => m.party);
  // The coordinator asks for unmasking shares only when enough vectors came (the parties refuse otherwise).
  const asked = survivors.length >= options.threshold ? parties.filter((p) => survivors.includes(p.id) && !options.quiet?.includes(p.id)) : [];
  const unmasking: UnmaskingShares[] = asked.map((p) => p.unmaskingShares(survivors));
  const result = unmaskSum({ roundId: ROUND, threshold: options.threshold, length: LENGTH, advertised, masked, unmasking });
  const plain = new Float64Array(LENGTH);
  for (const id of survivors) inputs.get(id)!.forEach((v, i) => (plain[i]! += v));
  return { result, sum: decode(result.sum, scale), plain, scale, survivors, masked, inputs };
}

describe("Shamir's secret sharing", () => {
  it("any threshold of the shares recovers the secret; the shares are not the secret", () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
    const shares = split(secret, 3, 5);
    expect(combine([shares[0]!, shares[2]!, shares[4]!], 32)).toEqual(secret);
    expect(combine([shares[3]!, shares[1]!, shares[0]!], 32)).toEqual(secret);
    // Two shares interpolate to some other field element (as 66 bytes, it ends in anything but the secret).
    expect(combine(shares.slice(0, 2), 66).subarray(34)).not.toEqual(secret);
  });
});

describe("secure aggregation", () => {
  it.each([
    { name: "no dropout", silent: [] as string[], quiet: [] as string[] },
    { name: "1 party dropping before its vector", silent: ["hospital-c"], quiet: [] },
    { name: "2 parties dropping before their vectors", silent: ["hospital-a", "hospital-e"], quiet: [] },
    { name: "1 before its vector, 1 before unmasking", silent: ["hospital-b"], quiet: ["hospital-d"] },
  ])("unmasks the survivors' plain sum: $name", ({ silent, quiet }) => {
    const { sum, plain, scale, result } = round({ threshold: 3, silent, quiet });
    expect(result.dropped).toEqual([...silent].sort());
    expect(result.survivors).toHaveLength(PARTIES.length - silent.length);
    // Each vector was rounded to a multiple of 1/scale: the sum is within half a step per party.
    const tolerance = (0.5 * PARTIES.length) / scale;
    for (let i = 0; i < LENGTH; i++) expect(Math.abs(sum[i]! - plain[i]!)).toBeLessThanOrEqual(tolerance);
  });

  it("what the coordinator receives from one party is indistinguishable from uniform; the unmasked vector is not", () => {
    const { masked, inputs, scale } = round({ threshold: 3 });
    // Chi-square over 256 bins of each byte of every word: df = 255; the 1 − 1e−6 quantile is about 377.
    const chiSquare = (words: Uint32Array, shift: number) => {
      const bins = new Array<number>(256).fill(0);
      for (const w of words) bins[(w >>> shift) & 0xff]! += 1;
      const expected = words.length / 256;
      return bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    };
    const seen = base64ToWords(masked[0]!.masked, LENGTH);
    for (const shift of [0, 8, 16, 24]) expect(chiSquare(seen, shift)).toBeLessThan(377);
    const plain = encode(inputs.get(masked[0]!.party)!, scale);
    expect(chiSquare(plain, 24)).toBeGreaterThan(377);
  });

  it("aborts, naming why, when fewer survivors than the threshold remain", () => {
    expect(() => round({ threshold: 3, silent: ["hospital-a", "hospital-b", "hospital-c"] })).toThrow(
      new SecureAggregationAbort("only 2 of 5 parties sent their masked update; at least 3 must, so the round is abandoned"),
    );
    expect(() => round({ threshold: 4, silent: ["hospital-a"], quiet: ["hospital-b"] })).toThrow(
      new SecureAggregationAbort("only 3 of 4 survivors sent their unmasking shares; at least 4 must, so the round is abandoned"),
    );
    expect(() => setUp(2)).toThrow("the threshold must be more than half of the 5 parties and at most 5; it is 2");
  });

  it("a party never reveals both secrets of one party, and refuses survivors below the threshold", () => {
    const { parties } = setUp(3);
    const scale = fixedPointScale(5, 1);
    for (const p of parties) p.maskedInput(encode(vector(), scale));
    const answer = parties[0]!.unmaskingShares(PARTIES.slice(0, 4));
    expect(Object.keys(answer.self_mask).sort()).toEqual(PARTIES.slice(0, 4));
    expect(Object.keys(answer.mask_key)).toEqual(["hospital-e"]);
    expect(() => parties[1]!.unmaskingShares(PARTIES.slice(0, 2))).toThrow("only 2 survivors; the threshold is 3");
  });
});
