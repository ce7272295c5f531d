// Whom a person-level figure (group privacy over k units of one person) is for, in words: people with up to k records,
// or a person at up to k parties (by an overlap of subjects, or every party when none was measured).

export function personLevelBasis(g: { recordsPerPersonBound?: number; partiesPerPerson: { k: number; measuredBy: string | null } | null }): string {
  if (g.partiesPerPerson) {
    const { k, measuredBy } = g.partiesPerPerson;
    return `for a person at up to k = ${k} parties, ${measuredBy ? "by the latest overlap of subjects" : "every party (no overlap of subjects measured)"}`;
  }
  return `for people with up to k = ${g.recordsPerPersonBound ?? 1} records`;
}
