// Private set intersection of subject identifiers between parties (ECDH-PSI over ristretto255, @noble/curves): each
// party hashes its identifiers to the group (RFC 9380 hash-to-curve) and raises them to its secret scalar; the other
// party raises what it receives to its own scalar and sends it back in the same order, with its own set blinded and
// shuffled. Equal identifiers meet at H(x)^(ab), so each party learns which of its identifiers the other holds and
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

  /** `ids`: the party's subject identifiers (duplicates count once). */
  constructor(ids: readonly string[]) {
    this.ids = [...new Set(ids)];
  }

  get size(): number {
    return this.ids.length;
  }

  /** Its identifiers hashed to the group and blinded by its scalar, in its own order (it keeps the order to itself). */
  blindOwn(): WirePoint[] {
    return this.ids.map((id) => ristretto255_hasher.hashToCurve(new TextEncoder().encode(id), { DST }).multiply(this.scalar).toHex());
  }

  /** The other party's blinded points raised to this party's scalar, in the order received. */
  reblind(points: readonly WirePoint[]): WirePoint[] {
    return points.map((p) => Point.fromHex(p).multiply(this.scalar).toHex());
  }

  /** Its own blinded points, doubly blinded by this party too, shuffled: what it sends for the other to compare with. */
  reblindShuffled(points: readonly WirePoint[]): WirePoint[] {
    return shuffled(this.reblind(points));
  }

  /**
   * Which of its identifiers the other party holds: `mine` is its own blinded list as the other returned it (same
   * order, now doubly blinded), `theirs` the other's doubly blinded set.
   */
  heldByOther(mine: readonly WirePoint[], theirs: readonly WirePoint[]): boolean[] {
    if (mine.length !== this.ids.length) throw new RangeError(`${mine.length} points returned for ${this.ids.length} identifiers`);
    const other = new Set(theirs);
    return mine.map((p) => other.has(p));
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
  const heldElsewhere = new Map(names.map((n) => [n, new Array<number>(parties.get(n)!.size).fill(0)]));
  const sharedWith = new Map(names.map((n) => [n, {} as Record<string, number>]));
  const send = (from: string, to: string, points: WirePoint[]) => (relay({ from, to, points }), points);
  for (const a of names) {
    for (const b of names) {
      if (a === b) continue;
      // a learns which of its identifiers b holds.
      const pa = parties.get(a)!;
      const pb = parties.get(b)!;
      const mine = send(b, a, pb.reblind(send(a, b, pa.blindOwn())));
      const theirs = pa.reblind(send(b, a, shuffled(pb.blindOwn())));
      const held = pa.heldByOther(mine, theirs);
      held.forEach((h, i) => h && (heldElsewhere.get(a)![i]! += 1));
      sharedWith.get(a)![b] = held.filter(Boolean).length;
    }
  }
  return names.map((name) => {
    const heldBy: Record<string, number> = {};
    for (const others of heldElsewhere.get(name)!) heldBy[String(others + 1)] = (heldBy[String(others + 1)] ?? 0) + 1;
    return { party: name, subjects: parties.get(name)!.size, shared_with: sharedWith.get(name)!, held_by: heldBy };
  });
}

/** The most parties any one person is at, from the reports: the k of k-fold group privacy when parties are the unit. */
export function mostPartiesOfOnePerson(reports: readonly OverlapReport[]): number {
  return Math.max(1, ...reports.flatMap((r) => Object.keys(r.held_by).map(Number)));
}
