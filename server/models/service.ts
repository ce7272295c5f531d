// The model registry: register versions (base models from files, fine-tuned ones from runs), move them through
// draft -> approved -> deployed (privacy officers only) or withdraw them, and compute each version's guarantee (which
// covers the sweep it was chosen from).
import { randomUUID } from "node:crypto";
import { asc, eq, inArray, max } from "drizzle-orm";
import { z } from "zod";
import { engineOf, first, preparedRead, type Db, type Executor, type Tx } from "../../db/client";
import { MODEL_KINDS, budgets, datasetVersions, datasets, modelFamilies, modelVersions, runs, type ModelStatus, type ModelVersion } from "../../db/schema";
import { modelConfigSchema, parameterShapes } from "../../trainer/contract/model-config";
import { audited, type Actor } from "../audit/service";
import { groupPrivacy } from "../../trainer/privacy";
import { lineageUnitCounts } from "../budgets/delta-bound";
import { lineageRuns, personLevel, spendOf, type RunShare } from "../budgets/ledger";
import { partiesPerPersonOfRuns } from "../budgets/parties-per-person";
import type { SessionUser } from "../context";
import { AppError } from "../errors";
import { lineText, proseText } from "../validation";
import { sourceOf } from "./base-provenance";
import { modelVisibility, visibleModelVersion } from "./visibility";

export const registerModelInput = z.object({
  familyName: lineText().min(1).max(200),
  kind: z.enum(MODEL_KINDS),
  parentVersionId: z.uuid().nullable(),
  datasetVersionId: z.uuid().nullable(),
  runId: z.uuid().nullable(),
  weightsPath: z.string().min(1),
  weightsDigest: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 hex digest"),
  config: z.record(z.string(), z.unknown()),
  provenance: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.number()).default({}),
});

export const setStatusInput = z.object({
  versionId: z.uuid(),
  status: z.enum(["approved", "deployed", "withdrawn"]),
  /** Why a version is withdrawn (kept with the version, shown on its page and in its provenance export). */
  reason: proseText().max(2000).optional(),
});

/** Why a version was withdrawn: the reason given and the incident that caused it, when one did. */
export interface Withdrawal {
  reason: string | null;
  incidentId: string | null;
}

const NEXT_STATUS: Record<ModelStatus, readonly ModelStatus[]> = {
  draft: ["approved", "withdrawn"],
  approved: ["deployed", "withdrawn"],
  deployed: ["withdrawn"],
  withdrawn: [],
};

/** Registers a version inside the caller's transaction (the job runner registers a run's result with the run's end). */
export async function insertModelVersion(tx: Tx, input: z.infer<typeof registerModelInput>, id = randomUUID()): Promise<ModelVersion> {
  // The family, made if new (a concurrent registration may make it first), then locked so that on PostgreSQL
  // concurrent registrations in one family number their versions one after another (on SQLite they are serial).
  const made = { id: randomUUID(), name: input.familyName, description: "", createdAt: new Date().toISOString() };
  await tx.insert(modelFamilies).values(made).onConflictDoNothing({ target: modelFamilies.name });
  const family = (await first(tx.select().from(modelFamilies).where(eq(modelFamilies.name, input.familyName))))!;
  await engineOf(tx).lockRow(tx, "model_families", family.id);
  const last = await first(tx.select({ n: max(modelVersions.version) }).from(modelVersions).where(eq(modelVersions.familyId, family.id)));
  await tx.insert(modelVersions)
    .values({
      id,
      familyId: family.id,
      version: (last?.n ?? 0) + 1,
      kind: input.kind,
      parentVersionId: input.parentVersionId,
      datasetVersionId: input.datasetVersionId,
      runId: input.runId,
      weightsPath: input.weightsPath,
      weightsDigest: input.weightsDigest,
      config: JSON.stringify(input.config),
      provenance: JSON.stringify(input.provenance),
      metrics: JSON.stringify(input.metrics),
    });
  return (await first(tx.select().from(modelVersions).where(eq(modelVersions.id, id))))!;
}

export function registerModelVersion(db: Db, actor: Actor, input: z.infer<typeof registerModelInput>): Promise<ModelVersion> {
  const id = randomUUID();
  return audited(db, { actor, action: "model.register", entityType: "model_version", entityId: id, input }, (tx) =>
    insertModelVersion(tx, input, id),
  );
}

export function setModelStatus(db: Db, actor: Actor, input: z.infer<typeof setStatusInput>) {
  const action = { approved: "model.approve", deployed: "model.deploy", withdrawn: "model.withdraw" }[input.status];
  return audited(db, { actor, action, entityType: "model_version", entityId: input.versionId, input }, async (tx) =>
    versionSummary(await changeModelStatus(tx, input.versionId, input.status, { reason: input.reason?.trim() || null, incidentId: null })),
  );
}

/**
 * Moves a version to `status` inside the caller's transaction, if its current status allows it; a withdrawal keeps
 * when, why and (for a containment) the incident with the version.
 */
export async function changeModelStatus(tx: Tx, versionId: string, status: ModelStatus, withdrawal?: Withdrawal): Promise<ModelVersion> {
  const version = await first(tx.select().from(modelVersions).where(eq(modelVersions.id, versionId)));
  if (!version) throw new AppError("NOT_FOUND", "No such model version.");
  if (!NEXT_STATUS[version.status].includes(status)) {
    throw new AppError("CONFLICT", `A ${version.status} version cannot become ${status}.`);
  }
  const withdrawn =
    status === "withdrawn" ? { withdrawnAt: new Date().toISOString(), withdrawalReason: withdrawal?.reason ?? null, withdrawalIncidentId: withdrawal?.incidentId ?? null } : {};
  await tx.update(modelVersions).set({ status, ...withdrawn }).where(eq(modelVersions.id, version.id));
  return (await first(tx.select().from(modelVersions).where(eq(modelVersions.id, version.id))))!;
}

/**
 * A version as the registry names it to its readers (and in disclosure reports): never its storage path,
 * configuration, provenance or metrics (validation loss and perplexity are internal, not DP).
 */
export function versionSummary(v: ModelVersion) {
  return { id: v.id, familyId: v.familyId, version: v.version, kind: v.kind, status: v.status, parentVersionId: v.parentVersionId, weightsDigest: v.weightsDigest, createdAt: v.createdAt };
}

/** When, why and through which incident a version was withdrawn; null for a version that was not. */
export function withdrawalOf(v: ModelVersion): (Withdrawal & { at: string }) | null {
  return v.status === "withdrawn" ? { at: v.withdrawnAt ?? "", reason: v.withdrawalReason, incidentId: v.withdrawalIncidentId } : null;
}

/** What the registry's pages show of a version: its summary and the run that trained it (null for a base model). */
function registryEntry(v: ModelVersion) {
  return { ...versionSummary(v), runId: v.runId };
}

/** The names people read for versions ("family vN"), by id, for pages that list versions by id (audit, incidents). */
export async function versionNames(db: Executor, versionIds: string[]): Promise<Map<string, string>> {
  if (versionIds.length === 0) return new Map();
  const rows = await db
    .select({ id: modelVersions.id, version: modelVersions.version, family: modelFamilies.name })
    .from(modelVersions)
    .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
    .where(inArray(modelVersions.id, [...new Set(versionIds)]));
  return new Map(rows.map((v) => [v.id, `${v.family} v${v.version}`]));
}

/** The families and versions the user may see (a family none of whose versions they may see is left out). */
/** Every model version with its family, families by name and versions in order: one query. */
const allVersions = preparedRead("model_versions_with_family", (db) =>
  db
    .select({ family: modelFamilies, version: modelVersions })
    .from(modelVersions)
    .innerJoin(modelFamilies, eq(modelFamilies.id, modelVersions.familyId))
    .orderBy(asc(modelFamilies.name), asc(modelFamilies.id), asc(modelVersions.version)),
);

/** The families with the versions of each the user may see (a family with none is left out). */
export async function listModels(db: Executor, user: SessionUser) {
  const rows = await allVersions(db, {});
  const visible = modelVisibility(db, user, rows.map((r) => r.version));
  const shown = await Promise.all(rows.map((r) => visible(r.version.id)));
  const families = new Map<string, { id: string; name: string; description: string; versions: ReturnType<typeof registryEntry>[] }>();
  rows.forEach(({ family, version }, i) => {
    if (!shown[i]) return;
    const listed = families.get(family.id) ?? { id: family.id, name: family.name, description: family.description, versions: [] };
    listed.versions.push(registryEntry(version));
    families.set(family.id, listed);
  });
  return [...families.values()];
}

/** The classification task the version was trained for (its provenance's label field and labels), or null. */
function taskOf(v: ModelVersion): { label_field: string; labels: string[] } | null {
  const { task } = z.object({ task: z.object({ label_field: z.string(), labels: z.array(z.string()) }).optional() }).parse(JSON.parse(v.provenance));
  return task ?? null;
}

/** What a version's config.json says it is, for its page: the architecture, its size, tokenizer and activation. */
export function architectureOf(v: ModelVersion) {
  const config = modelConfigSchema.parse(JSON.parse(v.config));
  const parameters = Object.values(parameterShapes(config)).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
  return {
    architecture: config.architecture,
    layers: config.n_layer,
    width: config.n_embd,
    heads: config.n_head,
    context: config.context_length,
    vocabulary: config.vocab_size,
    tokenizer: config.tokenizer,
    activation: config.activation,
    parameters,
  };
}

/** A version with its metrics, lineage and the guarantee it carries per dataset lineage; NOT_FOUND for one the user may not see. */
export async function versionDetail(db: Executor, user: SessionUser, versionId: string) {
  const version = await visibleModelVersion(db, user, versionId);
  // Validation loss and perplexity on held-out records: internal figures, not DP (the page labels them so).
  const metrics = z.record(z.string(), z.number()).parse(JSON.parse(version.metrics));
  const family = (await first(db.select({ name: modelFamilies.name }).from(modelFamilies).where(eq(modelFamilies.id, version.familyId))))!;
  return {
    version: registryEntry(version),
    family: family.name,
    withdrawal: withdrawalOf(version),
    architecture: architectureOf(version),
    source: sourceOf(version),
    task: taskOf(version),
    metrics,
    lineage: (await lineage(db, version.id)).map(registryEntry),
    guarantees: await guarantees(db, version.id),
  };
}

/** The version and its ancestors, nearest first. */
export async function lineage(db: Executor, versionId: string): Promise<ModelVersion[]> {
  const chain: ModelVersion[] = [];
  let id: string | null = versionId;
  while (id) {
    const v: ModelVersion | undefined = await first(db.select().from(modelVersions).where(eq(modelVersions.id, id)));
    if (!v) break;
    chain.push(v);
    id = v.parentVersionId;
  }
  return chain;
}

/** The runs a version's guarantee covers on one lineage: those launched up to `cutoff`, and a chain's own. */
interface Coverage {
  cutoff: string;
  chainRunIds: Set<string>;
  /** The model version whose synthetic data brought the lineage in (post-processing), or null for the chain's own runs. */
  viaSyntheticOf: string | null;
}

/**
 * What a version's guarantee covers, per real lineage: for a lineage its chain trained on, every run launched before
 * its registration and its chain's runs; for a synthetic version its chain trained on, what the source model's
 * guarantee covers (post-processing), found the same way.
 */
async function coverageOf(db: Executor, versionId: string, via: string | null = null, depth = 0): Promise<Map<string, Coverage[]>> {
  if (depth > 32) throw new Error(`the synthetic data behind version ${versionId} goes too deep`);
  const chain = await lineage(db, versionId);
  const cutoff = chain[0]?.createdAt ?? "";
  const chainRunIds = new Set(chain.flatMap((v) => (v.runId ? [v.runId] : [])));
  const out = new Map<string, Coverage[]>();
  const cover = (datasetId: string, c: Coverage) => out.set(datasetId, [...(out.get(datasetId) ?? []), c]);
  for (const runId of chainRunIds) {
    const run = await first(db.select({ datasetId: runs.datasetId, source: datasetVersions.sourceModelVersionId }).from(runs).innerJoin(datasetVersions, eq(datasetVersions.id, runs.datasetVersionId)).where(eq(runs.id, runId)));
    if (!run) continue;
    if (run.source === null) cover(run.datasetId, { cutoff, chainRunIds, viaSyntheticOf: via });
    else for (const [datasetId, cs] of await coverageOf(db, run.source, via ?? run.source, depth + 1)) cs.forEach((c) => cover(datasetId, c));
  }
  return out;
}

/**
 * The guarantee a version carries for each dataset lineage its chain was trained on, directly or through synthetic
 * data (whose guarantee is its source model's: post-processing). Its stated epsilon covers the choice that made it:
 * the composition of every run on that lineage launched before the version's registration (a hyperparameter sweep is
 * one release, and choosing among its runs costs nothing more once all were composed), plus its own chain's runs; the
 * chain's own epsilon (its run and its ancestors' on that lineage) is given beside it. Through synthetic data, the
 * same holds of the source model at its registration. Runs still queued or running count with their reservation.
 * Different lineages (different people) are separate.
 */
export async function guarantees(db: Executor, versionId: string) {
  const coverage = await coverageOf(db, versionId);
  return Promise.all([...coverage].map(async ([datasetId, covers]) => {
    const dataset = (await first(db.select().from(datasets).where(eq(datasets.id, datasetId))))!;
    const budget = await first(db.select().from(budgets).where(eq(budgets.datasetId, datasetId)));
    if (!budget) throw new Error(`dataset ${datasetId} has runs but no budget`);
    const chainRunIds = new Set(covers.flatMap((c) => [...c.chainRunIds]));
    const considered = (await lineageRuns(db, datasetId)).filter((r) => covers.some((c) => r.createdAt <= c.cutoff || c.chainRunIds.has(r.id)));
    const stated = spendOf(considered, budget.delta);
    const own = spendOf(considered.filter((r) => chainRunIds.has(r.id)), budget.delta);
    const unit = budget.privacyUnit;
    // On the federation's lineage a person held by k parties is k parties (or k persons: one at each), so k-fold group
    // privacy (k from the overlap of subjects).
    const partyK = dataset.federation ? await partiesPerPersonOfRuns(db, considered.map((r) => r.id), (await lineageUnitCounts(db, datasetId)).party) : null;
    return {
      datasetId,
      datasetName: dataset.name,
      privacyUnit: unit,
      /** The stated epsilon: every run on the lineage launched before registration, composed. */
      epsilon: stated.epsilon,
      /** The version's own chain on this lineage alone (not a guarantee when it was chosen among other runs). */
      ownEpsilon: own.epsilon,
      delta: budget.delta,
      naiveEpsilonSum: stated.naiveEpsilonSum,
      recordsPerPersonBound: budget.recordsPerPersonBound,
      personLevel: unit === "record" ? personLevel(stated.epsilon, budget.delta, budget.recordsPerPersonBound) : partyK && partyK.k > 1 ? groupPrivacy(stated.epsilon, budget.delta, partyK.k) : null,
      /** On the federation's lineage: the most parties one person is at (k), and the overlap that measured it (null: every party). */
      partiesPerPerson: partyK,
      /** The model versions whose synthetic data brought this lineage in (post-processing); empty when trained on it directly. */
      viaSyntheticOf: [...new Set(covers.flatMap((c) => (c.viaSyntheticOf ? [c.viaSyntheticOf] : [])))],
      runs: stated.runs.filter((share): share is RunShare => share.kind === "run").map((share) => ({ ...share, inChain: chainRunIds.has(share.runId) })),
    };
  }));
}
