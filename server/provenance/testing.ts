// Test fixture for provenance: a small valid audit log, a statement for a model trained by two runs, and the inputs
// buildBundle takes, all made with the real hashing, accountant and a fresh Ed25519 key.
import { generateKeyPairSync } from "node:crypto";
import type { AuditEntry } from "../../db/schema";
import { createAccountant, composed, dpSgdEvent, groupPrivacy, EVENT_FORMAT_VERSION } from "../../trainer/privacy";
import { countReleaseEvent } from "../budgets/dp-counts";
import { GENESIS_HASH, entryHash } from "../audit/chain";
import { sha256Hex } from "../audit/canonical";
import {
  ADJACENCY,
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  auditLeafHash,
  type BundleInput,
  type Predicate,
  type Statement,
} from "./bundle";
import { publicKeyPem } from "./dsse";
import { inclusionProof, treeRoot } from "./merkle";

export const IDS = {
  model: "5a1c7e52-0000-4000-8000-000000000001",
  base: "5a1c7e52-0000-4000-8000-000000000002",
  dataset: "5a1c7e52-0000-4000-8000-000000000003",
  datasetVersion: "5a1c7e52-0000-4000-8000-000000000004",
  runs: ["5a1c7e52-0000-4000-8000-000000000005", "5a1c7e52-0000-4000-8000-000000000006"] as const,
  incident: "5a1c7e52-0000-4000-8000-000000000007",
  otherUser: "5a1c7e52-0000-4000-8000-000000000008",
};

type Change = Pick<AuditEntry, "actorEmail" | "actorRole" | "action" | "entityType" | "entityId">;

const CHANGES: Change[] = [
  { actorEmail: "steward@example.com", actorRole: "engineer", action: "dataset.upload", entityType: "dataset_version", entityId: IDS.datasetVersion },
  { actorEmail: "officer@example.com", actorRole: "privacy_officer", action: "budget.set", entityType: "dataset", entityId: IDS.dataset },
  { actorEmail: "admin@example.com", actorRole: "admin", action: "user.create", entityType: "user", entityId: IDS.otherUser },
  { actorEmail: "scientist@example.com", actorRole: "engineer", action: "run.launch", entityType: "run", entityId: IDS.runs[0] },
  { actorEmail: "scientist@example.com", actorRole: "engineer", action: "run.launch", entityType: "run", entityId: IDS.runs[1] },
  { actorEmail: "system", actorRole: "system", action: "model.register", entityType: "model_version", entityId: IDS.model },
  { actorEmail: "officer@example.com", actorRole: "privacy_officer", action: "model.approve", entityType: "model_version", entityId: IDS.model },
  { actorEmail: "admin@example.com", actorRole: "admin", action: "user.change_role", entityType: "user", entityId: IDS.otherUser },
];

/** A valid hash chain of the changes above, one minute apart. */
export function auditLog(): AuditEntry[] {
  const log: AuditEntry[] = [];
  for (const [i, change] of CHANGES.entries()) {
    const body = {
      seq: i + 1,
      at: new Date(Date.UTC(2025, 0, 2, 3, i)).toISOString(),
      actorId: change.actorRole === "system" ? null : `user-${change.actorEmail}`,
      ...change,
      inputDigest: sha256Hex(`input ${i}`),
      prevHash: log.at(-1)?.hash ?? GENESIS_HASH,
    };
    log.push({ ...body, hash: entryHash(body) });
  }
  return log;
}

const RUNS = [
  { samplingRate: 0.01, noiseMultiplier: 1.1, steps: 200 },
  { samplingRate: 0.02, noiseMultiplier: 0.9, steps: 120 },
];
const DELTA = 1e-5;
/** k, the records-per-person bound the budget states. */
const RECORDS_PER_PERSON_BOUND = 3;
const COUNT_NOISE_MULTIPLIER = 10;

export function statement(log: AuditEntry[]): Statement {
  const events = RUNS.map((r) => dpSgdEvent(r.samplingRate, r.noiseMultiplier, r.steps));
  const epsilon = createAccountant("rdp").epsilon(composed(events), DELTA);
  const approval = log.find((e) => e.action === "model.approve")!;
  const predicate: Predicate = {
    model_version: { id: IDS.model, family: "clinic-notes", version: 2, kind: "fine_tuned", status: "approved", parent_version_id: IDS.base },
    base_model: { version_id: IDS.base, weights_sha256: sha256Hex("base weights"), provenance: { corpus: "moby-dick", steps: 500 } },
    architecture: { architecture: "gpt", layers: 4, width: 128, heads: 4, context: 64, vocabulary: 257, tokenizer: "bytes", activation: "gelu_new", parameters: 867_328 },
    code_version: "0123456789abcdef0123456789abcdef01234567",
    privacy: {
      accountant: "rdp",
      sampling: "poisson",
      lineages: [
        {
          dataset_id: IDS.dataset,
          dataset_name: "Patientenbriefe – Köln",
          privacy_unit: "record",
          adjacency: ADJACENCY.record,
          delta: DELTA,
          epsilon,
          // The second run made the version; the first is a run of the sweep it was chosen from.
          own_epsilon: createAccountant("rdp").epsilon(events[1]!, DELTA),
          runs: RUNS.map((r, i) => ({
            run_id: IDS.runs[i]!,
            status: "finished",
            steps_charged: r.steps,
            sampling_rate: r.samplingRate,
            noise_multiplier: r.noiseMultiplier,
            clip_norm: 1,
            expected_batch_size: i === 0 ? null : 100,
            records_per_subject: null,
            event: { version: EVENT_FORMAT_VERSION, event: events[i]! },
            in_chain: i === 1,
          })),
          dataset_versions: [
            {
              id: IDS.datasetVersion,
              content_digest: sha256Hex("records"),
              dp_counts: {
                record_count: 4987,
                subject_count: 2113,
                record_noise_std: COUNT_NOISE_MULTIPLIER,
                subject_noise_std: COUNT_NOISE_MULTIPLIER,
                noise_multiplier: COUNT_NOISE_MULTIPLIER,
                records_counted_up_to: null,
                event: { version: EVENT_FORMAT_VERSION, event: countReleaseEvent(COUNT_NOISE_MULTIPLIER) },
              },
              records_per_person_bound: RECORDS_PER_PERSON_BOUND,
              minimisation: { drop: ["email"], mask: ["phone"] },
            },
          ],
          person_level: groupPrivacy(epsilon, DELTA, RECORDS_PER_PERSON_BOUND),
          parties_per_person: null,
          via_synthetic_of: [],
        },
      ],
    },
    synthetic_data: [],
    audit_results: [],
    withdrawal: null,
    approvals: [{ action: approval.action, actor_email: approval.actorEmail, at: approval.at, audit_seq: approval.seq }],
    incidents: [{ id: IDS.incident, title: "Loss spike on run 2", severity: "low", status: "resolved", opened_at: "2025-01-02T04:00:00.000Z" }],
  };
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: "clinic-notes v2", digest: { sha256: sha256Hex("fine-tuned weights") } }],
    predicateType: PREDICATE_TYPE,
    predicate,
  };
}

/** Everything buildBundle needs: the entries about the model (all but the user changes) with their proofs. */
export function exampleInput(): BundleInput & { log: AuditEntry[] } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const log = auditLog();
  const leaves = log.map(auditLeafHash);
  const entries = log
    .filter((e) => e.entityType !== "user")
    .map((entry) => ({ leaf_index: entry.seq - 1, entry, inclusion_proof: inclusionProof(entry.seq - 1, leaves) }));
  return {
    log,
    statement: statement(log),
    privateKey,
    publicKeyPem: publicKeyPem(privateKey),
    treeHead: { tree_size: log.length, root_hash: treeRoot(leaves), timestamp: "2025-01-02T05:00:00.000Z" },
    entries,
  };
}
