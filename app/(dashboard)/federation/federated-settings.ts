// The federated launch form's settings as the form holds them (strings, as typed), the defaults, and the conversions
// to and from a run request (the request a launch sends; a federated run's request fills the form for "Launch again").
import type { RunRequest } from "@/server/runs/run-request";

export interface FederatedSettings {
  baseModelVersionId: string;
  method: "full" | "lora";
  loraRank: string;
  /** What each party clips: its whole update (the unit is a party) or each person's share (the unit is a person). */
  clip: "party" | "person";
  recordsPerPerson: string;
  rounds: string;
  samplingRate: string;
  noiseMultiplier: string;
  clipNorm: string;
  learningRate: string;
  localSteps: string;
  localBatchSize: string;
  answerSeconds: string;
  noise: "central" | "distributed";
}

export const FEDERATED_DEFAULTS: Omit<FederatedSettings, "baseModelVersionId"> = {
  method: "full",
  loraRank: "8",
  clip: "party",
  recordsPerPerson: "8",
  rounds: "20",
  samplingRate: "1",
  noiseMultiplier: "1",
  clipNorm: "1",
  learningRate: "0.001",
  localSteps: "2",
  localBatchSize: "8",
  answerSeconds: "120",
  noise: "central",
};

/** The run request of the form's settings, on the declarations version `datasetVersionId`. */
export function toFederatedRequest(s: FederatedSettings, datasetVersionId: string): RunRequest {
  const perPerson = s.clip === "person";
  return {
    datasetVersionId,
    baseModelVersionId: s.baseModelVersionId,
    privacyUnit: perPerson ? "subject" : "party",
    privacy: { mode: "noise_multiplier", noiseMultiplier: Number(s.noiseMultiplier) },
    batch: { by: "sampling_rate", samplingRate: Number(s.samplingRate) },
    length: { by: "steps", steps: Number(s.rounds) },
    clipNorm: Number(s.clipNorm),
    learningRate: Number(s.learningRate),
    fineTuning: s.method === "lora" ? { method: "lora", rank: Number(s.loraRank) } : { method: "full" },
    maxRecordsPerSubject: Number(s.recordsPerPerson),
    // Clipping per person takes one local step over all the party's people (its batch size is then unused).
    federation: {
      localSteps: perPerson ? 1 : Number(s.localSteps),
      localBatchSize: Number(s.localBatchSize),
      answerSeconds: Number(s.answerSeconds),
      noise: s.noise,
      clip: s.clip,
    },
  };
}

/**
 * The form's settings of a federated run's request ("Launch again with these settings"). The form launches by noise
 * multiplier, rounds and sampling rate: a request made through the API by a target epsilon, epochs or an expected
 * batch keeps the form's defaults for those.
 */
export function fromFederatedRequest(r: RunRequest): FederatedSettings {
  const f = r.federation;
  return {
    baseModelVersionId: r.baseModelVersionId,
    method: r.fineTuning.method,
    loraRank: r.fineTuning.method === "lora" ? String(r.fineTuning.rank) : FEDERATED_DEFAULTS.loraRank,
    clip: f?.clip ?? "party",
    recordsPerPerson: String(r.maxRecordsPerSubject),
    rounds: r.length.by === "steps" ? String(r.length.steps) : FEDERATED_DEFAULTS.rounds,
    samplingRate: r.batch.by === "sampling_rate" ? String(r.batch.samplingRate) : FEDERATED_DEFAULTS.samplingRate,
    noiseMultiplier: r.privacy.mode === "noise_multiplier" ? String(r.privacy.noiseMultiplier) : FEDERATED_DEFAULTS.noiseMultiplier,
    clipNorm: String(r.clipNorm),
    learningRate: String(r.learningRate),
    localSteps: f ? String(f.localSteps) : FEDERATED_DEFAULTS.localSteps,
    localBatchSize: f ? String(f.localBatchSize) : FEDERATED_DEFAULTS.localBatchSize,
    answerSeconds: f ? String(f.answerSeconds) : FEDERATED_DEFAULTS.answerSeconds,
    noise: f?.noise ?? "central",
  };
}
