// Canaries for the leakage audit: random secrets drawn from a stated randomness space, a fair coin per
// canary deciding whether it is inserted into the training data, and salted SHA-256 commitments so the draws and
// the audit settings can be written to the audit log before training starts. Randomness comes from node:crypto only.
//
// Template language of a randomness space: literal text with digit slots. A slot is "{" followed by one or more
// "d" and "}"; each "d" is one decimal digit drawn uniformly and independently. "{" and "}" appear only as slot
// delimiters. Examples: "my SSN is {ddd}-{dd}-{dddd}" (|R| = 10^9), "call me on 555-{ddd}-{dddd}" (|R| = 10^7).
// The space R is every filling of the slots, so |R| = 10^(number of digit slots), exactly.
import { createHash, randomBytes, randomInt } from "node:crypto";
import { z } from "zod";

/** Most digits a template may hold: 10^30 candidates, far beyond anything a model could be scored on. */
export const MAX_TEMPLATE_DIGITS = 30;

export interface CanarySpace {
  readonly template: string;
  /** The literal text around the slots; parts.length === slotLengths.length + 1. */
  readonly parts: readonly string[];
  /** Digits per slot, in order. */
  readonly slotLengths: readonly number[];
  /** Total number of digits, so |R| = 10^digits. */
  readonly digits: number;
  /** |R|, exactly. */
  readonly size: bigint;
  /** log2 |R| = digits * log2(10). */
  readonly log2Size: number;
}

/** Parses a template (see the file comment); throws RangeError naming the problem. */
export function parseCanarySpace(template: string): CanarySpace {
  const parts: string[] = [];
  const slotLengths: number[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === "}") throw new RangeError(`canary template: unmatched "}" at position ${i}`);
    if (c !== "{") {
      literal += c;
      i++;
      continue;
    }
    const close = template.indexOf("}", i);
    const slot = close < 0 ? "" : template.slice(i + 1, close);
    if (!/^d+$/.test(slot)) {
      throw new RangeError(`canary template: slot at position ${i} must be "{" then one or more "d" then "}"`);
    }
    parts.push(literal);
    literal = "";
    slotLengths.push(slot.length);
    i = close + 1;
  }
  parts.push(literal);
  const digits = slotLengths.reduce((a, b) => a + b, 0);
  if (digits === 0) throw new RangeError("canary template: needs at least one digit slot");
  if (digits > MAX_TEMPLATE_DIGITS) {
    throw new RangeError(`canary template: ${digits} digits is more than the ${MAX_TEMPLATE_DIGITS} allowed`);
  }
  return { template, parts, slotLengths, digits, size: 10n ** BigInt(digits), log2Size: digits * Math.log2(10) };
}

/** The member of R whose slots, read left to right, spell `digitString` (exactly space.digits decimal digits). */
export function fillCanarySpace(space: CanarySpace, digitString: string): string {
  if (digitString.length !== space.digits || !/^[0-9]*$/.test(digitString)) {
    throw new RangeError(`canary space needs exactly ${space.digits} decimal digits, got "${digitString}"`);
  }
  let out = space.parts[0] ?? "";
  let at = 0;
  space.slotLengths.forEach((length, slot) => {
    out += digitString.slice(at, at + length) + (space.parts[slot + 1] ?? "");
    at += length;
  });
  return out;
}

/** The index-th member of R in lexicographic order of its digits (0 <= index < |R|), for enumerating toy spaces. */
export function canaryCandidateAt(space: CanarySpace, index: bigint): string {
  if (index < 0n || index >= space.size) throw new RangeError(`candidate index ${index} outside [0, ${space.size})`);
  return fillCanarySpace(space, index.toString().padStart(space.digits, "0"));
}

/** n members of R drawn uniformly and independently (with replacement), e.g. the reference sample for exposure. */
export function sampleCanaryCandidates(space: CanarySpace, n: number): string[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`sample size must be a whole number >= 0, got ${n}`);
  return Array.from({ length: n }, () =>
    fillCanarySpace(space, Array.from({ length: space.digits }, () => String(randomInt(10))).join("")),
  );
}

/** m distinct members of R drawn uniformly (sampling without replacement, by rejection). */
export function drawCanaries(space: CanarySpace, m: number): string[] {
  if (!Number.isSafeInteger(m) || m < 1) throw new RangeError(`m must be a whole number >= 1, got ${m}`);
  if (BigInt(m) > space.size) throw new RangeError(`cannot draw ${m} distinct canaries from a space of ${space.size}`);
  const drawn = new Set<string>();
  while (drawn.size < m) for (const secret of sampleCanaryCandidates(space, m - drawn.size)) drawn.add(secret);
  return [...drawn];
}

/** For each of m canaries, an independent fair coin (crypto randomness): true means it is inserted into training. */
export function assignInclusion(m: number): boolean[] {
  if (!Number.isSafeInteger(m) || m < 0) throw new RangeError(`m must be a whole number >= 0, got ${m}`);
  const bytes = randomBytes(Math.ceil(m / 8));
  return Array.from({ length: m }, (_, i) => (((bytes[i >> 3] ?? 0) >> (i & 7)) & 1) === 1);
}

/**
 * The commitment to one canary: SHA-256 (hex) of the UTF-8 bytes of `${salt}:${secret}`. The salt (random, kept
 * server-side with the secret) makes the commitment hiding: an unsalted hash of a secret from a space of 10^9 is
 * inverted by hashing the whole space in seconds, which would put the secrets into the audit log.
 */
export function canaryDigest(secret: string, salt: string): string {
  return createHash("sha256").update(`${salt}:${secret}`, "utf8").digest("hex");
}

const wholeNumber = (min: number) => z.number().int().min(min);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 digest in lowercase hex");

/** The audit settings, fixed and written to the audit log before training (no seed: draws use crypto randomness). */
export const canaryPlanSchema = z
  .strictObject({
    /** The randomness space, as a template (see this file's opening comment). */
    space: z.string().min(1),
    /** Number of canaries drawn; each is inserted with probability 1/2. */
    m: wholeNumber(1),
    /** How many times an inserted canary appears in the training data. */
    repeats: wholeNumber(1),
    /** One-run audit: guess "inserted" for the k_plus highest scores... */
    k_plus: wholeNumber(0),
    /** ...and "not inserted" for the k_minus lowest; abstain on the rest. */
    k_minus: wholeNumber(0),
    /** Confidence of the empirical epsilon lower bound, e.g. 0.95. */
    confidence: z.number().gt(0).lt(1),
  })
  .superRefine((plan, ctx) => {
    let space: CanarySpace | undefined;
    try {
      space = parseCanarySpace(plan.space);
    } catch (error) {
      ctx.addIssue({ code: "custom", path: ["space"], message: (error as Error).message });
    }
    if (space && BigInt(plan.m) > space.size) {
      ctx.addIssue({ code: "custom", path: ["m"], message: `m exceeds the size of the space (${space.size})` });
    }
    if (plan.k_plus + plan.k_minus > plan.m) {
      ctx.addIssue({ code: "custom", path: ["k_plus"], message: "k_plus + k_minus must not exceed m" });
    }
    if (plan.k_plus + plan.k_minus === 0) {
      ctx.addIssue({ code: "custom", path: ["k_plus"], message: "k_plus + k_minus must be at least 1" });
    }
  });
export type CanaryPlan = z.infer<typeof canaryPlanSchema>;

/** What goes into the audit log before training: the plan and one digest per canary, in canary order. */
export const canaryCommitmentSchema = z
  .strictObject({ plan: canaryPlanSchema, digests: z.array(sha256Hex) })
  .refine((c) => c.digests.length === c.plan.m, { message: "one digest per canary", path: ["digests"] });
export type CanaryCommitment = z.infer<typeof canaryCommitmentSchema>;

/** One canary as kept server-side for scoring (never in the audit log, never in the model's disclosures). */
export const canarySchema = z.strictObject({
  secret: z.string().min(1),
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  digest: sha256Hex,
  included: z.boolean(),
});
export type Canary = z.infer<typeof canarySchema>;

/** Draws the canaries of a plan, flips their inclusion coins and commits to them. */
export function prepareCanaries(plan: CanaryPlan): { commitment: CanaryCommitment; canaries: Canary[] } {
  const parsed = canaryPlanSchema.parse(plan);
  const secrets = drawCanaries(parseCanarySpace(parsed.space), parsed.m);
  const included = assignInclusion(parsed.m);
  const canaries = secrets.map((secret, i) => {
    const salt = randomBytes(16).toString("hex");
    return { secret, salt, digest: canaryDigest(secret, salt), included: included[i] === true };
  });
  return { commitment: { plan: parsed, digests: canaries.map((c) => c.digest) }, canaries };
}
