"use client";
// The launch form: every setting of a DP fine-tuning run, with the server's projection (this run's epsilon, the
// budget left, the composed total) shown before launch. The server checks again, and reserves, at launch.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { eps } from "@/app/_components/format";
import { InternalBadge } from "@/app/_components/internal-badge";
import { useTRPC } from "@/app/_trpc/client";
import type { PrivacyUnit } from "@/trainer/privacy/units";

interface Settings {
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
  maxRecordsPerSubject: string;
  canaries: string;
  canarySpace: string;
  canaryRepeats: string;
}

const DEFAULTS: Omit<Settings, "datasetVersionId" | "baseModelVersionId"> = {
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
  maxRecordsPerSubject: "8",
  canaries: "0",
  canarySpace: "my SSN is {ddd}-{dd}-{dddd}",
  canaryRepeats: "1",
};

function toRequest(s: Settings) {
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
    fineTuning: s.method === "lora" ? { method: "lora" as const, rank: Number(s.rank) } : { method: "full" as const },
    maxRecordsPerSubject: Number(s.maxRecordsPerSubject),
    canaries: canaryPlan(s),
  };
}

/** m canaries, each inserted with probability 1/2; the audit guesses on the top and bottom eighth of their scores. */
function canaryPlan(s: Settings) {
  const m = Number(s.canaries);
  if (!(m > 0)) return undefined;
  const k = Math.max(1, Math.floor(m / 8));
  return { space: s.canarySpace, m, repeats: Number(s.canaryRepeats), k_plus: k, k_minus: k, confidence: 0.95 };
}

export function LaunchForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const options = useQuery(trpc.runs.options.queryOptions());
  const [edited, setEdited] = useState<Partial<Settings>>({});
  const settings: Settings = {
    ...DEFAULTS,
    datasetVersionId: options.data?.datasetVersions[0]?.versionId ?? "",
    baseModelVersionId: options.data?.modelVersions[0]?.id ?? "",
    ...edited,
  };
  const request = toRequest(settings);
  const ready = Boolean(settings.datasetVersionId && settings.baseModelVersionId);
  const preview = useQuery({ ...trpc.runs.preview.queryOptions(request), enabled: ready, placeholderData: keepPreviousData });
  const launch = useMutation(
    trpc.runs.launch.mutationOptions({
      onSuccess: async (runId) => {
        await queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });
        router.push(`/runs/${runId}`);
      },
    }),
  );

  const set = (key: keyof Settings) => (e: { target: { value: string } }) => setEdited((s) => ({ ...s, [key]: e.target.value }));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    launch.mutate(request);
  }

  if (options.data && (options.data.datasetVersions.length === 0 || options.data.modelVersions.length === 0)) {
    return (
      <section className="card">
        <h2>Launch a run</h2>
        <p className="muted">You need access to a dataset and a base model version to launch a run.</p>
      </section>
    );
  }
  const p = preview.data;
  return (
    <section className="card">
      <h2>Launch a run</h2>
      <form className="inline" onSubmit={onSubmit} aria-label="Launch a run">
        <label>
          Dataset version
          <select value={settings.datasetVersionId} onChange={set("datasetVersionId")}>
            {options.data?.datasetVersions.map((v) => (
              <option key={v.versionId} value={v.versionId}>
                {v.datasetName} v{v.version}
              </option>
            ))}
          </select>
        </label>
        <label>
          Base model
          <select value={settings.baseModelVersionId} onChange={set("baseModelVersionId")}>
            {options.data?.modelVersions.map((m) => (
              <option key={m.id} value={m.id}>
                {m.family} v{m.version} ({m.kind}, {m.status})
              </option>
            ))}
          </select>
        </label>
        <label>
          Privacy unit
          <select value={settings.privacyUnit} onChange={set("privacyUnit")}>
            <option value="subject">subject (a person)</option>
            <option value="record">record</option>
          </select>
        </label>
        <label>
          Privacy
          <select value={settings.privacyMode} onChange={set("privacyMode")}>
            <option value="target_epsilon">target epsilon (sigma calibrated)</option>
            <option value="noise_multiplier">noise multiplier</option>
          </select>
        </label>
        <label>
          {settings.privacyMode === "target_epsilon" ? "Target epsilon" : "Noise multiplier"}
          <input value={settings.privacyValue} onChange={set("privacyValue")} inputMode="decimal" />
        </label>
        <label>
          Batch
          <select value={settings.batchBy} onChange={set("batchBy")}>
            <option value="expected_batch_size">expected batch size</option>
            <option value="sampling_rate">sampling rate</option>
          </select>
        </label>
        <label>
          {settings.batchBy === "expected_batch_size" ? "Expected batch size" : "Sampling rate"}
          <input value={settings.batchValue} onChange={set("batchValue")} inputMode="decimal" />
        </label>
        <label>
          Length
          <select value={settings.lengthBy} onChange={set("lengthBy")}>
            <option value="steps">steps</option>
            <option value="epochs">epochs</option>
          </select>
        </label>
        <label>
          {settings.lengthBy === "steps" ? "Steps" : "Epochs"}
          <input value={settings.lengthValue} onChange={set("lengthValue")} inputMode="decimal" />
        </label>
        <label>
          Clip norm
          <input value={settings.clipNorm} onChange={set("clipNorm")} inputMode="decimal" />
        </label>
        <label>
          Learning rate
          <input value={settings.learningRate} onChange={set("learningRate")} inputMode="decimal" />
        </label>
        <label>
          Fine-tuning
          <select value={settings.method} onChange={set("method")}>
            <option value="lora">LoRA</option>
            <option value="full">full</option>
          </select>
        </label>
        {settings.method === "lora" && (
          <label>
            LoRA rank
            <input value={settings.rank} onChange={set("rank")} inputMode="numeric" />
          </label>
        )}
        {settings.privacyUnit === "subject" && (
          <label>
            Records per subject (cap)
            <input value={settings.maxRecordsPerSubject} onChange={set("maxRecordsPerSubject")} inputMode="numeric" />
          </label>
        )}
        <label>
          Canaries for a one-run audit (0 for none)
          <input value={settings.canaries} onChange={set("canaries")} inputMode="numeric" />
        </label>
        {Number(settings.canaries) > 0 && (
          <>
            <label>
              Canary space ({"{ddd}"}: random digits)
              <input value={settings.canarySpace} onChange={set("canarySpace")} />
            </label>
            <label>
              Repeats of an inserted canary
              <input value={settings.canaryRepeats} onChange={set("canaryRepeats")} inputMode="numeric" />
            </label>
          </>
        )}
        <button type="submit" disabled={launch.isPending || !ready || Boolean(p?.refusal)}>
          Launch
        </button>
      </form>
      <ErrorMessage error={preview.error} />
      {p && (
        <div data-testid="projection">
          <p>
            This run ({p.privacyUnit}-level): <strong>ε = {eps(p.runEpsilon)}</strong> at δ = {p.delta} ({p.steps} steps, sampling rate {p.samplingRate.toPrecision(3)} of{" "}
            {p.population} {p.privacyUnit}s
            <InternalBadge />, noise multiplier {p.noiseMultiplier.toFixed(3)}).
          </p>
          <p>
            Budget ({p.privacyUnit}-level): limit ε = {p.budgetEpsilon}, spent or reserved ε = {eps(p.spentEpsilon)}, <strong>left ε = {eps(p.leftEpsilon)}</strong>; with this
            run the dataset's composed total would be ε = {eps(p.projectedEpsilon)}.
          </p>
          {p.refusal && (
            <p className="error" role="alert">
              {p.refusal}
            </p>
          )}
        </div>
      )}
      <ErrorMessage error={launch.error} />
    </section>
  );
}
