// What can be disclosed about a model version's training: per dataset lineage the privacy unit, adjacency, delta,
// the server's epsilon (and person-level figure), every run's settings and events, the data versions with their
// minimisation, DP counts (if released) and the stated records-per-person bound; plus the base model, the leakage
// tests that exist (./leakage.ts), approvals, the withdrawal (when, why, the incident) and incidents. The disclosure page and the provenance export use it. Nothing here is computed from private data
// without being covered by the accountant: no exact counts, no observed maxima, no batch sizes derived from them.
import { execFileSync } from "node:child_process";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { first, type Executor } from "../../db/client";
import { auditLog, budgets, datasetVersions, modelFamilies, modelVersions, runs } from "../../db/schema";
import { EVENT_FORMAT_VERSION, type PrivacyUnit } from "../../trainer/privacy";
import { releaseOf, releasedCounts } from "../budgets/count-release";
import { LEDGER_ACCOUNTANT, ledgerEntry } from "../budgets/ledger";
import { minimisationPlanSchema } from "../datasets/ingest/minimise";
import { AppError } from "../errors";
import { incidentsTouching } from "../incidents/service";
import { runRequestInput } from "../runs/run-request";
import { architectureOf, guarantees, lineage, versionSummary, withdrawalOf } from "../models/service";
import { syntheticSourcesOf } from "../synthetic/service";
import { visibleModelVersion } from "../models/visibility";
import type { SessionUser } from "../context";
import { leakageEvidence } from "./leakage";

let codeVersion: string | null | undefined;
/** The commit the server runs: CODE_VERSION when set (images built without .git set it), else the git checkout's. */
export function serverCodeVersion(): string | null {
  if (codeVersion === undefined && process.env.CODE_VERSION) codeVersion = process.env.CODE_VERSION;
  if (codeVersion === undefined) {
    try {
      codeVersion = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      codeVersion = null;
    }
  }
  return codeVersion;
}

/** The report for a reader: NOT_FOUND for a version whose data the user may not see (so that its existence does not leak). */
export async function disclosureFor(db: Executor, user: SessionUser, versionId: string) {
  return disclosure(db, (await visibleModelVersion(db, user, versionId)).id);
}

export async function disclosure(db: Executor, versionId: string) {
  const version = await first(db.select().from(modelVersions).where(eq(modelVersions.id, versionId)));
  if (!version) throw new AppError("NOT_FOUND", "No such model version.");
  const family = (await first(db.select().from(modelFamilies).where(eq(modelFamilies.id, version.familyId))))!;
  const chain = await lineage(db, version.id);
  const base = chain.find((v) => v.kind === "base") ?? null;
  const lineages = await Promise.all((await guarantees(db, version.id)).map(async (g) => {
    const inChain = new Set(g.runs.filter((share) => share.inChain).map((share) => share.runId));
    const lineageRuns = await Promise.all(g.runs.map(async (share) => (await first(db.select().from(runs).where(eq(runs.id, share.runId))))!));
    const versionIds = [...new Set(lineageRuns.map((r) => r.datasetVersionId))];
    const budget = await first(db.select({ k: budgets.recordsPerPersonBound }).from(budgets).where(eq(budgets.datasetId, g.datasetId)));
    const dataVersions = await db.select().from(datasetVersions).where(inArray(datasetVersions.id, versionIds)).orderBy(asc(datasetVersions.version));
    return {
      datasetId: g.datasetId,
      datasetName: g.datasetName,
      privacyUnit: g.privacyUnit,
      adjacency: `add-or-remove-one-${g.privacyUnit}` as const,
      delta: g.delta,
      epsilon: g.epsilon,
      ownEpsilon: g.ownEpsilon,
      naiveEpsilonSum: g.naiveEpsilonSum,
      viaSyntheticOf: g.viaSyntheticOf,
      personLevel: g.personLevel,
      partiesPerPerson: g.partiesPerPerson,
      runs: lineageRuns.map((r) => {
        const spec = runRequestInput.parse(JSON.parse(r.spec));
        return {
          runId: r.id,
          status: r.status,
          stepsCharged: r.chargedSteps,
          samplingRate: r.samplingRate,
          /** The run's setting when it was given as an expected batch size; else null (from the exact population, it is private). */
          expectedBatchSize: spec.batch.by === "expected_batch_size" ? spec.batch.expectedBatchSize : null,
          noiseMultiplier: r.noiseMultiplier,
          clipNorm: spec.clipNorm,
          recordsPerSubject: spec.maxRecordsPerSubject,
          learningRate: spec.learningRate,
          fineTuning: spec.fineTuning,
          event: { version: EVENT_FORMAT_VERSION as typeof EVENT_FORMAT_VERSION, event: ledgerEntry({ ...r, status: "finished" }).event },
          inChain: inChain.has(r.id),
        };
      }),
      datasetVersions: await Promise.all(
        dataVersions.map(async (dv) => ({
          id: dv.id,
          version: dv.version,
          parentVersionId: dv.parentVersionId,
          contentDigest: dv.contentDigest,
          /** Record and subject counts with Gaussian noise, charged to the lineage's budget; null until released. */
          dpCounts: await countsOf(db, dv.id, g.privacyUnit),
          /** k: the most records one person is taken to have, the bound the budget states (not an observed figure). */
          recordsPerPersonBound: budget?.k ?? 1,
          minimisation: dv.minimisation === null ? null : minimisationPlanSchema.parse(JSON.parse(dv.minimisation)),
        })),
      ),
    };
  }));
  const approvals = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityId, version.id), inArray(auditLog.action, ["model.approve", "model.deploy", ...WITHDRAW_ACTIONS])))
    .orderBy(asc(auditLog.seq));
  const touched = [...chain.map((v) => v.id), ...lineages.flatMap((l) => [l.datasetId, ...l.runs.map((r) => r.runId), ...l.datasetVersions.map((d) => d.id)])];
  return {
    version: versionSummary(version),
    family: family.name,
    lineage: chain.map(versionSummary),
    base: base && { id: base.id, weightsDigest: base.weightsDigest, provenance: jsonObject(base.provenance) },
    /** What the version is: architecture, size, tokenizer and activation (its config.json). */
    architecture: architectureOf(version),
    accountant: LEDGER_ACCOUNTANT.description,
    sampling: "poisson" as const,
    lineages,
    /** The synthetic versions its chain was trained on: their guarantee is their source model's (in `lineages`). */
    syntheticData: await syntheticSourcesOf(db, chain.flatMap((v) => (v.runId ? [v.runId] : []))),
    approvals,
    /** When, why and through which incident it was withdrawn (with the audit entry that did it); null if it was not. */
    withdrawal: withdrawalWithEntry(version, approvals),
    leakage: await leakageEvidence(db, version.id),
    incidents: await incidentsTouching(db, touched),
    codeVersion: serverCodeVersion(),
  };
}

const WITHDRAW_ACTIONS = ["model.withdraw", "incident.withdraw_model"];

function withdrawalWithEntry(version: typeof modelVersions.$inferSelect, entries: (typeof auditLog.$inferSelect)[]) {
  const withdrawal = withdrawalOf(version);
  if (!withdrawal) return null;
  const entry = entries.findLast((e) => WITHDRAW_ACTIONS.includes(e.action));
  if (!entry) throw new Error(`model version ${version.id} is withdrawn but no audit entry withdrew it`);
  return { ...withdrawal, at: entry.at, auditSeq: entry.seq, action: entry.action };
}

async function countsOf(db: Executor, datasetVersionId: string, unit: PrivacyUnit) {
  const release = await releaseOf(db, datasetVersionId);
  return release ? releasedCounts(release, unit) : null;
}

function jsonObject(text: string): Record<string, unknown> {
  return z.record(z.string(), z.unknown()).parse(JSON.parse(text));
}

export type Disclosure = Awaited<ReturnType<typeof disclosure>>;
