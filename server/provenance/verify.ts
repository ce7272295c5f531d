// The offline verifier of a provenance export: checks its form, its signatures, the digests it can see, the audit
// entries' hashes and inclusion proofs, recomputes epsilon with the project's accountant (over the runs; DP count
// releases are separate releases, checked for their noise and event), and the person-level figure for the stated k.
// Needs no database and never throws: anything wrong is a failed check that says what.
import { createHash } from "node:crypto";
import type { z } from "zod";
import { canonicalJson } from "../audit/canonical";
import { entryHash } from "../audit/chain";
import {
  BUNDLE_FORMAT,
  IN_TOTO_PAYLOAD_TYPE,
  auditLeafHash,
  bundleSchema,
  statementSchema,
  type Bundle,
  type Predicate,
  type Statement,
} from "./bundle";
import { parsePublicKey, verifyEnvelope, verifyTreeHead, type Result } from "./dsse";
import { verifyInclusion } from "./merkle";
import { attempt, fail, pass, type Check } from "./verify-checks";
import { checkLineage } from "./verify-lineage";

export interface Verification {
  ok: boolean;
  checks: Check[];
}

export interface VerifyOptions {
  /** The model's weights file: when given, its SHA-256 must be the statement's subject digest. */
  weights?: Uint8Array;
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}


/**
 * Parses the file and checks that it is byte for byte the canonical form of its value (canonicalJson plus one final
 * newline). This makes every byte of the file matter, whitespace included: no two files carry the same content.
 */
function readCanonical(file: string | Uint8Array): { check: Check; value?: unknown } {
  const name = "canonical JSON";
  let text: string;
  try {
    // A byte order mark is kept (and then refused by JSON.parse), not silently dropped.
    text = typeof file === "string" ? file : new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(file);
  } catch {
    return { check: { name, ...fail("the file is not UTF-8 text") } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return { check: { name, ...fail(`the file is not JSON: ${(cause as Error).message}`) } };
  }
  const canonical = `${canonicalJson(value)}\n`;
  if (canonical === text) return { check: { name, ...pass("sorted keys, no whitespace, one final newline") }, value };
  let at = 0;
  while (at < text.length && text[at] === canonical[at]) at++;
  return { check: { name, ...fail(`the file differs from the canonical JSON of its content at character ${at}`) }, value };
}

function checkStatement(bundle: Bundle): { check: Check; statement?: Statement } {
  // Read the payload even when its signature fails, so that the report can still say what else is wrong.
  if (bundle.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return { check: { name: "statement", ...fail(`payloadType is ${JSON.stringify(bundle.envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`) } };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(bundle.envelope.payload, "base64")));
  } catch (cause) {
    return { check: { name: "statement", ...fail(`the payload is not JSON text: ${(cause as Error).message}`) } };
  }
  const parsed = statementSchema.safeParse(value);
  if (!parsed.success) return { check: { name: "statement", ...fail(`not a DP training statement: ${issues(parsed.error)}`) } };
  return { check: { name: "statement", ...pass("in-toto Statement v1 with the dp-training/v3 predicate") }, statement: parsed.data };
}

function checkSubject(statement: Statement, weights: Uint8Array | undefined): Check {
  const subject = statement.subject[0]!;
  const stated = subject.digest.sha256;
  if (weights === undefined) return { name: "subject digest", ...pass(`${subject.name} sha256:${stated} (no weights file given to compare)`) };
  const actual = createHash("sha256").update(weights).digest("hex");
  return {
    name: "subject digest",
    ...(actual === stated
      ? pass(`the weights file's SHA-256 is the subject's, ${stated}`)
      : fail(`the weights file's SHA-256 is ${actual}, the subject's is ${stated}`)),
  };
}

function checkEntries(bundle: Bundle, rootTrusted: boolean): Check[] {
  const { tree_head: head, entries } = bundle.audit;
  const bySeq = new Map(entries.map((e) => [e.entry.seq, e.entry]));
  return entries.flatMap(({ leaf_index, entry, inclusion_proof }) => {
    const { hash, ...body } = entry;
    const previous = bySeq.get(entry.seq - 1);
    const hashCheck = attempt(`audit entry #${entry.seq} hash`, () => {
      if (entryHash(body) !== hash) return fail("its contents do not match its hash");
      if (previous && previous.hash !== entry.prevHash) return fail(`its prevHash is not the hash of entry #${previous.seq}`);
      return pass(`${entry.action} on ${entry.entityType} ${entry.entityId} by ${entry.actorEmail}`);
    });
    const inclusionCheck = attempt(`audit entry #${entry.seq} inclusion`, () =>
      verifyInclusion(leaf_index, head.tree_size, auditLeafHash(entry), inclusion_proof, head.root_hash)
        ? pass(`leaf ${leaf_index} of ${head.tree_size} under root ${head.root_hash}${rootTrusted ? "" : " (whose signature fails)"}`)
        : fail(`the proof does not lead from leaf ${leaf_index} to the root of a tree of ${head.tree_size}`),
    );
    return [hashCheck, inclusionCheck];
  });
}

function checkApprovals(statement: Statement, bundle: Bundle): Check[] {
  const bySeq = new Map(bundle.audit.entries.map((e) => [e.entry.seq, e.entry]));
  return statement.predicate.approvals.map((approval) =>
    attempt(`approval ${approval.action} (#${approval.audit_seq})`, () => {
      const entry = bySeq.get(approval.audit_seq);
      if (!entry) return fail(`audit entry #${approval.audit_seq} is not among the included entries`);
      const mismatched = [
        entry.action !== approval.action && `action ${entry.action}`,
        entry.actorEmail !== approval.actor_email && `actor ${entry.actorEmail}`,
        entry.at !== approval.at && `time ${entry.at}`,
      ].filter((m) => m !== false);
      return mismatched.length === 0
        ? pass(`by ${approval.actor_email} at ${approval.at}, as logged`)
        : fail(`the audit entry says ${mismatched.join(", ")}`);
    }),
  );
}

const WITHDRAW_ACTIONS = new Set(["model.withdraw", "incident.withdraw_model"]);

/** A withdrawn version says so, with the included audit entry that withdrew it; any other version has no withdrawal. */
function checkWithdrawal(statement: Statement, bundle: Bundle): Check {
  return attempt("withdrawal", () => {
    const { model_version: version, withdrawal } = statement.predicate;
    if (version.status !== "withdrawn") return withdrawal === null ? pass(`not withdrawn (status ${version.status})`) : fail(`a withdrawal is stated but the status is ${version.status}`);
    if (withdrawal === null) return fail("the status is withdrawn but no withdrawal is stated");
    const entry = bundle.audit.entries.find((e) => e.entry.seq === withdrawal.audit_seq)?.entry;
    if (!entry) return fail(`audit entry #${withdrawal.audit_seq} is not among the included entries`);
    const mismatched = [
      !WITHDRAW_ACTIONS.has(entry.action) && `action ${entry.action}`,
      entry.entityId !== version.id && `entity ${entry.entityId}`,
      entry.at !== withdrawal.at && `time ${entry.at}`,
      (entry.action === "incident.withdraw_model") !== (withdrawal.incident_id !== null) && `action ${entry.action} for ${withdrawal.incident_id === null ? "no incident" : "an incident"}`,
    ].filter((m) => m !== false);
    if (mismatched.length > 0) return fail(`the audit entry says ${mismatched.join(", ")}`);
    const incident = withdrawal.incident_id === null ? "by hand" : `by incident ${withdrawal.incident_id}`;
    return pass(`WITHDRAWN ${incident} at ${withdrawal.at} (audit entry #${withdrawal.audit_seq}): ${withdrawal.reason ?? "no reason recorded"}`);
  });
}

/** The ids the predicate names: the model, its parent and base, the datasets, their versions, the runs, incidents. */
function namedIds(predicate: Predicate): Set<string> {
  return new Set([
    predicate.model_version.id,
    ...(predicate.model_version.parent_version_id ? [predicate.model_version.parent_version_id] : []),
    ...(predicate.base_model ? [predicate.base_model.version_id] : []),
    ...predicate.privacy.lineages.flatMap((l) => [l.dataset_id, ...l.runs.map((r) => r.run_id), ...l.dataset_versions.map((v) => v.id)]),
    ...predicate.incidents.map((i) => i.id),
  ]);
}

function checkRelevance(statement: Statement, bundle: Bundle): Check {
  const ids = namedIds(statement.predicate);
  const strays = bundle.audit.entries.filter((e) => !ids.has(e.entry.entityId)).map((e) => `#${e.entry.seq}`);
  return {
    name: "audit entries concern this model",
    ...(strays.length === 0
      ? pass(`all ${bundle.audit.entries.length} entries are about the model version, its lineage, datasets, runs or incidents`)
      : fail(`entries ${strays.join(", ")} are about nothing the statement names`)),
  };
}

function verifyParsed(value: unknown, options: VerifyOptions): Check[] {
  const format = (value as { format?: unknown } | null)?.format;
  const checks: Check[] = [
    { name: "format", ...(format === BUNDLE_FORMAT ? pass(BUNDLE_FORMAT) : fail(`format is ${JSON.stringify(format)}, not ${BUNDLE_FORMAT}`)) },
  ];
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) return [...checks, { name: "schema", ...fail(`${issues(parsed.error)} (no further checks)`) }];
  const bundle = parsed.data;
  checks.push({ name: "schema", ...pass("the file fits the provenance export schema") });
  const key = parsePublicKey(bundle.public_key);
  checks.push({ name: "public key", ...(key.ok ? pass("Ed25519, SPKI PEM") : fail(key.reason)) });
  // Signatures are checked only against the parsed key; with no usable key they fail with its reason.
  const envelope: Result<unknown> = key.ok ? verifyEnvelope(bundle.envelope, key.key) : key;
  checks.push({ name: "envelope signature", ...(envelope.ok ? pass("Ed25519 over the DSSE PAE, by the public key") : fail(envelope.reason)) });
  const { check: statementCheck, statement } = checkStatement(bundle);
  checks.push(statementCheck);
  if (statement) {
    checks.push(checkSubject(statement, options.weights));
    for (const lineage of statement.predicate.privacy.lineages) {
      checks.push(...checkLineage(lineage, statement.predicate.privacy.accountant));
    }
  }
  const head: Result<unknown> = key.ok ? verifyTreeHead(bundle.audit.tree_head, key.key) : key;
  checks.push({
    name: "tree head signature",
    ...(head.ok ? pass(`tree of ${bundle.audit.tree_head.tree_size} entries at ${bundle.audit.tree_head.timestamp}`) : fail(head.reason)),
  });
  checks.push(...checkEntries(bundle, head.ok));
  if (statement) checks.push(...checkApprovals(statement, bundle), checkWithdrawal(statement, bundle), checkRelevance(statement, bundle));
  return checks;
}

/** Verifies an export file (its text, or its bytes as read); every check is reported, and ok only if all pass. */
export function verifyBundle(file: string | Uint8Array, options: VerifyOptions = {}): Verification {
  let checks: Check[];
  try {
    const read = readCanonical(file);
    checks = "value" in read ? [read.check, ...verifyParsed(read.value, options)] : [read.check];
  } catch (cause) {
    checks = [{ name: "verifier", ok: false, detail: `unexpected error: ${(cause as Error).message}` }];
  }
  return { ok: checks.every((c) => c.ok), checks };
}
