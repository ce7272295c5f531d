// What an enrolled party's verified message does: a status updates what it states; a poll answers its mail; a send
// relays mail to another party of the same session (the coordinator checks its form, never reads it further) or
// hands the coordinator a party's report or its answer in a round. Overlaps of the parties' subjects (private set intersection) run through it:
// a privacy officer starts one, the parties exchange blinded points, and each reports counts only.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, gt, inArray, lt, ne } from "drizzle-orm";
import { z } from "zod";
import { first, transaction, type Db, type Executor, type Tx } from "../../db/client";
import { federationMail, federationOverlaps, federationParties, federationRounds, type FederationOverlap, type FederationParty } from "../../db/schema";
import { answerParty, overlapReportSchema, pointsSchema, roundAnswerSchemas, type Mail, type PartyMessage, type RoundAnswerKind } from "../../trainer/contract/federation/messages";
import type { UserActor } from "../actor";
import { appendAudit, audited, SYSTEM_ACTOR } from "../audit/service";
import { AppError } from "../errors";

/** Mail one poll answers at most. */
const MAIL_PER_POLL = 50;

const partyList = z.array(z.uuid());
const reportsOf = (o: FederationOverlap) => z.record(z.uuid(), overlapReportSchema).parse(JSON.parse(o.reports));

/** Starts an overlap of every enrolled party's subjects (at least two): each is mailed the others' ids. */
export function startOverlap(db: Db, actor: UserActor): Promise<{ overlapId: string }> {
  const id = randomUUID();
  return audited(db, { actor, action: "federation.start_overlap", entityType: "federation_overlap", entityId: id, input: {} }, async (tx) => {
    const enrolled = (await tx.select({ id: federationParties.id }).from(federationParties).where(eq(federationParties.status, "enrolled"))).map((p) => p.id).sort();
    if (enrolled.length < 2) throw new AppError("CONFLICT", `An overlap needs at least two enrolled parties; there ${enrolled.length === 1 ? "is one" : `are ${enrolled.length}`}.`);
    await tx.insert(federationOverlaps).values({ id, parties: JSON.stringify(enrolled), startedBy: actor.id });
    for (const party of enrolled) {
      await tx.insert(federationMail).values({ session: id, fromParty: null, toParty: party, kind: "psi.start", body: JSON.stringify({ peers: enrolled.filter((p) => p !== party) }) });
    }
    return { overlapId: id };
  });
}

/** How long an overlap waits for every party's report. */
export const OVERLAP_MINUTES = 10;

/**
 * Abandons the overlaps that did not finish within OVERLAP_MINUTES of `now` (a party went away, or restarted and lost
 * its session), each with an audit entry, and deletes the mail of every overlap that is over: nobody reads it again.
 */
export async function closeStaleOverlaps(db: Db, now = new Date()): Promise<void> {
  const before = new Date(now.getTime() - OVERLAP_MINUTES * 60_000).toISOString();
  const stale = await db.select().from(federationOverlaps).where(and(eq(federationOverlaps.status, "running"), lt(federationOverlaps.startedAt, before)));
  for (const o of stale) {
    const reported = Object.keys(reportsOf(o)).length;
    const change = { actor: SYSTEM_ACTOR, action: "federation.overlap_abandoned", entityType: "federation_overlap", entityId: o.id, input: { reported, parties: partyList.parse(JSON.parse(o.parties)).length } };
    await audited(db, change, async (tx) => {
      await tx.update(federationOverlaps).set({ status: "abandoned", finishedAt: now.toISOString() }).where(and(eq(federationOverlaps.id, o.id), eq(federationOverlaps.status, "running")));
    });
  }
  await transaction(db, (tx) => tx.delete(federationMail).where(inArray(federationMail.session, tx.select({ id: federationOverlaps.id }).from(federationOverlaps).where(ne(federationOverlaps.status, "running")))));
}

/** The overlaps, newest first: who took part, each party's counts, and the most parties one person is at. */
export async function listOverlaps(db: Executor) {
  const rows = await db.select().from(federationOverlaps).orderBy(desc(federationOverlaps.startedAt));
  return rows.map((o) => ({
    id: o.id,
    status: o.status,
    parties: partyList.parse(JSON.parse(o.parties)),
    reports: Object.values(reportsOf(o)),
    mostPartiesOfOnePerson: o.mostPartiesOfOnePerson,
    startedAt: o.startedAt,
    finishedAt: o.finishedAt,
  }));
}

async function runningOverlapOf(tx: Executor, session: string, party: string): Promise<FederationOverlap> {
  const overlap = await first(tx.select().from(federationOverlaps).where(eq(federationOverlaps.id, session)));
  if (!overlap || overlap.status !== "running" || !partyList.parse(JSON.parse(overlap.parties)).includes(party)) {
    throw new AppError("CONFLICT", "No running session of this party has that id.");
  }
  return overlap;
}

/** Keeps a party's report; the last one finishes the overlap with its result (audited). */
async function keepReport(tx: Tx, overlap: FederationOverlap, party: string, body: unknown): Promise<void> {
  const report = overlapReportSchema.safeParse(body);
  if (!report.success || report.data.party !== party) throw new AppError("BAD_REQUEST", "The report is malformed or names another party.");
  const reports = { ...reportsOf(overlap), [party]: report.data };
  const parties = partyList.parse(JSON.parse(overlap.parties));
  const done = parties.every((p) => p in reports);
  const most = done ? Math.max(1, ...Object.values(reports).flatMap((r) => Object.keys(r.held_by).map(Number))) : null;
  await tx
    .update(federationOverlaps)
    .set({ reports: JSON.stringify(reports), ...(done ? { status: "done" as const, mostPartiesOfOnePerson: most, finishedAt: new Date().toISOString() } : {}) })
    .where(eq(federationOverlaps.id, overlap.id));
  if (done) await appendAudit(tx, { actor: SYSTEM_ACTOR, action: "federation.overlap_done", entityType: "federation_overlap", entityId: overlap.id, input: { mostPartiesOfOnePerson: most } });
}

/** Keeps a party's answer in a running round of its own, for the coordinator (remote-round.ts), if its form is right. */
async function keepRoundAnswer(tx: Tx, party: string, session: string, to: string, kind: string, body: unknown): Promise<void> {
  const round = await first(tx.select().from(federationRounds).where(eq(federationRounds.id, session)));
  if (!round || round.status !== "running" || !partyList.parse(JSON.parse(round.parties)).includes(party)) throw new AppError("CONFLICT", "No running round of this party has that id.");
  if (to !== "coordinator" || !(kind in roundAnswerSchemas)) throw new AppError("BAD_REQUEST", `A party answers a round to the coordinator only, not ${kind}.`);
  if (answerParty(kind as RoundAnswerKind, body) !== party) throw new AppError("BAD_REQUEST", "The round answer is malformed or names another party.");
  await tx.insert(federationMail).values({ session, fromParty: party, toParty: null, kind, body: JSON.stringify(body) });
}

/** Carries out a verified message of `party` inside the transaction that accepted its sequence number. */
export async function carryOut(tx: Tx, party: FederationParty, message: PartyMessage): Promise<{ accepted: number; mail?: Mail[] }> {
  const accepted = { accepted: message.seq };
  if (message.type === "status") return accepted;
  if (message.type === "poll") {
    const rows = await tx
      .select()
      .from(federationMail)
      .where(and(eq(federationMail.toParty, party.id), gt(federationMail.id, message.body.after)))
      .orderBy(asc(federationMail.id))
      .limit(MAIL_PER_POLL);
    return { ...accepted, mail: rows.map((m) => ({ id: m.id, session: m.session, from: m.fromParty ?? "coordinator", kind: m.kind as Mail["kind"], body: JSON.parse(m.body) as Record<string, unknown> })) };
  }
  const { session, to, kind, body } = message.body;
  if (kind.startsWith("round.")) {
    await keepRoundAnswer(tx, party.id, session, to, kind, body);
    return accepted;
  }
  const overlap = await runningOverlapOf(tx, session, party.id);
  if (to === "coordinator") {
    if (kind !== "psi.report") throw new AppError("BAD_REQUEST", `The coordinator takes only reports, not ${kind}.`);
    await keepReport(tx, overlap, party.id, body);
    return accepted;
  }
  if (kind !== "psi.blinded" && kind !== "psi.reblinded") throw new AppError("BAD_REQUEST", `A party may not send ${kind} to another.`);
  if (to === party.id || !partyList.parse(JSON.parse(overlap.parties)).includes(to)) throw new AppError("BAD_REQUEST", "The recipient does not take part in this session.");
  if (!pointsSchema.safeParse(body).success) throw new AppError("BAD_REQUEST", "The points are malformed.");
  await tx.insert(federationMail).values({ session, fromParty: party.id, toParty: to, kind, body: JSON.stringify(body) });
  return accepted;
}
