// Builds a model version's signed provenance export from the database: the in-toto statement (the weights' digest
// and everything needed to recompute epsilon), signed in a DSSE envelope, with a signed tree head of the audit log
// and inclusion proofs for the entries about the version, its runs, data and incidents. A withdrawn version is
// exported marked withdrawn (predicate.withdrawal), with the audit entry that withdrew it.
import type { Executor } from "../../db/client";
import { auditLog } from "../../db/schema";
import { inArray } from "drizzle-orm";
import { actorOf } from "../actor";
import { audited } from "../audit/service";
import { ABILITIES, may } from "../auth/access";
import type { Context } from "../context";
import { AppError } from "../errors";
import { errorResponse } from "../http/error-response";
import { disclosure } from "../disclosure/service";
import { proofsFor } from "./audit-tree";
import { EVENT_FORMAT_VERSION } from "../../trainer/privacy";
import { ADJACENCY, PREDICATE_TYPE, STATEMENT_TYPE, buildBundle, type Statement } from "./bundle";
import { signingKey, type SigningKey } from "./keys";

export async function provenanceStatement(db: Executor, versionId: string): Promise<{ statement: Statement; entityIds: string[] }> {
  const d = await disclosure(db, versionId);
  const parent = d.lineage[1] ?? null;
  const statement: Statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: `model-${d.version.id}.safetensors`, digest: { sha256: d.version.weightsDigest } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      model_version: { id: d.version.id, family: d.family, version: d.version.version, kind: d.version.kind, status: d.version.status, parent_version_id: parent?.id ?? null },
      base_model: d.base && { version_id: d.base.id, weights_sha256: d.base.weightsDigest, provenance: d.base.provenance },
      architecture: d.architecture,
      code_version: d.codeVersion,
      privacy: {
        accountant: "rdp",
        sampling: d.sampling,
        lineages: d.lineages.map((l) => ({
          dataset_id: l.datasetId,
          dataset_name: l.datasetName,
          privacy_unit: l.privacyUnit,
          adjacency: ADJACENCY[l.privacyUnit],
          delta: l.delta,
          epsilon: l.epsilon,
          own_epsilon: l.ownEpsilon,
          runs: l.runs.map((r) => ({
            run_id: r.runId,
            status: r.status,
            steps_charged: r.stepsCharged,
            sampling_rate: r.samplingRate,
            noise_multiplier: r.noiseMultiplier,
            clip_norm: r.clipNorm,
            expected_batch_size: r.expectedBatchSize,
            records_per_subject: l.privacyUnit === "subject" ? r.recordsPerSubject : null,
            event: r.event,
            in_chain: r.inChain,
          })),
          dataset_versions: l.datasetVersions.map((v) => ({
            id: v.id,
            content_digest: v.contentDigest,
            dp_counts: v.dpCounts && {
              record_count: v.dpCounts.recordCount,
              subject_count: v.dpCounts.subjectCount,
              record_noise_std: v.dpCounts.recordNoiseStd,
              subject_noise_std: v.dpCounts.subjectNoiseStd,
              noise_multiplier: v.dpCounts.noiseMultiplier,
              records_counted_up_to: v.dpCounts.recordsCountedUpTo,
              event: { version: EVENT_FORMAT_VERSION, event: v.dpCounts.event },
            },
            records_per_person_bound: v.recordsPerPersonBound,
            minimisation: v.minimisation,
          })),
          person_level: l.personLevel,
          parties_per_person: l.partiesPerPerson && { k: l.partiesPerPerson.k, measured_by: l.partiesPerPerson.measuredBy },
          via_synthetic_of: l.viaSyntheticOf,
        })),
      },
      synthetic_data: d.syntheticData.map((s) => ({
        dataset_version_id: s.datasetVersionId,
        content_digest: s.contentDigest,
        source_model_version_id: s.sourceModelVersionId,
        source_weights_sha256: s.sourceWeightsDigest,
        validation_passed: s.validationPassed,
        approved_by: s.approvedBy,
        approved_at: s.approvedAt,
      })),
      audit_results: d.leakage.flatMap((e) =>
        e.figures
          ? [
              {
                report_id: e.id,
                kind: e.kind,
                computed_at: e.computedAt,
                one_run_audit: {
                  canaries: e.figures.oneRunAudit.canaries,
                  guesses: e.figures.oneRunAudit.guesses,
                  correct: e.figures.oneRunAudit.correct,
                  confidence: e.figures.oneRunAudit.confidence,
                  epsilon_lower_bound: e.figures.oneRunAudit.epsilonLowerBound,
                  accountant_epsilon: e.figures.oneRunAudit.accountantEpsilon,
                  accountant_delta: e.figures.oneRunAudit.accountantDelta,
                  group_size: e.figures.oneRunAudit.groupSize,
                },
                canary_exposure: { inserted_mean_bits: e.figures.exposure.insertedMean, others_mean_bits: e.figures.exposure.othersMean, method: e.figures.exposure.method },
              },
            ]
          : [],
      ),
      withdrawal: d.withdrawal && { at: d.withdrawal.at, reason: d.withdrawal.reason, incident_id: d.withdrawal.incidentId, audit_seq: d.withdrawal.auditSeq },
      approvals: d.approvals
        .filter((a) => a.action === "model.approve" || a.action === "model.deploy")
        .map((a) => ({ action: a.action, actor_email: a.actorEmail, at: a.at, audit_seq: a.seq })),
      incidents: d.incidents.map((i) => ({ id: i.id, title: i.title, severity: i.severity, status: i.status, opened_at: i.openedAt })),
    },
  };
  const entityIds = [
    d.version.id,
    ...(parent ? [parent.id] : []),
    ...(d.base ? [d.base.id] : []),
    ...d.lineages.flatMap((l) => [l.datasetId, ...l.runs.map((r) => r.runId), ...l.datasetVersions.map((v) => v.id)]),
    ...d.incidents.map((i) => i.id),
  ];
  return { statement, entityIds };
}

/** The export file's text for a model version, signed with the server's key. */
export async function exportProvenance(db: Executor, versionId: string, key: SigningKey): Promise<string> {
  const { statement, entityIds } = await provenanceStatement(db, versionId);
  const seqs = (await db.select({ seq: auditLog.seq }).from(auditLog).where(inArray(auditLog.entityId, [...new Set(entityIds)]))).map((r) => r.seq);
  const { treeSize, root, entries } = await proofsFor(db, seqs);
  return buildBundle({
    statement,
    privateKey: key.privateKey,
    publicKeyPem: key.publicKeyPem,
    treeHead: { tree_size: treeSize, root_hash: root, timestamp: new Date().toISOString() },
    entries,
  });
}

/** GET /api/models/<id>/provenance: the export as a file, for auditors and privacy officers. Each export is recorded in
 * the audit log (`provenance.export`, after the tree head the export carries), so auditors see who exported what. */
export async function handleProvenanceDownload(ctx: Context, versionId: string, dataDir: string): Promise<Response> {
  try {
    if (!ctx.user) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
    if (!may(ctx.user.role, ABILITIES["api.models.provenance"])) throw new AppError("FORBIDDEN", "Only auditors and privacy officers export provenance.");
    const user = ctx.user;
    const text = await audited(ctx.db, { actor: actorOf(user), action: "provenance.export", entityType: "model_version", entityId: versionId, input: { versionId } }, (tx) =>
      exportProvenance(tx, versionId, signingKey(dataDir)),
    );
    return new Response(text, {
      headers: { "content-type": "application/json", "content-disposition": `attachment; filename="provenance-${versionId}.json"` },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
