// k of a party-level guarantee's person-level statement: a person at k parties is k units at once, so the party-level
// (epsilon, delta) protects them as k-fold group privacy. k is the most parties one person is at, by the latest
// finished overlap of subjects (private set intersection) taken among all of the parties concerned; without one,
// every party (a person may be at all of them). Said with which of the two it is.
import { desc, eq, inArray } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { federationOverlaps, federationRounds } from "../../db/schema";

export interface PartiesPerPerson {
  k: number;
  /** The overlap that measured k, or null when k is every party concerned. */
  measuredBy: string | null;
}

/** k for these parties. */
export async function partiesPerPerson(db: Executor, partyIds: readonly string[]): Promise<PartiesPerPerson> {
  const done = await db.select().from(federationOverlaps).where(eq(federationOverlaps.status, "done")).orderBy(desc(federationOverlaps.finishedAt));
  const covering = done.find((o) => {
    const took = new Set(JSON.parse(o.parties) as string[]);
    return o.mostPartiesOfOnePerson !== null && partyIds.every((id) => took.has(id));
  });
  return covering ? { k: Math.max(1, covering.mostPartiesOfOnePerson!), measuredBy: covering.id } : { k: Math.max(1, partyIds.length), measuredBy: null };
}

/**
 * k for runs (a federated run, or every run of the federation's lineage): over every party their rounds were drawn
 * from (each round records its run's declared parties), or, before any round, the most parties one of their
 * declaration versions names (`declared`).
 */
export async function partiesPerPersonOfRuns(db: Executor, runIds: readonly string[], declared: number): Promise<PartiesPerPerson> {
  const rounds = runIds.length === 0 ? [] : await db.select({ parties: federationRounds.parties }).from(federationRounds).where(inArray(federationRounds.runId, [...runIds]));
  const parties = new Set(rounds.flatMap((r) => JSON.parse(r.parties) as string[]));
  return parties.size === 0 ? { k: Math.max(1, declared), measuredBy: null } : partiesPerPerson(db, [...parties]);
}
