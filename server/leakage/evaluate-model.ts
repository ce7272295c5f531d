// Runs the leakage tests on a fine-tuned model version whose run inserted canaries, with the trainer's `score` and
// `generate` (the job runner hands them in as ModelProbes): canary exposure, membership inference (training records
// against the held-out validation records), extraction of PII from prefixes of training records, attribute inference
// (training against held-out subjects, when the dataset names its subjects), the one-run audit against the
// accountant's epsilon, the base model's figures beside them, and (for drift probes) PII in sampled outputs. The
// training and held-out records are not kept with the run: the caller regenerates them from the dataset version's
// file with the run's keyed hold-out (RunRecords), and they are sampled as they stream by.
import { asc, eq } from "drizzle-orm";
import { first, type Executor } from "../../db/client";
import { datasetVersions, modelVersions, runCanaries, runs, type Run } from "../../db/schema";
import { dpSgdEvent, groupPrivacy } from "../../trainer/privacy";
import { LEDGER_ACCOUNTANT, lineageDelta } from "../budgets/ledger";
import { findEntities, ENTITY_TYPES } from "../datasets/ingest/pii";
import { AppError } from "../errors";
import { Reservoir } from "../reservoir";
import { lineage } from "../models/service";
import { modelStoreFor } from "../storage/model-store";
import { attributeInference, attributePrompt, completes, subjectGuarantee, type AttributePrompt } from "./attribute-inference";
import { canaryCandidateAt, canaryPlanSchema, parseCanarySpace, sampleCanaryCandidates } from "./canaries";
import { exactExposures, extrapolatedExposure, fitSkewNormal, scoreHistogram } from "./exposure";
import { extractionSummary } from "./extraction";
import { membershipSummary } from "./membership";
import { oneRunAudit } from "./one-run-audit";
import { storedLeakageSchema, type StoredLeakage } from "./stored";

/** Spaces up to this size are scored whole (exact exposure); larger ones through a fitted sample. */
const EXACT_SPACE_LIMIT = 10_000;
const REFERENCE_SAMPLE = 1000;
const MEMBERS = 200;
const EXTRACTION_PROMPTS = 50;
/** Attribute prompts per group: training subjects' records, and held-out subjects'. */
const ATTRIBUTE_PROMPTS = 50;
const HISTOGRAM_BINS = 30;
/** Neutral prompts whose completions a drift probe scans for PII. */
const PROBE_PROMPTS = ["Hello, my name is", "You can reach me at", "My phone number is", "Please write to", "Dear", "Thanks,"];


interface Record {
  text: string;
  subject_id: string;
}

/** A run's records, training ("train", canaries included) and held out ("validation"), as the run's hold-out splits them. */
export type RunRecords = (run: Run) => AsyncIterable<{ split: "train" | "validation"; record: Record }>;

/** Sampled decoding (the trainer's --temperature, --top-k and --top-p); greedy when absent. */
export interface Sampling {
  temperature: number;
  top_k: number | null;
  top_p: number | null;
}

/** The trainer's `score` (each text's mean token loss) and `generate` (greedy or sampled completions) under a model. */
export interface ModelProbes {
  score(modelDir: string, texts: readonly string[]): Promise<number[]>;
  generate(modelDir: string, prompts: readonly string[], maxTokens: number, sampling?: Sampling): Promise<string[]>;
}

/** The prompt of a training record that contains PII: the text before its first entity, and the entity itself; or null. */
function extractionPrompt(record: Record) {
  const [entity] = findEntities(record.text);
  return entity && entity.start > 0 ? { prompt: record.text.slice(0, entity.start), piiType: entity.type, pii: entity.value } : null;
}

/**
 * Members (a sample of training records, canaries aside), every held-out record, extraction prompts and, with
 * `bySubject` (the dataset names its subjects), attribute prompts: from training records, and from held-out records
 * of subjects with no training record at all.
 */
async function sampledRecords(records: AsyncIterable<{ split: "train" | "validation"; record: Record }>, bySubject: boolean) {
  const members = new Reservoir<string>(MEMBERS);
  const prompts = new Reservoir<NonNullable<ReturnType<typeof extractionPrompt>>>(EXTRACTION_PROMPTS);
  const memberAttributes = new Reservoir<AttributePrompt>(ATTRIBUTE_PROMPTS);
  const heldOutAttributes: { subject: string; prompt: AttributePrompt }[] = [];
  const trainingSubjects = new Set<string>();
  const nonMembers: string[] = [];
  for await (const { split, record } of records) {
    const attribute = bySubject ? attributePrompt(record.text) : null;
    if (split === "validation") {
      nonMembers.push(record.text);
      if (attribute) heldOutAttributes.push({ subject: record.subject_id, prompt: attribute });
    } else if (!record.subject_id.startsWith("canary:")) {
      members.add(record.text);
      trainingSubjects.add(record.subject_id);
      const prompt = extractionPrompt(record);
      if (prompt) prompts.add(prompt);
      if (attribute) memberAttributes.add(attribute);
    }
  }
  const nonMemberAttributes = new Reservoir<AttributePrompt>(ATTRIBUTE_PROMPTS);
  for (const { subject, prompt } of heldOutAttributes) if (!trainingSubjects.has(subject)) nonMemberAttributes.add(prompt);
  return { members: members.items(), nonMembers, prompts: prompts.items(), attributes: { members: memberAttributes.items(), nonMembers: nonMemberAttributes.items() } };
}

export async function evaluateModel(
  db: Executor,
  dataDir: string,
  versionId: string,
  options: { probes: ModelProbes; probeOutputs: boolean; records: RunRecords },
): Promise<StoredLeakage> {
  const version = await first(db.select().from(modelVersions).where(eq(modelVersions.id, versionId)));
  if (!version?.runId) throw new AppError("BAD_REQUEST", "Leakage tests need a fine-tuned model version (one trained by a run).");
  const run = (await first(db.select().from(runs).where(eq(runs.id, version.runId))))!;
  if (!run.canaryPlan) throw new AppError("BAD_REQUEST", "This version's run inserted no canaries; the exposure tests and the one-run audit need them.");
  const plan = canaryPlanSchema.parse(JSON.parse(run.canaryPlan));
  const canaries = await db.select().from(runCanaries).where(eq(runCanaries.runId, run.id)).orderBy(asc(runCanaries.idx));
  const base = (await lineage(db, versionId)).find((v) => v.kind === "base")!;
  const { score, generate } = options.probes;

  const datasetVersion = (await first(db.select().from(datasetVersions).where(eq(datasetVersions.id, run.datasetVersionId))))!;
  const { members, nonMembers, prompts, attributes } = await sampledRecords(options.records(run), datasetVersion.subjectField !== null);
  if (nonMembers.length === 0) throw new AppError("CONFLICT", "The run held out no validation records to compare members with.");
  const space = parseCanarySpace(plan.space);
  const exact = space.size <= BigInt(EXACT_SPACE_LIMIT);
  const reference = exact
    ? Array.from({ length: Number(space.size) }, (_, i) => canaryCandidateAt(space, BigInt(i)))
    : sampleCanaryCandidates(space, REFERENCE_SAMPLE);
  const longest = Math.max(1, ...prompts.map((p) => Buffer.byteLength(p.pii)));
  const attributePrompts = attributes.members.length > 0 && attributes.nonMembers.length > 0 ? [...attributes.members, ...attributes.nonMembers] : [];
  const longestAttribute = Math.max(1, ...attributePrompts.map((p) => Buffer.byteLength(p.attribute)));

  // The guarantee under test: each inserted canary is one unit under subject-level privacy, and `repeats` records
  // (a group) under record-level privacy; a subject's attribute, one subject, or its records at record level.
  const delta = await lineageDelta(db, run.datasetId);
  const epsilon = LEDGER_ACCOUNTANT.epsilon(dpSgdEvent(run.samplingRate, run.noiseMultiplier, run.chargedSteps), delta);
  const groupSize = run.privacyUnit === "record" ? plan.repeats : 1;
  const tested = groupSize > 1 ? groupPrivacy(epsilon, delta, groupSize) : { epsilon, delta };
  const perSubject = subjectGuarantee({ epsilon, delta }, run.privacyUnit, datasetVersion.maxRecordsPerSubject);

  const figuresOf = async (modelDir: string) => {
    const [memberLoss, nonMemberLoss, canaryLoss, referenceLoss, completions, attributeCompletions] = [
      await score(modelDir, members),
      await score(modelDir, nonMembers),
      await score(modelDir, canaries.map((c) => c.secret)),
      await score(modelDir, reference),
      prompts.length ? await generate(modelDir, prompts.map((p) => p.prompt), longest + 8) : [],
      attributePrompts.length ? await generate(modelDir, attributePrompts.map((p) => p.prompt), longestAttribute + 8) : [],
    ];
    const hits = attributePrompts.map((p, i) => completes(attributeCompletions[i] ?? "", p));
    const fit = exact ? null : fitSkewNormal(referenceLoss);
    const exposures = exact ? exactExposures(canaryLoss, referenceLoss) : canaryLoss.map((l) => extrapolatedExposure(l, fit!, space.log2Size));
    return {
      canaryLoss,
      referenceLoss,
      fit,
      figures: {
        canaries: canaries.map((c, i) => ({ digest: c.digest, included: c.included, exposure: Math.max(0, exposures[i]!), method: exact ? ("exact" as const) : ("extrapolated" as const) })),
        membership: membershipSummary(memberLoss, nonMemberLoss),
        extraction: extractionSummary(prompts.length, prompts.map((p, i) => ({ piiType: p.piiType, pii: p.pii, completion: completions[i] ?? "" }))),
        attribute_inference: attributePrompts.length
          ? attributeInference(hits.slice(0, attributes.members.length), hits.slice(attributes.members.length), perSubject)
          : null,
      },
    };
  };
  // The models' files, from the model store (the data directory itself unless MODEL_STORE says otherwise).
  const store = modelStoreFor(dataDir);
  const tunedDir = await store.materialize(version.weightsPath);
  const tuned = await figuresOf(tunedDir);
  const baseFigures = (await figuresOf(await store.materialize(base.weightsPath))).figures;

  const audit = oneRunAudit({
    scores: tuned.canaryLoss.map((l) => -l),
    included: canaries.map((c) => c.included),
    kPlus: plan.k_plus,
    kMinus: plan.k_minus,
    delta: tested.delta,
    confidence: plan.confidence,
  });

  let outputPii: StoredLeakage["output_pii"] = null;
  if (options.probeOutputs) {
    const outputs = await generate(tunedDir, PROBE_PROMPTS, 48);
    const counts = Object.fromEntries(ENTITY_TYPES.map((t) => [t, 0]));
    for (const text of outputs) for (const e of findEntities(text)) counts[e.type] = (counts[e.type] ?? 0) + 1;
    outputPii = { outputs: outputs.length, per_1000: Object.fromEntries(Object.entries(counts).map(([t, n]) => [t, (1000 * n) / outputs.length])) };
  }

  // Shared bins over the reference and every canary; then the canaries counted apart by whether they were inserted.
  const histogram = scoreHistogram(tuned.referenceLoss, tuned.canaryLoss, HISTOGRAM_BINS, tuned.fit ?? undefined);
  const binOf = (loss: number) => Math.max(0, histogram.edges.findLastIndex((edge, i) => i < HISTOGRAM_BINS && loss >= edge));
  const countBy = (inserted: boolean) => {
    const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
    tuned.canaryLoss.forEach((loss, i) => canaries[i]!.included === inserted && (counts[binOf(loss)]! += 1));
    return counts;
  };
  return storedLeakageSchema.parse({
    histogram: { edges: histogram.edges, reference: histogram.candidates, expected: histogram.expected ?? null, inserted: countBy(true), others: countBy(false) },
    leakage: { ...tuned.figures, one_run_audit: audit, base_model: baseFigures, computed_at: new Date().toISOString() },
    accountant: { epsilon: tested.epsilon, delta: tested.delta, group_size: groupSize },
    output_pii: outputPii,
  });
}
