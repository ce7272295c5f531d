// The provenance export file: its schemas (the contract between the export built from the database and the offline
// verifier) and buildBundle, the one way to write it.
//
// The file is canonical JSON (keys sorted at every depth, no insignificant whitespace) followed by one "\n":
//
//   {
//     "format": "epsilon-ledger-provenance/v2",
//     "public_key": "<Ed25519 public key, SPKI PEM as node:crypto exports it>",
//     "envelope": {                                   // DSSE v1, one Ed25519 signature over PAE(payloadType, payload)
//       "payloadType": "application/vnd.in-toto+json",
//       "payload": "<base64 of the UTF-8 canonical JSON of the in-toto Statement below>",
//       "signatures": [{ "keyid": "<hex SHA-256 of the public key's SPKI DER>", "sig": "<base64>" }]
//     },
//     "audit": {
//       "tree_head": { "tree_size": N, "root_hash": "<hex>", "timestamp": "<ISO 8601>",
//                      "signature": "<base64 Ed25519 over canonicalJson({ tree_size, root_hash, timestamp })>" },
//       "entries": [{ "leaf_index": seq - 1, "entry": <all eleven audit_log columns>, "inclusion_proof": ["<hex>"] }]
//     }
//   }
//
// The audit log is a Merkle tree with RFC 6962 hashing whose leaf i is the entry with seq i + 1, and whose leaf data is
// the UTF-8 of canonicalJson(entry). Entries are listed in increasing seq order, each at most once.
//
// The Statement is in-toto v1: one subject (the model version, digest: SHA-256 of its weights file) and the predicate
// https://epsilon-ledger.dev/dp-training/v3 (predicateSchema below), which carries everything needed to recompute
// epsilon: for each dataset lineage the version's chain was trained on, the delta, privacy unit and the stored privacy
// event of every run on that lineage launched before the version's registration (the sweep it was chosen from) and of
// its own chain (marked in_chain), composed by the named accountant. It carries nothing computed from
// private data that the accountant does not cover: a dataset version's counts only as DP counts (a separate release on
// the lineage's ledger, with its own event), the records-per-person bound k as the budget states it, and a run's
// expected batch size only where it was the run's setting. A withdrawn version is exported too, marked so
// (predicate.withdrawal): it is what an auditor needs when a version was withdrawn.
import type { KeyObject } from "node:crypto";
import { z } from "zod";
import {
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  MODEL_KINDS,
  MODEL_STATUSES,
  RUN_STATUSES,
  type AuditEntry,
} from "../../db/schema";
import { accountantNameSchema, privacyEventDocumentSchema, privacyUnitSchema } from "../../trainer/privacy";
import { canonicalJson, hexHashSchema } from "../audit/canonical";
import {
  envelopeSchema,
  keyIdOf,
  parsePublicKey,
  signEnvelope,
  signTreeHead,
  signedTreeHeadSchema,
  type TreeHead,
} from "./dsse";
import { leafHash } from "./merkle";

export const BUNDLE_FORMAT = "epsilon-ledger-provenance/v2";
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const PREDICATE_TYPE = "https://epsilon-ledger.dev/dp-training/v3";

/** Which neighbouring datasets the guarantee is over, for each privacy unit. */
export const ADJACENCY = {
  record: "add-or-remove-one-record",
  subject: "add-or-remove-one-subject",
  party: "add-or-remove-one-party",
} as const;

const id = z.string().min(1);
const count = z.number().int().min(0);
const positive = z.number().positive();
const jsonObject = z.record(z.string(), z.unknown());

export const runSchema = z.strictObject({
  run_id: id,
  status: z.enum(RUN_STATUSES),
  steps_charged: count,
  sampling_rate: positive.max(1),
  noise_multiplier: positive,
  clip_norm: positive,
  /** The run's setting when it was launched by expected batch size; null when by sampling rate (never derived from counts). */
  expected_batch_size: positive.nullable(),
  /** With subjects as the unit, the most records of one subject a step may use; null with records as the unit. */
  records_per_subject: z.number().int().min(1).nullable(),
  /** The accountant's stored form of the run's privacy event: dpSgdEvent(sampling_rate, noise_multiplier, steps_charged). */
  event: privacyEventDocumentSchema,
  /** Whether the run trained this version or one of its ancestors (else it is a run the version was chosen among). */
  in_chain: z.boolean(),
});

/**
 * A version's DP counts: each count plus Gaussian noise of the stated standard deviation (noise_multiplier times its
 * sensitivity), rounded and floored at 0. `event` is what the release charged to the lineage's budget (two Gaussian
 * queries); it is a release of its own, not part of the model's training, so the lineage's epsilon does not include it.
 */
export const dpCountsSchema = z.strictObject({
  record_count: count,
  subject_count: count,
  record_noise_std: positive,
  subject_noise_std: positive,
  noise_multiplier: positive,
  /** With subjects as the unit, each person's records were counted up to this many (the bound k when released). */
  records_counted_up_to: z.number().int().min(1).nullable(),
  event: privacyEventDocumentSchema,
});

export const datasetVersionSchema = z.strictObject({
  id,
  content_digest: hexHashSchema,
  /** Null when the counts of this version were not released. */
  dp_counts: dpCountsSchema.nullable(),
  /** k: the most records one person is taken to have, a bound the budget states (not an observed figure). */
  records_per_person_bound: z.number().int().min(1),
  minimisation: jsonObject.nullable(),
});

export const lineageSchema = z
  .strictObject({
    dataset_id: id,
    dataset_name: z.string(),
    privacy_unit: privacyUnitSchema,
    adjacency: z.enum([ADJACENCY.record, ADJACENCY.subject, ADJACENCY.party]),
    delta: z.number().gt(0).lt(1),
    /**
     * The server's composed epsilon of every run below at `delta`: every run on the lineage launched before the
     * version's registration (the choice among them is part of the release) and the version's own chain.
     */
    epsilon: z.number().min(0),
    /** The composed epsilon of the runs with in_chain alone: not a guarantee when the version was chosen among others. */
    own_epsilon: z.number().min(0),
    runs: z.array(runSchema),
    dataset_versions: z.array(datasetVersionSchema),
    /**
     * Group privacy over k units of one person, when k > 1: with records as the unit, k = records_per_person_bound;
     * on the federation's lineage (parties, or persons clipped per party), k = parties_per_person. Null otherwise.
     */
    person_level: z.strictObject({ epsilon: z.number().min(0), delta: z.number().gt(0).max(1) }).nullable(),
    /**
     * On the federation's lineage: the most parties one person is at, by an overlap of subjects (private set
     * intersection) when measured_by names it, else every party. Null elsewhere (and in older bundles).
     */
    parties_per_person: z.strictObject({ k: z.number().int().min(1), measured_by: z.string().nullable() }).nullable().default(null),
    /** The model versions whose synthetic records brought this lineage in (post-processing); empty when trained on it directly. */
    via_synthetic_of: z.array(id).default([]),
  })
  .refine((lineage) => lineage.adjacency === ADJACENCY[lineage.privacy_unit], {
    message: "adjacency must match the privacy unit",
    path: ["adjacency"],
  });

export const predicateSchema = z.strictObject({
  model_version: z.strictObject({
    id,
    family: z.string().min(1),
    version: z.number().int().min(1),
    kind: z.enum(MODEL_KINDS),
    status: z.enum(MODEL_STATUSES),
    parent_version_id: id.nullable(),
  }),
  base_model: z
    .strictObject({ version_id: id, weights_sha256: hexHashSchema, provenance: jsonObject })
    .nullable(),
  /** What the model is, from its config.json (absent from exports made before it was recorded). */
  architecture: z
    .strictObject({
      architecture: z.string(),
      layers: z.number().int().min(1),
      width: z.number().int().min(1),
      heads: z.number().int().min(1),
      context: z.number().int().min(1),
      vocabulary: z.number().int().min(2),
      tokenizer: z.string(),
      activation: z.string(),
      parameters: z.number().int().min(1),
    })
    .nullable()
    .default(null),
  code_version: z.string().min(1).nullable(),
  privacy: z.strictObject({
    accountant: accountantNameSchema,
    sampling: z.literal("poisson"),
    lineages: z.array(lineageSchema),
  }),
  /**
   * The synthetic dataset versions the chain was trained on: each sampled from a model version (its weights' digest),
   * validated for leakage and approved by a privacy officer. Their guarantee is the source model's, in `lineages`.
   */
  synthetic_data: z
    .array(
      z.strictObject({
        dataset_version_id: id,
        content_digest: hexHashSchema,
        source_model_version_id: id,
        source_weights_sha256: hexHashSchema,
        validation_passed: z.boolean(),
        approved_by: z.string().nullable(),
        approved_at: z.string().nullable(),
      }),
    )
    .default([]),
  /**
   * The version's leakage evaluations that are done: each one-run audit's empirical lower bound beside the
   * accountant's epsilon, and the canaries' exposure (figures from the model and synthetic canaries only).
   */
  audit_results: z.array(jsonObject),
  /**
   * Set exactly when model_version.status is "withdrawn": when (the audit entry's time), why, the incident that caused
   * it (null for a withdrawal by hand) and the seq of the audit entry that withdrew it, which the export includes.
   */
  withdrawal: z
    .strictObject({ at: z.string(), reason: z.string().nullable(), incident_id: id.nullable(), audit_seq: z.number().int().min(1) })
    .nullable(),
  approvals: z.array(
    z.strictObject({ action: z.string().min(1), actor_email: z.string().min(1), at: z.string(), audit_seq: z.number().int().min(1) }),
  ),
  incidents: z.array(
    z.strictObject({
      id,
      title: z.string(),
      severity: z.enum(INCIDENT_SEVERITIES),
      status: z.enum(INCIDENT_STATUSES),
      opened_at: z.string(),
    }),
  ),
});
export type Predicate = z.infer<typeof predicateSchema>;

export const statementSchema = z.strictObject({
  _type: z.literal(STATEMENT_TYPE),
  subject: z
    .array(z.strictObject({ name: z.string().min(1), digest: z.strictObject({ sha256: hexHashSchema }) }))
    .length(1, "the statement has exactly one subject: the model's weights"),
  predicateType: z.literal(PREDICATE_TYPE),
  predicate: predicateSchema,
});
export type Statement = z.infer<typeof statementSchema>;

export const auditEntrySchema = z.strictObject({
  seq: z.number().int().min(1),
  at: z.string(),
  actorId: z.string().nullable(),
  actorEmail: z.string(),
  actorRole: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  inputDigest: hexHashSchema,
  prevHash: hexHashSchema,
  hash: hexHashSchema,
}) satisfies z.ZodType<AuditEntry>;

export const includedEntrySchema = z
  .strictObject({ leaf_index: count, entry: auditEntrySchema, inclusion_proof: z.array(hexHashSchema) })
  .refine((e) => e.leaf_index === e.entry.seq - 1, { message: "leaf_index must be seq - 1", path: ["leaf_index"] });
export type IncludedEntry = z.infer<typeof includedEntrySchema>;

export const bundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  public_key: z.string(),
  envelope: envelopeSchema,
  audit: z.strictObject({
    tree_head: signedTreeHeadSchema,
    entries: z
      .array(includedEntrySchema)
      .refine((entries) => entries.every((e, i) => i === 0 || e.leaf_index > entries[i - 1]!.leaf_index), {
        message: "entries must be in increasing seq order, each at most once",
      }),
  }),
});
export type Bundle = z.infer<typeof bundleSchema>;

/** The Merkle leaf hash of an audit entry: RFC 6962 leaf hash of the UTF-8 of canonicalJson(entry). */
export function auditLeafHash(entry: AuditEntry): string {
  return leafHash(Buffer.from(canonicalJson(entry), "utf8"));
}

/** The file's text: canonical JSON of the bundle and a final newline. */
export function bundleText(bundle: Bundle): string {
  return `${canonicalJson(bundle)}\n`;
}

export interface BundleInput {
  statement: Statement;
  privateKey: KeyObject;
  /** The public key the dashboard publishes (SPKI PEM); must be the private key's other half. */
  publicKeyPem: string;
  treeHead: TreeHead;
  entries: IncludedEntry[];
}

/**
 * Signs the statement and the tree head and writes the export file. Throws if the statement or entries do not fit the
 * schema or the public key is not the private key's; it does not check proofs or epsilons (verifyBundle does).
 */
export function buildBundle(input: BundleInput): string {
  const publicKey = parsePublicKey(input.publicKeyPem);
  if (!publicKey.ok) throw new TypeError(`public key: ${publicKey.reason}`);
  if (keyIdOf(publicKey.key) !== keyIdOf(input.privateKey)) throw new TypeError("the public key is not the signing key's");
  const statement = statementSchema.parse(input.statement);
  const payload = Buffer.from(canonicalJson(statement), "utf8");
  const bundle = bundleSchema.parse({
    format: BUNDLE_FORMAT,
    public_key: input.publicKeyPem,
    envelope: signEnvelope(IN_TOTO_PAYLOAD_TYPE, payload, input.privateKey),
    audit: { tree_head: signTreeHead(input.treeHead, input.privateKey), entries: input.entries },
  });
  return bundleText(bundle);
}
