// A party's side of federated rounds through the coordinator's mail: it advertises keys, shares them, takes the
// others' shares, trains from the global weights on its own records (its local update), clips and masks the delta and
// sends it, then sends its unmasking shares: the steps of secure aggregation (contract/federation) in answer to the
// coordinator's asks (with distributed noise, the party adds its share of discrete Gaussian noise before masking).
// Only masked vectors and encrypted shares leave the machine.
import { encodeUpdate } from "../contract/federation/fedavg";
import type { z } from "zod";
import { base64ToFloats, roundAskSchemas, type Mail, type MailKind } from "../contract/federation/messages";
import { AggregationParty } from "../contract/federation/secure-aggregation";

type Send = (session: string, to: string, kind: MailKind, body: Record<string, unknown>) => Promise<void>;
/** The party's local training: its delta from the global weights (local-update.ts). */
/** The party's local training: its delta from the global weights, as the round asks (full or LoRA, per party or per person). */
export type LocalUpdate = (global: Float32Array, ask: z.infer<(typeof roundAskSchemas)["round.update"]>) => Promise<Float32Array>;

export class PartyRounds {
  private readonly rounds = new Map<string, AggregationParty>();

  constructor(
    private readonly partyId: string,
    private readonly update: LocalUpdate,
    private readonly send: Send,
  ) {}

  async onMail(mail: Mail): Promise<void> {
    const ask = <K extends keyof typeof roundAskSchemas>(kind: K) => roundAskSchemas[kind].parse(mail.body) as z.infer<(typeof roundAskSchemas)[K]>;
    if (mail.kind === "round.advertise") {
      const party = new AggregationParty(this.partyId, mail.session);
      this.rounds.set(mail.session, party);
      return this.send(mail.session, "coordinator", "round.keys", { keys: party.advertise() });
    }
    const party = this.rounds.get(mail.session);
    if (!party) return; // a round this process did not join (it restarted since): the coordinator counts it a dropout
    switch (mail.kind) {
      case "round.share": {
        const { advertised, threshold } = ask("round.share");
        return this.send(mail.session, "coordinator", "round.shares", { shares: party.shareKeys(advertised, threshold) });
      }
      case "round.deliver":
        return party.receiveShares(ask("round.deliver").shares);
      case "round.update": {
        const update = ask("round.update");
        const { weights, clip_norm, scale, noise_std, contribute } = update;
        const global = base64ToFloats(weights);
        // Not sampled: zeros, masked alike (the round's outcome must not depend on who was sampled).
        const delta = contribute ? await this.update(global, update) : new Float32Array(global.length);
        return this.send(mail.session, "coordinator", "round.masked", { masked: party.maskedInput(encodeUpdate(delta, clip_norm, { scale, noiseStd: noise_std })) });
      }
      case "round.unmask": {
        const answer = party.unmaskingShares(ask("round.unmask").survivors);
        this.rounds.delete(mail.session);
        return this.send(mail.session, "coordinator", "round.unmasking", { unmasking: answer });
      }
      default:
        return;
    }
  }
}
