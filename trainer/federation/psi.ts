// Private set intersection of subject identifiers between parties (ECDH-PSI over ristretto255, @noble/curves): each
// party hashes its identifiers to the group (RFC 9380 hash-to-curve), raises them to its secret scalar and sends them
// in a random order it keeps; the other party raises what it receives to its own scalar and sends it back in the same
// order. Equal identifiers meet at H(x)^(ab), so each party learns which of its identifiers the other holds and
// nothing else; the coordinator relays points and learns only the counts the parties report. Scalars come from
// node:crypto; a session's scalar is never reused, so its points cannot be linked to another session's.
import { randomBytes, randomInt } from "node:crypto";
import { ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";

const DST = "epsilon-ledger-psi-v1-ristretto255";
const ORDER = ristretto255.Point.Fn.ORDER;
const Point = ristretto255.Point;

/** A point as it travels: 32 bytes of the ristretto encoding, hex. */
export type WirePoint = string;

function randomScalar(): bigint {
  // 64 random bytes reduced modulo the group order (bias below 2^-250); never 0.
  const s = BigInt(`0x${randomBytes(64).toString("hex")}`) % ORDER;
  return s === 0n ? 1n : s;
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export class PsiParty {
  private readonly scalar = randomScalar();
  private readonly ids: string[];
  /** The random order its blinded points were sent in: position k holds identifier order[k]. */
  private readonly order: number[];

  /** `ids`: the party's subject identifiers (duplicates count once). */
  constructor(ids: readonly string[]) {
    this.ids = [...new Set(ids)];
    this.order = shuffled(this.ids.map((_, i) => i));
  }

  get size(): number {
    return this.ids.length;
  }

  /**
   * Its identifiers hashed to the group and blinded by its scalar, in a random order it keeps to itself: the other
   * party learns nothing from the order, and returns them (reblinded) in it.
   */
  blindOwn(): WirePoint[] {
    return this.order.map((i) => ristretto255_hasher.hashToCurve(new TextEncoder().encode(this.ids[i]!), { DST }).multiply(this.scalar).toHex());
  }

  /** The other party's blinded points raised to this party's scalar, in the order received. */
  reblind(points: readonly WirePoint[]): WirePoint[] {
    return points.map((p) => Point.fromHex(p).multiply(this.scalar).toHex());
  }

  /**
   * Which of its identifiers (in its own order) the other party holds: `mine` is its blinded list as the other
   * returned it (doubly blinded, in the order sent), `theirs` the other's blinded list, which this party reblinds.
   */
  heldByOther(mine: readonly WirePoint[], theirs: readonly WirePoint[]): boolean[] {
    if (mine.length !== this.ids.length) throw new RangeError(`${mine.length} points returned for ${this.ids.length} identifiers`);
    const other = new Set(this.reblind(theirs));
    const held = new Array<boolean>(this.ids.length).fill(false);
    mine.forEach((p, k) => (held[this.order[k]!] = other.has(p)));
    return held;
  }
}

/** What one party reports to the coordinator: counts only. */
export interface OverlapReport {
  party: string;
  /** Its identifiers. */
  subjects: number;
  /** Per other party, how many of its identifiers that party holds too. */
  shared_with: Record<string, number>;
  /** How many of its identifiers are held by k parties in all (itself included), by k. */
  held_by: Record<string, number>;
}

/**
 * Runs pairwise PSI between every two parties, relaying each message as the coordinator would (`relay` sees every
 * message, for tests), and returns each party's report. Each party learns, per identifier, at how many other parties
 * it is held; the coordinator only the reports.
 */
export function overlapReports(parties: ReadonlyMap<string, PsiParty>, relay: (message: { from: string; to: string; points: WirePoint[] }) => void = () => {}): OverlapReport[] {
  const names = [...parties.keys()].sort();
  const send = (from: string, to: string, points: WirePoint[]) => (relay({ from, to, points }), points);
  // Each party sends its blinded list to every other, which returns it reblinded.
  const blinded = new Map(names.map((n) => [n, parties.get(n)!.blindOwn()]));
  const held = new Map<string, Map<string, boolean[]>>(names.map((n) => [n, new Map()]));
  for (const a of names) {
    for (const b of names) {
      if (a === b) continue;
      const theirs = send(b, a, blinded.get(b)!);
      const mine = send(b, a, parties.get(b)!.reblind(send(a, b, blinded.get(a)!)));
      held.get(a)!.set(b, parties.get(a)!.heldByOther(mine, theirs));
    }
  }
  return names.map((name) => overlapReport(name, parties.get(name)!.size, held.get(name)!));
}

/** A party's report from which of its identifiers each other party holds. */
export function overlapReport(party: string, subjects: number, held: ReadonlyMap<string, readonly boolean[]>): OverlapReport {
  const elsewhere = new Array<number>(subjects).fill(0);
  const sharedWith: Record<string, number> = {};
  for (const [other, flags] of held) {
    sharedWith[other] = flags.filter(Boolean).length;
    flags.forEach((h, i) => h && (elsewhere[i]! += 1));
  }
  const heldBy: Record<string, number> = {};
  for (const others of elsewhere) heldBy[String(others + 1)] = (heldBy[String(others + 1)] ?? 0) + 1;
  return { party, subjects, shared_with: sharedWith, held_by: heldBy };
}

/** The most parties any one person is at, from the reports: the k of k-fold group privacy when parties are the unit. */
export function mostPartiesOfOnePerson(reports: readonly OverlapReport[]): number {
  return Math.max(1, ...reports.flatMap((r) => Object.keys(r.held_by).map(Number)));
}
