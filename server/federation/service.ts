// Parties of cross-institution training: an admin registers a party and hands its one-time enrolment token over; the
// party's process enrols with it (sending the Ed25519 public key it made) and from then on signs every message. A
// forged, replayed, stale or unenrolled message is refused and the refusal written to the audit log (a flood of them
// counted: refusal-log.ts); it changes nothing else. Registration, revocation and enrolment are audited.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import { first, transaction, type Db, type Executor } from "../../db/client";
import { federationParties, type FederationParty } from "../../db/schema";
import { enrolRequestSchema, envelopeSchema, signatureHolds, type EnrolRequest } from "../../trainer/contract/federation/messages";
import type { UserActor } from "../actor";
import { audited, type Actor } from "../audit/service";
import { AppError } from "../errors";
import { lineText } from "../validation";
import { ensureFederationLineage, keyDigest } from "./declarations";
import { carryOut } from "./mailbox";
import { RefusalLog } from "./refusal-log";

export const registerPartyInput = z.strictObject({ name: lineText().min(1, "Name the party").max(200) });
export const partyIdInput = z.strictObject({ partyId: z.uuid() });

/** How long an enrolment token stays valid. */
export const ENROLMENT_TOKEN_HOURS = 24;
/** How far a message's sent_at may be from the coordinator's clock. */
export const MESSAGE_CLOCK_SKEW_MS = 5 * 60_000;

const digest = (token: string) => createHash("sha256").update(token).digest("hex");
const partyActor = (p: Pick<FederationParty, "name">): Actor => ({ id: null, email: `party ${p.name}`, role: "system" });

/** Registers a party; its one-time token is in the answer only (the database keeps its digest). */
export function registerParty(db: Db, actor: UserActor, input: z.infer<typeof registerPartyInput>, now = new Date()) {
  const id = randomUUID();
  // Prefixed, so that a token never starts with "-" (a command line would read it as an option).
  const token = `elt_${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(now.getTime() + ENROLMENT_TOKEN_HOURS * 3_600_000).toISOString();
  return audited(db, { actor, action: "federation.register_party", entityType: "federation_party", entityId: id, input: { ...input, expiresAt } }, async (tx) => {
    if (await first(tx.select({ id: federationParties.id }).from(federationParties).where(eq(federationParties.name, input.name)))) {
      throw new AppError("CONFLICT", `A party named "${input.name}" already exists.`);
    }
    await tx.insert(federationParties).values({ id, name: input.name, tokenDigest: digest(token), tokenExpiresAt: expiresAt, createdBy: actor.id });
    await ensureFederationLineage(tx, actor.id);
    return { partyId: id, token, expiresAt };
  });
}

export function revokeParty(db: Db, actor: UserActor, input: z.infer<typeof partyIdInput>) {
  return audited(db, { actor, action: "federation.revoke_party", entityType: "federation_party", entityId: input.partyId, input }, async (tx) => {
    const party = await first(tx.select().from(federationParties).where(eq(federationParties.id, input.partyId)));
    if (!party) throw new AppError("NOT_FOUND", "No such party.");
    if (party.status === "revoked") throw new AppError("CONFLICT", "The party is already revoked.");
    await tx.update(federationParties).set({ status: "revoked", tokenDigest: null }).where(eq(federationParties.id, party.id));
    return { partyId: party.id };
  });
}

/** What the Federation page shows of each party: never its token's digest; its key by fingerprint. */
export async function listParties(db: Executor) {
  const rows = await db.select().from(federationParties).orderBy(asc(federationParties.name));
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    status: p.status,
    tokenExpiresAt: p.status === "invited" ? p.tokenExpiresAt : null,
    keyFingerprint: p.publicKey === null ? null : keyDigest(p.publicKey).slice(0, 16),
    statedUnits: p.statedUnits,
    lastSeenAt: p.lastSeenAt,
    lastRoundId: p.lastRoundId,
    enrolledAt: p.enrolledAt,
    createdAt: p.createdAt,
  }));
}

/** Refused messages and enrolments a minute per party written to the audit log one by one (refusal-log.ts). */
export const REFUSALS_LOGGED_PER_MINUTE = 30;
const refusals = new RefusalLog({ perWindow: REFUSALS_LOGGED_PER_MINUTE, windowMs: 60_000 });

/** Writes a refused message or enrolment to the audit log (on its own; a flood, counted), then refuses it. */
async function refuse(db: Db, partyId: string | null, reason: string, error: AppError): Promise<never> {
  await refusals.record(db, partyId, reason);
  throw error;
}

/** Enrols the party whose token this is: its key and stated units are kept, the token is spent. */
export async function enrolParty(db: Db, given: unknown, now = new Date()): Promise<{ party_id: string; name: string }> {
  const parsed = enrolRequestSchema.safeParse(given);
  if (!parsed.success) return refuse(db, null, "malformed enrolment", new AppError("BAD_REQUEST", `The enrolment is malformed: ${parsed.error.issues[0]!.message}.`));
  const request: EnrolRequest = parsed.data;
  const party = await first(db.select().from(federationParties).where(eq(federationParties.tokenDigest, digest(request.token))));
  if (!party) return refuse(db, null, "unknown or used token", new AppError("UNAUTHORIZED", "The enrolment token is not valid: unknown, or already used."));
  if (party.status !== "invited") return refuse(db, party.id, `enrolment of a ${party.status} party`, new AppError("FORBIDDEN", `The party is ${party.status}.`));
  if (party.tokenExpiresAt <= now.toISOString()) {
    return refuse(db, party.id, "expired token", new AppError("UNAUTHORIZED", `The enrolment token expired at ${party.tokenExpiresAt}; ask an admin for a new one.`));
  }
  const change = { actor: partyActor(party), action: "federation.enrol", entityType: "federation_party", entityId: party.id, input: { public_key: request.public_key, stated_units: request.stated_units } };
  return audited(db, change, async (tx) => {
    const at = now.toISOString();
    const done = await tx
      .update(federationParties)
      .set({ status: "enrolled", tokenDigest: null, publicKey: request.public_key, statedUnits: request.stated_units, enrolledAt: at, lastSeenAt: at })
      .where(eq(federationParties.tokenDigest, digest(request.token)))
      .returning({ id: federationParties.id });
    if (done.length !== 1) throw new AppError("CONFLICT", "The token was used meanwhile.");
    return { party_id: party.id, name: party.name };
  });
}

/**
 * Accepts a signed message from an enrolled party: its signature must be the party's key's, its sequence number
 * greater than the last accepted, and its time within MESSAGE_CLOCK_SKEW_MS of ours; then carries it out (mailbox.ts).
 */
export async function acceptMessage(db: Db, given: unknown, now = new Date()): Promise<Awaited<ReturnType<typeof carryOut>>> {
  const parsed = envelopeSchema.safeParse(given);
  if (!parsed.success) return refuse(db, null, "malformed message", new AppError("BAD_REQUEST", `The message is malformed: ${parsed.error.issues[0]!.message}.`));
  const { message } = parsed.data;
  const party = await first(db.select().from(federationParties).where(eq(federationParties.id, message.party)));
  if (!party || party.status !== "enrolled" || party.publicKey === null) {
    return refuse(db, party?.id ?? null, "message from a party not enrolled", new AppError("UNAUTHORIZED", "The party is not enrolled."));
  }
  if (!signatureHolds(parsed.data, party.publicKey)) return refuse(db, party.id, "bad signature", new AppError("UNAUTHORIZED", "The message's signature is not the party's."));
  if (message.seq <= party.lastSequence) {
    return refuse(db, party.id, `replayed sequence ${message.seq}`, new AppError("CONFLICT", `Sequence ${message.seq} was already used; the last accepted is ${party.lastSequence}.`));
  }
  if (Math.abs(Date.parse(message.sent_at) - now.getTime()) > MESSAGE_CLOCK_SKEW_MS) {
    return refuse(db, party.id, "stale message", new AppError("BAD_REQUEST", "The message's time is more than 5 minutes from the coordinator's clock."));
  }
  // Conditional on the sequence, so that of two copies sent at once only one is accepted; what the message does is done
  // in the same transaction, so that a refused send leaves its sequence number unused.
  try {
    const done = await transaction(db, async (tx) => {
      const moved = await tx
        .update(federationParties)
        .set({ lastSequence: message.seq, lastSeenAt: now.toISOString(), ...(message.type === "status" ? { statedUnits: message.body.stated_units } : {}) })
        .where(and(eq(federationParties.id, party.id), eq(federationParties.status, "enrolled"), lt(federationParties.lastSequence, message.seq)))
        .returning({ seq: federationParties.lastSequence });
      return moved.length === 1 ? carryOut(tx, party, message) : null;
    });
    if (done === null) return refuse(db, party.id, `replayed sequence ${message.seq}`, new AppError("CONFLICT", `Sequence ${message.seq} was already used.`));
    return done;
  } catch (err) {
    if (err instanceof AppError) return refuse(db, party.id, err.message, err);
    throw err;
  }
}
