// Private set intersection of subjects: three parties with known overlaps learn the right counts (pairwise, and how
// many parties hold each of their identifiers), the most parties one person is at is found, and no message the
// coordinator relays carries an identifier, or its plain hash, or repeats between sessions.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PsiParty, mostPartiesOfOnePerson, overlapReports, type WirePoint } from "./psi";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `patient-${from + i}`);
// A: 1–10, B: 6–15, C: 9–20. A∩B = 6–10 (5), A∩C = 9–10 (2), B∩C = 9–15 (7); 9 and 10 are at all three.
const SETS = { A: range(1, 10), B: range(6, 15), C: range(9, 20) };

const partiesOf = () => new Map(Object.entries(SETS).map(([name, ids]) => [name, new PsiParty(ids)]));

describe("ECDH private set intersection", () => {
  it("gives each party its pairwise counts and how many parties hold each identifier", () => {
    const reports = overlapReports(partiesOf());
    expect(reports).toEqual([
      { party: "A", subjects: 10, shared_with: { B: 5, C: 2 }, held_by: { "1": 5, "2": 3, "3": 2 } },
      { party: "B", subjects: 10, shared_with: { A: 5, C: 7 }, held_by: { "2": 8, "3": 2 } },
      { party: "C", subjects: 12, shared_with: { A: 2, B: 7 }, held_by: { "1": 5, "2": 5, "3": 2 } },
    ]);
    expect(mostPartiesOfOnePerson(reports)).toBe(3);
    expect(mostPartiesOfOnePerson(overlapReports(new Map([["A", new PsiParty(range(1, 3))], ["B", new PsiParty(range(4, 6))]])))).toBe(1);
  });

  it("relays no identifier, no plain hash of one, and points that differ from session to session", () => {
    const sessionPoints = () => {
      const seen: WirePoint[] = [];
      overlapReports(partiesOf(), (m) => seen.push(...m.points));
      return seen;
    };
    const first = sessionPoints();
    const wire = JSON.stringify(first);
    for (const id of [...SETS.A, ...SETS.B, ...SETS.C]) {
      expect(wire).not.toContain(id);
      expect(wire).not.toContain(createHash("sha256").update(id).digest("hex"));
      expect(wire).not.toContain(Buffer.from(id).toString("hex"));
    }
    // Every point is a 32-byte group element; a second session shares none of them (fresh scalars).
    expect(first.every((p) => /^[0-9a-f]{64}$/.test(p))).toBe(true);
    const second = new Set(sessionPoints());
    expect(first.filter((p) => second.has(p))).toEqual([]);
  });
});
