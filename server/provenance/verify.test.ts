// Offline verifier tests: a built bundle verifies; any single changed byte fails it (and never throws); targeted
// changes fail exactly the check they should; consistency between two signed tree heads.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { composed, createAccountant, groupPrivacy } from "../../trainer/privacy";
import { auditLeafHash, buildBundle, bundleText, type Bundle, type Statement } from "./bundle";
import { publicKeyPem, signTreeHead, verifyTreeHead } from "./dsse";
import { consistencyProof, inclusionProof, treeRoot, verifyConsistency } from "./merkle";
import { exampleInput } from "./testing";
import { verifyBundle, type Verification } from "./verify";

const input = exampleInput();
const text = buildBundle(input);

const failed = (v: Verification) => v.checks.filter((c) => !c.ok).map((c) => c.name);
const withStatement = (change: (s: Statement) => void) => {
  const statement = structuredClone(input.statement);
  change(statement);
  return buildBundle({ ...input, statement });
};
const reserialised = (change: (b: Bundle) => void) => {
  const bundle = JSON.parse(text) as Bundle;
  change(bundle);
  return bundleText(bundle);
};

describe("verifyBundle", () => {
  it("passes every check of a freshly built bundle, and the weights' digest when given", () => {
    const result = verifyBundle(text, { weights: Buffer.from("fine-tuned weights") });
    expect(failed(result)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(["canonical JSON", "envelope signature", "tree head signature", "audit entries concern this model"]),
    );
    expect(result.checks.filter((c) => c.name.startsWith("epsilon of"))).toHaveLength(1);
    expect(result.checks.filter((c) => c.name.endsWith("inclusion"))).toHaveLength(input.entries.length);
    expect(verifyBundle(Buffer.from(text)).ok).toBe(true);
  });

  it("verifies an export made before the architecture was recorded (no such key)", () => {
    const older = withStatement((s) => {
      delete (s.predicate as Partial<Statement["predicate"]>).architecture;
    });
    expect(failed(verifyBundle(older))).toEqual([]);
  });

  it("fails the subject check for other weights", () => {
    const result = verifyBundle(text, { weights: Buffer.from("other weights") });
    expect(failed(result)).toEqual(["subject digest"]);
  });

  it("fails after any single byte of the file changes, in every section, and never throws", () => {
    const bytes = Buffer.from(text);
    const sections = ["-----BEGIN PUBLIC KEY-----", '"payload":"', '"sig":"', '"tree_head":', '"entries":', '"inclusion_proof":'];
    for (const marker of sections) expect(text.indexOf(marker)).toBeGreaterThanOrEqual(0);
    const passedAfterChange: string[] = [];
    for (let i = 0; i < bytes.length; i++) {
      // Flip the low bit everywhere; at every fifth byte also swap the case of letters (hex and base64 are case-bound).
      const changes = [bytes[i]! ^ 0x01, ...(i % 5 === 0 && /[a-z]/i.test(String.fromCharCode(bytes[i]!)) ? [bytes[i]! ^ 0x20] : [])];
      for (const changed of changes) {
        const copy = Buffer.from(bytes);
        copy[i] = changed;
        const result = verifyBundle(copy);
        if (result.ok) passedAfterChange.push(`byte ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
      }
    }
    expect(passedAfterChange).toEqual([]);
  }, 120_000); // about 8 s alone; the margin is for a machine busy with other suites

  it("fails the signatures for another key, and names the keyid", () => {
    const other = publicKeyPem(generateKeyPairSync("ed25519").privateKey);
    const result = verifyBundle(reserialised((b) => (b.public_key = other)));
    expect(failed(result)).toEqual(["envelope signature", "tree head signature"]);
    expect(result.checks.find((c) => c.name === "envelope signature")?.detail).toMatch(/keyid/);
  });

  it("fails only the epsilon check when the stated epsilon changes and is re-signed with the right key", () => {
    const lying = withStatement((s) => (s.predicate.privacy.lineages[0]!.epsilon *= 0.9));
    const result = verifyBundle(lying);
    expect(failed(result)).toEqual([expect.stringMatching(/^epsilon of /)]);
    expect(result.checks.find((c) => c.name === "envelope signature")?.ok).toBe(true);
  });

  it("fails a run whose event is not what its stated settings give, and a wrong person-level figure", () => {
    const steps = verifyBundle(withStatement((s) => (s.predicate.privacy.lineages[0]!.runs[1]!.steps_charged -= 1)));
    expect(failed(steps)).toEqual([`privacy event of run ${input.statement.predicate.privacy.lineages[0]!.runs[1]!.run_id}`]);
    const person = verifyBundle(withStatement((s) => (s.predicate.privacy.lineages[0]!.person_level = null)));
    expect(failed(person)).toEqual([expect.stringMatching(/^person-level figure/)]);
  });

  it("checks DP counts for their noise and event, apart from the lineage's epsilon, and the person-level figure for the stated k", () => {
    expect(verifyBundle(text).checks.find((c) => c.name.startsWith("DP counts of"))?.ok).toBe(true);
    const counts = (s: Statement) => s.predicate.privacy.lineages[0]!.dataset_versions[0]!.dp_counts!;
    expect(failed(verifyBundle(withStatement((s) => (counts(s).record_noise_std = 1))))).toEqual([expect.stringMatching(/^DP counts of /)]);
    expect(failed(verifyBundle(withStatement((s) => (counts(s).noise_multiplier = 20))))).toEqual([expect.stringMatching(/^DP counts of /)]);
    expect(failed(verifyBundle(withStatement((s) => (counts(s).records_counted_up_to = 3))))).toEqual([expect.stringMatching(/^DP counts of /)]);
    // Leaving the counts out changes no epsilon: the release is not part of the model's training.
    expect(failed(verifyBundle(withStatement((s) => (s.predicate.privacy.lineages[0]!.dataset_versions[0]!.dp_counts = null))))).toEqual([]);
    const bound = (k: number) => (s: Statement) => (s.predicate.privacy.lineages[0]!.dataset_versions[0]!.records_per_person_bound = k);
    expect(failed(verifyBundle(withStatement(bound(4))))).toEqual([expect.stringMatching(/^person-level figure of /)]);
    expect(failed(verifyBundle(withStatement(bound(1))))).toEqual([expect.stringMatching(/^person-level figure of /)]);
  });

  it("recomputes with the accountant the statement names", () => {
    const stated = input.statement.predicate.privacy.lineages[0]!;
    const pld = createAccountant("pld");
    const pldEpsilon = pld.epsilon(composed(stated.runs.map((r) => r.event.event)), stated.delta);
    const pldOwnEpsilon = pld.epsilon(composed(stated.runs.filter((r) => r.in_chain).map((r) => r.event.event)), stated.delta);
    const withAccountant = (accountant: "rdp" | "pld") =>
      withStatement((s) => {
        const lineage = s.predicate.privacy.lineages[0]!;
        s.predicate.privacy.accountant = accountant;
        lineage.epsilon = pldEpsilon;
        lineage.own_epsilon = pldOwnEpsilon;
        lineage.person_level = groupPrivacy(pldEpsilon, lineage.delta, lineage.dataset_versions[0]!.records_per_person_bound);
      });
    expect(failed(verifyBundle(withAccountant("pld")))).toEqual([]);
    expect(failed(verifyBundle(withAccountant("rdp")))).toEqual([
      expect.stringMatching(/^epsilon of /),
      expect.stringMatching(/^own epsilon of /),
      expect.stringMatching(/^person-level figure of /),
    ]);
  });

  it("states the version's own epsilon over its own runs, beside the composition over the sweep it was chosen from", () => {
    const lineage = input.statement.predicate.privacy.lineages[0]!;
    expect(lineage.runs.map((r) => r.in_chain)).toEqual([false, true]);
    expect(lineage.own_epsilon).toBeLessThan(lineage.epsilon);
    // Claiming the own figure as the guarantee, or marking another run as its own, is caught.
    expect(failed(verifyBundle(withStatement((s) => (s.predicate.privacy.lineages[0]!.epsilon = lineage.own_epsilon))))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^epsilon of /)]),
    );
    const swapped = failed(verifyBundle(withStatement((s) => s.predicate.privacy.lineages[0]!.runs.forEach((r) => (r.in_chain = !r.in_chain)))));
    expect(swapped).toEqual([expect.stringMatching(/^own epsilon of /)]);
    expect(failed(verifyBundle(withStatement((s) => s.predicate.privacy.lineages[0]!.runs.forEach((r) => (r.in_chain = false)))))).toEqual([
      expect.stringMatching(/^own epsilon of /),
    ]);
  });

  it("checks the withdrawal mark: set exactly for a withdrawn version, and backed by an included withdrawing entry", () => {
    expect(verifyBundle(text).checks.find((c) => c.name === "withdrawal")).toMatchObject({ ok: true, detail: "not withdrawn (status approved)" });
    // Hiding a withdrawal (status withdrawn, no mark) or marking a version that is not withdrawn is caught.
    expect(failed(verifyBundle(withStatement((s) => (s.predicate.model_version.status = "withdrawn"))))).toEqual(["withdrawal"]);
    const approval = input.statement.predicate.approvals[0]!;
    const mark = { at: approval.at, reason: "leak suspected", incident_id: null, audit_seq: approval.audit_seq };
    expect(failed(verifyBundle(withStatement((s) => (s.predicate.withdrawal = mark))))).toEqual(["withdrawal"]);
    // An entry that withdrew nothing (here the approval) does not back a withdrawal.
    const pointed = verifyBundle(withStatement((s) => ((s.predicate.model_version.status = "withdrawn"), (s.predicate.withdrawal = mark))));
    expect(failed(pointed)).toEqual(["withdrawal"]);
    expect(pointed.checks.find((c) => c.name === "withdrawal")?.detail).toContain("action model.approve");
  });

  it("fails an approval whose entry is removed from the proof set, and an entry about something else", () => {
    const approvalSeq = input.statement.predicate.approvals[0]!.audit_seq;
    const removed = buildBundle({ ...input, entries: input.entries.filter((e) => e.entry.seq !== approvalSeq) });
    expect(failed(verifyBundle(removed))).toEqual([`approval model.approve (#${approvalSeq})`]);
    const leaves = input.log.map(auditLeafHash);
    const stray = input.log.find((e) => e.entityType === "user")!;
    const entries = [...input.entries, { leaf_index: stray.seq - 1, entry: stray, inclusion_proof: inclusionProof(stray.seq - 1, leaves) }]
      .sort((a, b) => a.leaf_index - b.leaf_index);
    expect(failed(verifyBundle(buildBundle({ ...input, entries })))).toEqual(["audit entries concern this model"]);
  });

  it("fails an inclusion proof for another tree, and a changed entry even when re-signed", () => {
    const shorter = input.log.slice(0, 7).map(auditLeafHash);
    const otherHead = { ...input.treeHead, tree_size: 7, root_hash: treeRoot(shorter) };
    expect(failed(verifyBundle(buildBundle({ ...input, treeHead: otherHead })))).toEqual(
      input.entries.map((e) => `audit entry #${e.entry.seq} inclusion`),
    );
    const edited = input.entries.map((e) => (e.entry.seq === 4 ? { ...e, entry: { ...e.entry, actorEmail: "someone@example.com" } } : e));
    expect(failed(verifyBundle(buildBundle({ ...input, entries: edited })))).toEqual([
      "audit entry #4 hash",
      "audit entry #4 inclusion",
    ]);
  });

  it("reports a non-canonical file but still runs the other checks", () => {
    const pretty = `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
    const result = verifyBundle(pretty);
    expect(failed(result)).toEqual(["canonical JSON"]);
    expect(result.ok).toBe(false);
    expect(failed(verifyBundle(text.trimEnd()))).toEqual(["canonical JSON"]);
  });

  it("fails malformed files with a clear detail and never throws", () => {
    const payloadNotJson = reserialised((b) => (b.envelope.payload = Buffer.from("not json").toString("base64")));
    const cases: (string | Uint8Array)[] = [
      "",
      "null\n",
      "[]\n",
      "{}\n",
      '{"format":"something/else"}\n',
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      `\uFEFF${text}`,
      text.slice(0, text.length / 2),
      payloadNotJson,
      reserialised((b) => (b.audit.entries[0]!.leaf_index = -1)),
      reserialised((b) => (b.audit.tree_head.tree_size = 1e300)),
      reserialised((b) => ((b as unknown as { extra: number }).extra = 1)),
    ];
    for (const file of cases) {
      const result = verifyBundle(file);
      expect(result.ok).toBe(false);
      for (const check of result.checks) expect(check.detail).not.toBe("");
    }
    expect(verifyBundle("").checks[0]).toMatchObject({ name: "canonical JSON", ok: false, detail: expect.stringMatching(/not JSON/) });
    expect(failed(verifyBundle('{"format":"something/else"}\n'))).toEqual(["format", "schema"]);
    expect(verifyBundle(payloadNotJson).checks.find((c) => c.name === "statement")?.detail).toMatch(/not JSON/);
  });
});

describe("tree head consistency", () => {
  it("proves a later signed tree head extends an earlier one, and refuses a rewritten history", () => {
    const { privateKey, publicKeyPem: pem, log } = input;
    const leaves = log.map(auditLeafHash);
    const early = signTreeHead({ tree_size: 5, root_hash: treeRoot(leaves.slice(0, 5)), timestamp: "2025-01-02T03:05:00.000Z" }, privateKey);
    const late = signTreeHead({ tree_size: 8, root_hash: treeRoot(leaves), timestamp: "2025-01-02T05:00:00.000Z" }, privateKey);
    expect(verifyTreeHead(early, pem).ok && verifyTreeHead(late, pem).ok).toBe(true);
    const proof = consistencyProof(5, leaves);
    expect(verifyConsistency(early.tree_size, late.tree_size, early.root_hash, late.root_hash, proof)).toBe(true);

    const rewritten = [...leaves];
    rewritten[2] = auditLeafHash({ ...log[2]!, actorEmail: "mallory@example.com" });
    const forged = treeRoot(rewritten);
    expect(verifyConsistency(5, 8, early.root_hash, forged, consistencyProof(5, rewritten))).toBe(false);
    expect(verifyConsistency(5, 8, early.root_hash, late.root_hash, consistencyProof(4, leaves))).toBe(false);
  });
});
