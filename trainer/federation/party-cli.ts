// A party of cross-institution training, run on the institution's own machine:
//   npm run party -- --coordinator URL --token T --data FILE.jsonl [--model DIR] [--key FILE] [--interval S] [--poll S] [--once]
// It counts the people its data holds (distinct `subject`s; a record without one is a person of its own), makes an
// Ed25519 key and enrols with the one-time token (the key is kept in --key, owner-only, so later starts need no token),
// then signs a status message every --interval seconds (once, and exits, with --once) and polls its mail every --poll
// seconds, taking part in overlaps of subjects (party-overlap.ts) and, with --model (the base model's directory), in
// federated rounds (party-rounds.ts). Records never leave the machine: only the count does, blinded subject ids,
// encrypted key shares and masked updates.
import { createPrivateKey } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { enrolAnswerSchema, mailSchema, newEnrolmentKey, signMessage, type MailKind, type PartyMessage } from "../contract/federation/messages";
import { loraOf } from "../contract/federation/trainable";
import { readModelWeights } from "../contract/model-files";
import { createModel, initialLoraWeights, loadModel, type Model } from "../model/model";
import { recordTokens } from "../model/tokenizer";
import { localDelta, personClippedDelta } from "./local-update";
import { PartyOverlaps } from "./party-overlap";
import { PartyRounds, type LocalUpdate } from "./party-rounds";

const pollAnswer = z.object({ mail: z.array(mailSchema) });
const keyFileSchema = z.strictObject({ coordinator: z.string(), party_id: z.uuid(), name: z.string(), private_key: z.string() });

class PartyError extends Error {}

/**
 * What the data file says of its people: how many (distinct `subject`s; a record without one is a person of its own),
 * the subject ids (for overlaps), and each person's texts. Refuses a malformed line, naming it.
 */
function readPeople(file: string): { units: number; subjects: string[]; people: string[][] } {
  const bySubject = new Map<string, string[]>();
  const alone: string[][] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new PartyError(`${file}:${i + 1}: not JSON`);
      }
      const parsed = z.object({ text: z.string().min(1), subject: z.string().min(1).optional() }).safeParse(record);
      if (!parsed.success) throw new PartyError(`${file}:${i + 1}: a record needs a non-empty "text" (and may name a "subject")`);
      const { text, subject } = parsed.data;
      if (subject === undefined) alone.push([text]);
      else bySubject.set(subject, [...(bySubject.get(subject) ?? []), text]);
    });
  return { units: bySubject.size + alone.length, subjects: [...bySubject.keys()], people: [...bySubject.values(), ...alone] };
}

/**
 * Local training on the base model in `modelDir`, every weight or LoRA adapters of the rank a round asks for (a model
 * built once per rank): a few Adam steps on the party's texts as units of one record, or, when parties clip per
 * person, one step of per-person clipped gradients over its people (their records grouped by subject).
 */
function localTrainer(modelDir: string, people: readonly (readonly string[])[]): LocalUpdate {
  const { model: full, files, tokenizer } = loadModel(modelDir);
  const tokens = (t: string) => recordTokens(tokenizer, t, full.config.context_length + 1);
  const units = people.flatMap((texts) => texts.map((t) => [tokens(t)]));
  const persons = people.map((texts) => texts.map(tokens));
  const adapted = new Map<number, Model>();
  const modelFor = (rank: number | null): Model => {
    if (rank === null) return full;
    let model = adapted.get(rank);
    if (!model) {
      const lora = loraOf({ method: "lora", rank })!;
      // The adapters' values are the round's global ones, assigned before training; these only give their shapes.
      adapted.set(rank, (model = createModel(files.config, readModelWeights(modelDir), { lora, adapters: initialLoraWeights(files.config, lora, 0) })));
    }
    return model;
  };
  return (global, ask) => {
    const model = modelFor(ask.lora_rank);
    const person = ask.person_clip;
    return person
      ? personClippedDelta(model, persons, global, { learningRate: ask.training.learningRate, personClip: person.bound, recordsPerPerson: person.records_per_person })
      : localDelta(model, units, global, ask.training);
  };
}

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const answer = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!res.ok) throw new PartyError(`${url} answered ${res.status}: ${answer?.error?.message ?? "no reason given"}`);
  return answer;
}

async function enrol(coordinator: string, token: string, units: number, keyFile: string) {
  const key = newEnrolmentKey();
  const answer = enrolAnswerSchema.parse(await post(`${coordinator}/api/federation/enrol`, { token, public_key: key.publicKey, stated_units: units }));
  const saved = { coordinator, party_id: answer.party_id, name: answer.name, private_key: key.privateKey.export({ format: "pem", type: "pkcs8" }).toString() };
  writeFileSync(keyFile, JSON.stringify(saved), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return saved;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      coordinator: { type: "string" },
      token: { type: "string" },
      data: { type: "string" },
      key: { type: "string", default: "party-key.json" },
      interval: { type: "string", default: "30" },
      poll: { type: "string", default: "2" },
      model: { type: "string" },
      once: { type: "boolean", default: false },
    },
  });
  if (!values.coordinator || !values.data) throw new PartyError("usage: npm run party -- --coordinator URL --token T --data FILE.jsonl [--model DIR] [--key FILE] [--interval S] [--poll S] [--once]");
  const coordinator = values.coordinator.replace(/\/+$/, "");
  const { units, subjects, people } = readPeople(values.data);
  const saved = existsSync(values.key)
    ? keyFileSchema.parse(JSON.parse(readFileSync(values.key, "utf8")))
    : values.token
      ? await enrol(coordinator, values.token, units, values.key)
      : (() => {
          throw new PartyError(`no key file ${values.key}: enrol first with --token`);
        })();
  console.log(JSON.stringify({ type: "enrolled", party_id: saved.party_id, name: saved.name, stated_units: units }));
  const privateKey = createPrivateKey(saved.private_key);
  let counter = 0;
  const signed = (type: PartyMessage["type"], body: PartyMessage["body"]) =>
    // Milliseconds since the epoch, times 1000, plus a counter: grows across restarts without keeping state.
    post(`${coordinator}/api/federation/messages`, signMessage({ party: saved.party_id, seq: Date.now() * 1000 + (counter++ % 1000), sent_at: new Date().toISOString(), type, body } as PartyMessage, privateKey));
  const sendStatus = async () => console.log(JSON.stringify({ type: "status_sent", answer: await signed("status", { stated_units: units }) }));
  await sendStatus();
  if (values.once) return;
  const seconds = Number(values.interval);
  const pollSeconds = Number(values.poll);
  if (!(seconds >= 1)) throw new PartyError("--interval must be at least 1 second");
  if (!(pollSeconds >= 0.05)) throw new PartyError("--poll must be at least 0.05 seconds");
  const send = async (session: string, to: string, kind: MailKind, body: Record<string, unknown>) => void (await signed("send", { session, to, kind, body }));
  const overlaps = new PartyOverlaps(saved.party_id, subjects, send);
  const rounds = values.model ? new PartyRounds(saved.party_id, localTrainer(values.model, people), send) : null;
  let after = 0;
  let statusAt = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
    try {
      const { mail } = pollAnswer.parse(await signed("poll", { after }));
      for (const m of mail) {
        after = m.id;
        if (m.kind.startsWith("round.")) await rounds?.onMail(m);
        else await overlaps.onMail(m);
      }
      if (Date.now() - statusAt >= seconds * 1000) {
        statusAt = Date.now();
        await sendStatus();
      }
    } catch (err) {
      console.error(JSON.stringify({ type: "error", reason: (err as Error).message }));
    }
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(err instanceof PartyError ? err.message : err);
  process.exit(1);
});
