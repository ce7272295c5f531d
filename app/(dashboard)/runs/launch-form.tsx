"use client";
// The launch form: every setting of a DP fine-tuning run (each DP field with its inline help), with the server's
// projection (this run's epsilon, the budget left, the composed total, the trainer's memory and a rough time) shown
// before launch; Launch is disabled, with the one reason, when the run cannot fit or the budget does not allow it. The
// server checks again, and reserves, at launch. `from` (/runs?from=<runId>) fills the form with a run's settings.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent, type ReactNode } from "react";
import type { DpField } from "@/app/_components/dp-help";
import { ErrorMessage } from "@/app/_components/error-message";
import { FieldHelp } from "@/app/_components/field-help";
import { InternalBadge } from "@/app/_components/internal-badge";
import { Num } from "@/app/_components/num";
import { useTRPC } from "@/app/_trpc/client";
import { formatBytes } from "@/trainer/contract/memory-model";
import { LORA_TARGETS } from "@/trainer/contract/model-config";
import { BaseModelSelect } from "./base-model-select";
import { DEFAULTS, duration, fromRequest, toRequest, type Settings } from "./launch-settings";
import { useLaunch } from "./use-launch";

/** A labelled field with the DP help beside it (outside the label, so that the input's name stays the label's text). */
function Field({ help, children }: { help?: DpField; children: ReactNode }) {
  return (
    <span style={{ display: "inline-flex", alignItems: "flex-end", gap: 4 }}>
      {children}
      {help && <FieldHelp field={help} />}
    </span>
  );
}

export function LaunchForm({ from }: { from?: string }) {
  const trpc = useTRPC();
  const all = useQuery(trpc.runs.options.queryOptions());
  // The federation's declarations are launched on from the Federation page (federated runs).
  const options = { ...all, data: all.data && { ...all.data, datasetVersions: all.data.datasetVersions.filter((v) => !v.federation) } };
  const source = useQuery({ ...trpc.runs.get.queryOptions({ runId: from ?? "" }), enabled: Boolean(from) });
  const cloned = source.data ? fromRequest(source.data.run.spec) : {};
  const [edited, setEdited] = useState<Partial<Settings>>({});
  const settings: Settings = {
    ...DEFAULTS,
    datasetVersionId: options.data?.datasetVersions[0]?.versionId ?? "",
    baseModelVersionId: options.data?.modelVersions[0]?.id ?? "",
    ...cloned,
    ...edited,
  };
  const request = toRequest(settings);
  const ready = Boolean(settings.datasetVersionId && settings.baseModelVersionId);
  const { preview, launch } = useLaunch(request, ready);

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
  // A refused preview leaves no stale projection on screen: the reason it gives is the one reason Launch is disabled.
  const p = preview.isError ? undefined : preview.data;
  const blocked = Boolean(preview.error) || Boolean(p?.refusal);
  const unit = p?.privacyUnit === "subject" ? "subjects" : "records";
  return (
    <section className="card">
      <h2>Launch a run</h2>
      {source.data && (
        <p className="muted" data-testid="cloned-from">
          Settings copied from run <span className="mono">{source.data.run.id.slice(0, 8)}</span>; change any before launching.
        </p>
      )}
      <ErrorMessage error={source.error} />
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
        <BaseModelSelect value={settings.baseModelVersionId} onChange={set("baseModelVersionId")} models={options.data?.modelVersions} />
        <Field help="privacyUnit">
          <label>
            Privacy unit
            <select value={settings.privacyUnit} onChange={set("privacyUnit")}>
              <option value="subject">subject (a person)</option>
              <option value="record">record</option>
            </select>
          </label>
        </Field>
        <label>
          Privacy
          <select value={settings.privacyMode} onChange={set("privacyMode")}>
            <option value="target_epsilon">target epsilon (sigma calibrated)</option>
            <option value="noise_multiplier">noise multiplier</option>
          </select>
        </label>
        <Field help={settings.privacyMode === "target_epsilon" ? "epsilon" : "noiseMultiplier"}>
          <label>
            {settings.privacyMode === "target_epsilon" ? "Target epsilon" : "Noise multiplier"}
            <input value={settings.privacyValue} onChange={set("privacyValue")} inputMode="decimal" />
          </label>
        </Field>
        <label>
          Batch
          <select value={settings.batchBy} onChange={set("batchBy")}>
            <option value="expected_batch_size">expected batch size</option>
            <option value="sampling_rate">sampling rate</option>
          </select>
        </label>
        <Field help={settings.batchBy === "expected_batch_size" ? "expectedBatchSize" : "samplingRate"}>
          <label>
            {settings.batchBy === "expected_batch_size" ? "Expected batch size" : "Sampling rate"}
            <input value={settings.batchValue} onChange={set("batchValue")} inputMode="decimal" />
          </label>
        </Field>
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
        <Field help="clipNorm">
          <label>
            Clip norm
            <input value={settings.clipNorm} onChange={set("clipNorm")} inputMode="decimal" />
          </label>
        </Field>
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
        {settings.method === "lora" && (
          <fieldset className="checks" data-testid="lora-targets">
            <legend>LoRA on</legend>
            {LORA_TARGETS.map((target) => (
              <label key={target} className="check">
                <input
                  type="checkbox"
                  checked={settings.loraTargets.includes(target)}
                  onChange={(e) =>
                    setEdited((s) => ({ ...s, loraTargets: e.target.checked ? [...settings.loraTargets, target] : settings.loraTargets.filter((t) => t !== target) }))
                  }
                />
                <span className="mono">{target}</span>
              </label>
            ))}
          </fieldset>
        )}
        {settings.privacyUnit === "subject" && (
          <Field help="recordsPerSubject">
            <label>
              Records per subject (cap)
              <input value={settings.maxRecordsPerSubject} onChange={set("maxRecordsPerSubject")} inputMode="numeric" />
            </label>
          </Field>
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
        <label>
          Label field for a classification task (blank for none)
          <input value={settings.labelField} onChange={set("labelField")} />
        </label>
        {settings.labelField.trim() !== "" && (
          <label>
            Labels, comma-separated
            <input value={settings.labels} onChange={set("labels")} placeholder="spam, ham" />
          </label>
        )}
        <button type="submit" disabled={launch.isPending || !ready || blocked} aria-describedby={blocked ? "launch-blocked" : undefined}>
          Launch
        </button>
      </form>
      {preview.error && (
        <div id="launch-blocked">
          <ErrorMessage error={preview.error} />
        </div>
      )}
      {p && (
        <div data-testid="projection">
          <p>
            This run ({p.privacyUnit}-level):{" "}
            <strong>
              ε = <Num value={p.runEpsilon} />
            </strong>{" "}
            at δ = <Num value={p.delta} kind="delta" />
            <FieldHelp field="delta" /> ({p.steps} steps, sampling rate <Num value={p.samplingRate} /> of {p.population} {p.privacyUnit}s
            <InternalBadge />, noise multiplier <Num value={p.noiseMultiplier} />
            ).
          </p>
          {p.syntheticOf ? (
            <p data-testid="projection-synthetic">
              Synthetic data, sampled from <Link href={`/models/${p.syntheticOf}`}>a DP model</Link>: training on it is post-processing of that model. It charges
              nothing to any dataset of real people and needs no budget; the model it makes carries the source model&apos;s guarantee.
            </p>
          ) : (
            <p>
              Budget ({p.privacyUnit}-level): limit ε = <Num value={p.budgetEpsilon} />, spent or reserved ε = <Num value={p.spentEpsilon} />,{" "}
              <strong>
                left ε = <Num value={p.leftEpsilon} />
              </strong>
              ; with this run the dataset&apos;s composed total would be ε = <Num value={p.projectedEpsilon} />.
            </p>
          )}
          <p data-testid="estimate">
            Estimated time: <strong>{duration(p.estimate.seconds)}</strong> at most (every record taken at full context length; rough, measured on
            two CPU cores). Trainer memory:{" "}
            <strong>about {formatBytes(p.estimate.peakBytes)}</strong> of the {formatBytes(p.estimate.usableBytes)} it can use
            {p.estimate.microBatch > 0 && (
              <>
                {" "}
                (micro-batches of up to {p.estimate.microBatch} {unit} of at most {p.estimate.recordsPerUnit} records)
              </>
            )}
            .
            <InternalBadge />
          </p>
          {p.refusal && (
            <p className="error" role="alert" id="launch-blocked">
              {p.refusal}
            </p>
          )}
        </div>
      )}
      <ErrorMessage error={launch.error} />
    </section>
  );
}
