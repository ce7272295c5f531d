// The launch form's settings as the form holds them (strings, as typed), the defaults, and the conversions to and
// from a run request (the request a launch sends; a run's request fills the form for "Launch again").
import type { RunRequest } from "@/server/runs/run-request";
import type { PrivacyUnit } from "@/trainer/privacy/units";
import { LORA_TARGETS, type LoraTarget } from "@/trainer/contract/model-config";

export interface Settings {
  datasetVersionId: string;
  baseModelVersionId: string;
  privacyUnit: PrivacyUnit;
  privacyMode: "target_epsilon" | "noise_multiplier";
  privacyValue: string;
  batchBy: "expected_batch_size" | "sampling_rate";
  batchValue: string;
  lengthBy: "steps" | "epochs";
  lengthValue: string;
  clipNorm: string;
  learningRate: string;
  method: "lora" | "full";
  rank: string;
  /** The layers that carry LoRA adapters (at least one). */
  loraTargets: LoraTarget[];
  maxRecordsPerSubject: string;
  canaries: string;
  canarySpace: string;
  canaryRepeats: string;
  /** A classification task's label field (blank: no task) and its labels, comma-separated. */
  labelField: string;
  labels: string;
}

export const DEFAULTS: Omit<Settings, "datasetVersionId" | "baseModelVersionId"> = {
  privacyUnit: "subject",
  privacyMode: "target_epsilon",
  privacyValue: "1",
  batchBy: "expected_batch_size",
  batchValue: "16",
  lengthBy: "steps",
  lengthValue: "20",
  clipNorm: "1",
  learningRate: "0.001",
  method: "lora",
  rank: "4",
  loraTargets: [...LORA_TARGETS],
  maxRecordsPerSubject: "8",
  canaries: "0",
  canarySpace: "my SSN is {ddd}-{dd}-{dddd}",
  canaryRepeats: "1",
  labelField: "",
  labels: "",
};

export function toRequest(s: Settings) {
  return {
    datasetVersionId: s.datasetVersionId,
    baseModelVersionId: s.baseModelVersionId,
    privacyUnit: s.privacyUnit,
    privacy:
      s.privacyMode === "target_epsilon"
        ? { mode: "target_epsilon" as const, targetEpsilon: Number(s.privacyValue) }
        : { mode: "noise_multiplier" as const, noiseMultiplier: Number(s.privacyValue) },
    batch:
      s.batchBy === "expected_batch_size"
        ? { by: "expected_batch_size" as const, expectedBatchSize: Number(s.batchValue) }
        : { by: "sampling_rate" as const, samplingRate: Number(s.batchValue) },
    length: s.lengthBy === "steps" ? { by: "steps" as const, steps: Number(s.lengthValue) } : { by: "epochs" as const, epochs: Number(s.lengthValue) },
    clipNorm: Number(s.clipNorm),
    learningRate: Number(s.learningRate),
    fineTuning: s.method === "lora" ? { method: "lora" as const, rank: Number(s.rank), targets: s.loraTargets } : { method: "full" as const },
    maxRecordsPerSubject: Number(s.maxRecordsPerSubject),
    canaries: canaryPlan(s),
    task: s.labelField.trim() === "" ? undefined : { labelField: s.labelField.trim(), labels: s.labels.split(",").map((l) => l.trim()).filter((l) => l !== "") },
  };
}

/** The run a page's `?from=<runId>` names (a launch form fills itself with its settings), or undefined. */
export function fromRunParam(from: string | string[] | undefined): string | undefined {
  return typeof from === "string" && /^[0-9a-f-]{36}$/.test(from) ? from : undefined;
}

/** The form's settings of a run's request ("Launch again with these settings"). */
export function fromRequest(r: RunRequest): Settings {
  return {
    datasetVersionId: r.datasetVersionId,
    baseModelVersionId: r.baseModelVersionId,
    privacyUnit: r.privacyUnit,
    privacyMode: r.privacy.mode,
    privacyValue: String(r.privacy.mode === "target_epsilon" ? r.privacy.targetEpsilon : r.privacy.noiseMultiplier),
    batchBy: r.batch.by,
    batchValue: String(r.batch.by === "expected_batch_size" ? r.batch.expectedBatchSize : r.batch.samplingRate),
    lengthBy: r.length.by,
    lengthValue: String(r.length.by === "steps" ? r.length.steps : r.length.epochs),
    clipNorm: String(r.clipNorm),
    learningRate: String(r.learningRate),
    method: r.fineTuning.method,
    rank: r.fineTuning.method === "lora" ? String(r.fineTuning.rank) : DEFAULTS.rank,
    loraTargets: r.fineTuning.method === "lora" && r.fineTuning.targets ? [...r.fineTuning.targets] : [...LORA_TARGETS],
    maxRecordsPerSubject: String(r.maxRecordsPerSubject),
    canaries: String(r.canaries?.m ?? 0),
    canarySpace: r.canaries?.space ?? DEFAULTS.canarySpace,
    canaryRepeats: String(r.canaries?.repeats ?? 1),
    labelField: r.task?.labelField ?? "",
    labels: r.task?.labels.join(", ") ?? "",
  };
}

/** "about 40 s", "about 12 min", "about 3.5 h". */
export function duration(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `about ${Math.round(seconds / 60)} min`;
  return `about ${Number((seconds / 3600).toPrecision(2))} h`;
}

/** m canaries, each inserted with probability 1/2; the audit guesses on the top and bottom eighth of their scores. */
function canaryPlan(s: Settings) {
  const m = Number(s.canaries);
  if (!(m > 0)) return undefined;
  const k = Math.max(1, Math.floor(m / 8));
  return { space: s.canarySpace, m, repeats: Number(s.canaryRepeats), k_plus: k, k_minus: k, confidence: 0.95 };
}
