// A federated round with remote parties (the coordinator's side): each enrolled party is a RoundParty whose steps are
// mail to it (round.advertise, round.share, round.deliver, round.update, round.unmask) and its signed answers through
// the mailbox, awaited until a deadline; a party that does not answer in time, or answers a vector of the wrong
// length, is a dropout (the wrong one refused and logged), never a failure of the round for the others. The round
// itself is fedavg.ts's: it applies from the survivors or is abandoned below the threshold.
import { randomUUID } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { z } from "zod";
import { first, transaction, type Db, type Tx } from "../../db/client";
import { federationMail, federationParties, federationRounds } from "../../db/schema";
import { federatedRound, type Encoding, type RoundOutcome, type RoundParty, type RoundSettings } from "../../trainer/contract/federation/fedavg";
import { floatsToBase64, roundAnswerSchemas, type RoundAnswerKind } from "../../trainer/contract/federation/messages";
import { base64ToWords, type AdvertisedKeys, type EncryptedShares, type MaskedInput, type UnmaskingShares } from "../../trainer/contract/federation/secure-aggregation";
import { appendAudit, SYSTEM_ACTOR } from "../audit/service";

/** What each sampled party trains locally per round (trainer/federation/local-update.ts). */
export interface LocalTrainingSettings {
  steps: number;
  batchSize: number;
  learningRate: number;
}

export interface RemoteRoundSettings extends Omit<RoundSettings, "roundId"> {
  training: LocalTrainingSettings;
  /** LoRA's rank when the global weights are adapters; null for every weight. */
  loraRank: number | null;
  /** With a person as the unit: each person's bound and the most records of one person (parties clip per person). */
  personClip: { bound: number; records_per_person: number } | null;
  /** How long each step waits for a party's answer. */
  answerMs: number;
}

const POLL_MS = 100;

/** A declared party no longer enrolled (revoked): never mailed; it drops out at once wherever it was sampled. */
class AbsentParty implements RoundParty {
  constructor(readonly id: string) {}
  async advertise() {
    return null;
  }
  async shareKeys() {
    return null;
  }
  async receiveShares() {}
  async maskedUpdate() {
    return null;
  }
  async unmaskingShares() {
    return null;
  }
}

class MailboxRoundParty implements RoundParty {
  constructor(
    private readonly db: Db,
    readonly id: string,
    private readonly roundId: string,
    private readonly settings: RemoteRoundSettings,
  ) {}

  private mail(kind: string, body: unknown): Promise<void> {
    return transaction(this.db, async (tx) => {
      await tx.insert(federationMail).values({ session: this.roundId, fromParty: null, toParty: this.id, kind, body: JSON.stringify(body) });
    });
  }

  /**
   * Mails the party and waits for its answer of kind `answer` in this round (its first, when it sent more), or null
   * when none came before the deadline.
   */
  private async ask<K extends RoundAnswerKind>(kind: string, body: unknown, answer: K): Promise<z.infer<(typeof roundAnswerSchemas)[K]> | null> {
    await this.mail(kind, body);
    for (const deadline = Date.now() + this.settings.answerMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, POLL_MS))) {
      const row = await first(
        this.db
          .select()
          .from(federationMail)
          .where(and(eq(federationMail.session, this.roundId), eq(federationMail.fromParty, this.id), isNull(federationMail.toParty), eq(federationMail.kind, answer)))
          .orderBy(asc(federationMail.id))
          .limit(1),
      );
      if (row) return roundAnswerSchemas[answer].parse(JSON.parse(row.body)) as z.infer<(typeof roundAnswerSchemas)[K]>;
    }
    return null;
  }

  async advertise(): Promise<AdvertisedKeys | null> {
    return (await this.ask("round.advertise", {}, "round.keys"))?.keys ?? null;
  }

  async shareKeys(advertised: readonly AdvertisedKeys[], threshold: number): Promise<EncryptedShares[] | null> {
    return (await this.ask("round.share", { advertised, threshold }, "round.shares"))?.shares ?? null;
  }

  async receiveShares(shares: readonly EncryptedShares[]): Promise<void> {
    await this.mail("round.deliver", { shares });
  }

  async maskedUpdate(global: Float32Array, clipNorm: number, { scale, noiseStd }: Encoding, contribute: boolean): Promise<MaskedInput | null> {
    const body = { weights: floatsToBase64(global), clip_norm: clipNorm, scale, noise_std: noiseStd, contribute, lora_rank: this.settings.loraRank, person_clip: this.settings.personClip, training: this.settings.training };
    const answer = await this.ask("round.update", body, "round.masked");
    if (!answer) return null;
    try {
      base64ToWords(answer.masked.masked, global.length);
    } catch (err) {
      // A vector of the wrong shape is this party's dropout, logged; the round goes on without it.
      await transaction(this.db, (tx) =>
        appendAudit(tx, { actor: SYSTEM_ACTOR, action: "federation.refused", entityType: "federation_party", entityId: this.id, input: { reason: (err as Error).message, round: this.roundId } }),
      );
      return null;
    }
    return answer.masked;
  }

  async unmaskingShares(survivors: readonly string[]): Promise<UnmaskingShares | null> {
    return (await this.ask("round.unmask", { survivors }, "round.unmasking"))?.unmasking ?? null;
  }
}

/** Which round of which run this is, and what the run does in the round's final transaction (its charge). */
export interface RoundOfRun {
  runId: string;
  attempt: number;
  /** The parties the run's declaration version names: the round samples among those still enrolled. */
  parties: readonly string[];
  /** Runs in the transaction that records how the round ended, before its commit. */
  alsoDo: (tx: Tx, outcome: RoundOutcome, roundId: string) => Promise<void>;
}

/**
 * Runs one round: recorded (federation_rounds) with how it ended, audited, its mail deleted once over. Of a federated
 * run (`of`: server/federation/federated-run.ts, which charges an applied round in the same transaction), or on its
 * own among every enrolled party (tests). The sampling population is every party the run declared, so that the
 * expected number sampled (qN, the sum's fixed divisor) is the run's; a party revoked since is never mailed: sampled,
 * it drops out at once.
 */
export async function runRemoteRound(db: Db, global: Float32Array, settings: RemoteRoundSettings, of?: RoundOfRun): Promise<RoundOutcome> {
  const roundId = randomUUID();
  const enrolled = (await db.select({ id: federationParties.id }).from(federationParties).where(eq(federationParties.status, "enrolled"))).map((p) => p.id).sort();
  const population = of ? [...of.parties].sort() : enrolled;
  await transaction(db, async (tx) => {
    await tx.insert(federationRounds).values({ id: roundId, parties: JSON.stringify(population), runId: of?.runId ?? null, attempt: of?.attempt ?? null });
  });
  const parties = population.map((id) => (enrolled.includes(id) ? new MailboxRoundParty(db, id, roundId, settings) : new AbsentParty(id)));
  const outcome = await federatedRound(global, parties, { ...settings, roundId });
  const summary = { sampled: outcome.sampled, survivors: outcome.survivors, dropped: outcome.dropped, ...(outcome.applied ? {} : { reason: outcome.reason }) };
  const record = async (tx: Tx, applied: boolean, ended: typeof summary & { reason?: string }) => {
    await tx
      .update(federationRounds)
      .set({ status: applied ? "applied" : "abandoned", outcome: JSON.stringify(ended), finishedAt: new Date().toISOString() })
      .where(eq(federationRounds.id, roundId));
    for (const id of outcome.survivors) await tx.update(federationParties).set({ lastRoundId: roundId }).where(eq(federationParties.id, id));
    await tx.delete(federationMail).where(eq(federationMail.session, roundId));
    await appendAudit(tx, { actor: SYSTEM_ACTOR, action: applied ? "federation.round_applied" : "federation.round_abandoned", entityType: "federation_round", entityId: roundId, input: { ...ended, run: of?.runId ?? null } });
  };
  try {
    await transaction(db, async (tx) => {
      await record(tx, outcome.applied, summary);
      await of?.alsoDo(tx, outcome, roundId);
    });
  } catch (err) {
    // Nothing of the round was kept (its charge neither): it ends abandoned, saying why, and the error goes on up.
    await transaction(db, (tx) => record(tx, false, { ...summary, reason: `it could not be recorded: ${err instanceof Error ? err.message : String(err)}` }));
    throw err;
  }
  return outcome;
}

