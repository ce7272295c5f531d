// One round of DP federated averaging (DP-FedAvg, McMahan et al. 2018) with secure aggregation, as the coordinator
// runs it over its parties, local or remote alike (RoundParty):
//
//   1. sample    each party independently with probability q (node:crypto);
//   2. keys      every party advertises keys and shares them (secure-aggregation.ts, threshold t > n/2, and never
//                below MIN_SURVIVORS);
//   3. update    each sampled party trains from the global weights on its own data, clips its delta to L2 norm C,
//                and sends it masked in fixed point; the others send zeros, masked alike; a party may drop out at
//                any step;
//   4. unmask    the coordinator recovers the survivors' sum only, or the round aborts (nothing applied, nothing
//                spent: the sum was never learnt);
//   5. noise     N(0, σ²C²) per coordinate (node:crypto) on the sum, divided by the expected number of parties qN
//                (fixed, so one party's add-or-remove moves it by at most C/(qN)), added to the global weights.
//                With distributed noise (distributed-noise.ts) each party adds its discrete share in step 3 instead,
//                enough that the threshold's survivors carry σ²C² between them, and the coordinator adds none.
//
// An applied round spends one Poisson-sampled Gaussian event (q, σ) with the party as the unit (a round with an empty
// sample is noise alone and spends the same); with distributed noise, the Gaussian of the same zCDP, without
// amplification by sampling. A round is abandoned only for dropouts, which are taken to depend neither on the data
// nor on the sample.
import { dpSgdEvent, type PrivacyEvent } from "../../privacy";
import type { HostTensors } from "../safetensors";
import { gaussians, poissonSample } from "../secure-random";
import { chargedNoiseMultiplier, distributedScale, encodeWithNoise, partyNoiseStd } from "./distributed-noise";
import { decode, encode, fixedPointScale } from "./masking";
import { AggregationParty, SecureAggregationAbort, unmaskSum, type AdvertisedKeys, type EncryptedShares, type MaskedInput, type UnmaskingShares } from "./secure-aggregation";

/** A party as a round talks to it; null from any step means it dropped out there. */
export interface RoundParty {
  readonly id: string;
  advertise(roundId: string): Promise<AdvertisedKeys | null>;
  shareKeys(advertised: readonly AdvertisedKeys[], threshold: number): Promise<EncryptedShares[] | null>;
  receiveShares(shares: readonly EncryptedShares[]): Promise<void>;
  /**
   * Sends its update masked in `encoding`'s units (with its noise share, if any): when `contribute` (it was sampled),
   * its delta from training from `global`, clipped to `clipNorm`; else zeros.
   */
  maskedUpdate(global: Float32Array, clipNorm: number, encoding: Encoding, contribute: boolean): Promise<MaskedInput | null>;
  unmaskingShares(survivors: readonly string[]): Promise<UnmaskingShares | null>;
}

export interface RoundSettings {
  roundId: string;
  samplingRate: number;
  clipNorm: number;
  noiseMultiplier: number;
  /** Who adds the noise: the coordinator (Gaussian, on the sum), or the parties (discrete shares). Central by default. */
  noise?: "central" | "distributed";
  /**
   * When parties clip per person (a person as the unit, C each person's bound): each party's whole vector's bound,
   * C times the people it declared (it clips its sum to that too, which moves no person's share by more), and the
   * divisor, q times all the people declared. Absent: every party's bound is C and the divisor qN.
   */
  perPerson?: { bounds: ReadonlyMap<string, number>; expected: number };
}

/** The units a party's update is sent in: the fixed-point scale, and its discrete noise's std (null: central noise). */
export interface Encoding {
  scale: number;
  noiseStd: number | null;
}

/** A party's clipped delta as it sends it (before masking): in fixed point, or rounded at random with its noise. */
export function encodeUpdate(delta: Float32Array, clipNorm: number, encoding: Encoding): Uint32Array {
  const clipped = clipToNorm(delta, clipNorm);
  return encoding.noiseStd === null ? encode(clipped, encoding.scale) : encodeWithNoise(clipped, encoding.scale, encoding.noiseStd);
}

export type RoundOutcome =
  | { applied: true; weights: Float32Array; sampled: string[]; survivors: string[]; dropped: string[]; event: PrivacyEvent }
  | { applied: false; weights: Float32Array; sampled: string[]; survivors: string[]; dropped: string[]; reason: string };

/** A model's trainable parameters (host tensors, e.g. a weights file's) as one vector, in name order: how rounds carry them. */
export function flattenByName(tensors: HostTensors): Float32Array {
  const names = Object.keys(tensors).sort();
  const out = new Float32Array(names.reduce((n, name) => n + tensors[name]!.data.length, 0));
  let at = 0;
  for (const name of names) {
    out.set(tensors[name]!.data, at);
    at += tensors[name]!.data.length;
  }
  return out;
}

/** The delta scaled down to L2 norm at most `clipNorm` (unchanged when already within it). */
export function clipToNorm(delta: Float32Array, clipNorm: number): Float32Array {
  let sq = 0;
  for (const v of delta) sq += v * v;
  const norm = Math.sqrt(sq);
  if (norm <= clipNorm) return delta;
  const factor = clipNorm / norm;
  return delta.map((v) => v * factor);
}

/** The smallest threshold above half of n parties. */
export const majority = (n: number) => Math.floor(n / 2) + 1;

/** The fewest answering parties whose sum a round unmasks: one party's "sum" would be its own vector, in the clear. */
export const MIN_SURVIVORS = 2;

/**
 * One round over `parties` (every party of the run; the round samples among them). Every party takes part in secure
 * aggregation, whether sampled or not: a sampled party sends its clipped delta, the others zeros (with distributed
 * noise, every party its noise share). So whether the round is abandoned depends on dropouts alone, never on who was
 * sampled, and what the sum holds of a party that did not drop out is its delta exactly when it was sampled: the
 * Poisson-sampled Gaussian's structure, which the accountant's event assumes.
 */
export async function federatedRound(global: Float32Array, parties: readonly RoundParty[], s: RoundSettings): Promise<RoundOutcome> {
  const sampledIds = new Set(poissonSample(parties.length, s.samplingRate).map((i) => parties[i]!.id));
  const ids = parties.filter((p) => sampledIds.has(p.id)).map((p) => p.id);
  const expected = s.perPerson?.expected ?? s.samplingRate * parties.length;
  const distributed = s.noise === "distributed";
  if (distributed && s.perPerson) throw new RangeError("distributed noise is calibrated to parties' deltas, not to per-person clipping");
  const boundOf = (p: RoundParty) => s.perPerson?.bounds.get(p.id) ?? s.clipNorm;
  const noisy = (sum: Float64Array) => {
    // With distributed noise the sum carries it already.
    const noise = distributed ? new Float32Array(global.length) : gaussians(global.length, s.noiseMultiplier * s.clipNorm);
    return global.map((w, i) => w + (sum[i]! + noise[i]!) / expected);
  };
  const event = distributed
    ? dpSgdEvent(1, chargedNoiseMultiplier({ parties: parties.length, clipNorm: s.clipNorm, noiseMultiplier: s.noiseMultiplier, dimension: global.length }), 1)
    : dpSgdEvent(s.samplingRate, s.noiseMultiplier, 1);

  const everyone = parties.map((p) => p.id);
  const abort = (reason: string, survivors: string[] = []): RoundOutcome => ({ applied: false, weights: global, sampled: ids, survivors, dropped: everyone.filter((i) => !survivors.includes(i)), reason });
  const present = <T>(answers: (T | null)[], of: readonly RoundParty[]) => of.filter((_, i) => answers[i] !== null);

  const advertised = await Promise.all(parties.map((p) => p.advertise(s.roundId)));
  const keyed = present(advertised, parties);
  const threshold = Math.max(MIN_SURVIVORS, majority(keyed.length));
  if (keyed.length < threshold) return abort(`only ${keyed.length} of ${parties.length} parties advertised keys; at least ${threshold} must`);
  const keys = advertised.filter((a): a is AdvertisedKeys => a !== null);
  const shares = await Promise.all(keyed.map((p) => p.shareKeys(keys, threshold)));
  const sharing = present(shares, keyed);
  if (sharing.length < threshold) return abort(`only ${sharing.length} of ${keyed.length} parties shared their keys; at least ${threshold} must`);
  const all = shares.filter((x): x is EncryptedShares[] => x !== null).flat();
  await Promise.all(sharing.map((p) => p.receiveShares(all.filter((m) => m.to === p.id))));

  const encoding: Encoding = distributed
    ? (() => {
        const scale = distributedScale(keyed.length, s.clipNorm, s.noiseMultiplier);
        return { scale, noiseStd: partyNoiseStd(scale, s.clipNorm, s.noiseMultiplier, threshold) };
      })()
    : { scale: fixedPointScale(1, keyed.reduce((sum, p) => sum + boundOf(p), 0)), noiseStd: null };
  const { scale } = encoding;
  const masked = (await Promise.all(sharing.map((p) => p.maskedUpdate(global, boundOf(p), encoding, sampledIds.has(p.id))))).filter((m): m is MaskedInput => m !== null);
  const survivors = masked.map((m) => m.party).sort();
  if (survivors.length < threshold) return abort(`only ${survivors.length} of ${keyed.length} parties sent their masked update; at least ${threshold} must`, survivors);
  const unmasking = (await Promise.all(sharing.filter((p) => survivors.includes(p.id)).map((p) => p.unmaskingShares(survivors)))).filter((u): u is UnmaskingShares => u !== null);
  try {
    // The parties that advertised but shared no keys have no shares anywhere: they count among the advertised only
    // through the shares of those that did, so the coordinator sums over those that shared.
    const sharedKeys = keys.filter((k) => sharing.some((p) => p.id === k.party));
    const { sum, dropped } = unmaskSum({ roundId: s.roundId, threshold, length: global.length, advertised: sharedKeys, masked, unmasking });
    return { applied: true, weights: noisy(decode(sum, scale)), sampled: ids, survivors, dropped: [...new Set([...dropped, ...everyone.filter((i) => !survivors.includes(i))])].sort(), event };
  } catch (err) {
    if (err instanceof SecureAggregationAbort) return abort(err.message, survivors);
    throw err;
  }
}

/**
 * A party in this process: trains with `train` (its delta from the global weights on its own data), clips, encodes and
 * masks. `dropAt` makes it drop out at a step (for tests and simulations).
 */
export class LocalRoundParty implements RoundParty {
  private party: AggregationParty | null = null;

  constructor(
    readonly id: string,
    private readonly train: (global: Float32Array) => Float32Array | Promise<Float32Array>,
    private readonly dropAt: "advertise" | "share" | "update" | "unmask" | null = null,
  ) {}

  async advertise(roundId: string): Promise<AdvertisedKeys | null> {
    if (this.dropAt === "advertise") return null;
    this.party = new AggregationParty(this.id, roundId);
    return this.party.advertise();
  }

  async shareKeys(advertised: readonly AdvertisedKeys[], threshold: number): Promise<EncryptedShares[] | null> {
    return this.dropAt === "share" ? null : this.party!.shareKeys(advertised, threshold);
  }

  async receiveShares(shares: readonly EncryptedShares[]): Promise<void> {
    this.party!.receiveShares(shares);
  }

  async maskedUpdate(global: Float32Array, clipNorm: number, encoding: Encoding, contribute: boolean): Promise<MaskedInput | null> {
    if (this.dropAt === "update") return null;
    const delta = contribute ? Float32Array.from(await this.train(global)) : new Float32Array(global.length);
    return this.party!.maskedInput(encodeUpdate(delta, clipNorm, encoding));
  }

  async unmaskingShares(survivors: readonly string[]): Promise<UnmaskingShares | null> {
    return this.dropAt === "unmask" ? null : this.party!.unmaskingShares(survivors);
  }
}
