"use client";
// The engineers' federated launch form on the Federation page: DP-FedAvg on the latest declarations, with the server's
// projection against the lineage's budget before launch. `from` (/federation?from=<runId>) fills it with a federated
// run's settings ("Launch again with these settings").
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { Num } from "@/app/_components/num";
import { useTRPC } from "@/app/_trpc/client";
import { BaseModelSelect } from "../runs/base-model-select";
import { useLaunch } from "../runs/use-launch";
import { FEDERATED_DEFAULTS, fromFederatedRequest, toFederatedRequest, type FederatedSettings } from "./federated-settings";

export function LaunchFederatedRun({ from }: { from?: string | undefined }) {
  const trpc = useTRPC();
  const cohort = useQuery(trpc.federation.cohort.queryOptions());
  const options = useQuery(trpc.runs.options.queryOptions());
  const source = useQuery({ ...trpc.runs.get.queryOptions({ runId: from ?? "" }), enabled: Boolean(from) });
  const cloned = source.data?.run.spec.federation ? fromFederatedRequest(source.data.run.spec) : {};
  const [edited, setEdited] = useState<Partial<FederatedSettings>>({});
  const latest = cohort.data?.latest ?? null;
  const granted = Boolean(latest && options.data?.datasetVersions.some((v) => v.versionId === latest.versionId));
  const settings: FederatedSettings = { ...FEDERATED_DEFAULTS, baseModelVersionId: options.data?.modelVersions[0]?.id ?? "", ...cloned, ...edited };
  const request = toFederatedRequest(settings, latest?.versionId ?? "");
  const ready = granted && Boolean(settings.baseModelVersionId);
  const { preview, launch } = useLaunch(request, ready);
  const set = (key: keyof FederatedSettings) => (e: { target: { value: string } }) => setEdited((s) => ({ ...s, [key]: e.target.value }));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    launch.mutate(request);
  }
  if (!latest) return null;
  if (!granted) {
    return (
      <section className="card" data-testid="launch-federated">
        <h2>Launch a federated run</h2>
        <p className="muted">You need access to the federation&apos;s lineage (granted on its dataset page) to launch a federated run.</p>
      </section>
    );
  }
  const perPerson = settings.clip === "person";
  const p = preview.isError ? undefined : preview.data;
  const number = (key: keyof FederatedSettings, label: string) => (
    <label>
      {label}
      <input inputMode="decimal" value={settings[key]} onChange={set(key)} required />
    </label>
  );
  return (
    <section className="card" data-testid="launch-federated">
      <h2>Launch a federated run</h2>
      {source.data && (
        <p className="muted" data-testid="cloned-from">
          Settings copied from run <span className="mono">{source.data.run.id.slice(0, 8)}</span>, on the latest declarations (version {latest.version}); change
          any before launching.
        </p>
      )}
      <ErrorMessage error={source.error} />
      <p className="muted">
        DP-FedAvg on declarations version {latest.version}: each round samples each party with the sampling rate, the sampled parties fine-tune locally
        (every weight, or LoRA adapters) and send their deltas clipped to the clip norm (the whole delta, or each person&apos;s share) and masked; the
        coordinator adds Gaussian noise of the noise multiplier times the clip norm to their sum (or each party its share of it). Each applied round is one
        Poisson-sampled Gaussian event with the party, or the person, as the unit.
      </p>
      <form className="inline" onSubmit={onSubmit} aria-label="Launch a federated run">
        <BaseModelSelect value={settings.baseModelVersionId} onChange={set("baseModelVersionId")} models={options.data?.modelVersions} />
        <label>
          Fine-tuning
          <select value={settings.method} onChange={set("method")}>
            <option value="full">full: every weight</option>
            <option value="lora">LoRA adapters</option>
          </select>
        </label>
        {settings.method === "lora" && number("loraRank", "LoRA rank")}
        <label>
          Parties clip
          <select value={settings.clip} onChange={set("clip")}>
            <option value="party">their whole update (the unit is a party)</option>
            <option value="person">each person&apos;s share (the unit is a person; one local step)</option>
          </select>
        </label>
        {perPerson && number("recordsPerPerson", "Records per person, at most")}
        {number("rounds", "Rounds")}
        {number("samplingRate", "Party sampling rate (q)")}
        {number("noiseMultiplier", "Noise multiplier (σ)")}
        {number("clipNorm", perPerson ? "Clip norm of a person's share (C)" : "Clip norm of a party's delta (C)")}
        {number("learningRate", "Local learning rate")}
        {!perPerson && number("localSteps", "Local steps per round")}
        {!perPerson && number("localBatchSize", "Local batch size")}
        {number("answerSeconds", "Seconds to wait for each answer")}
        <label>
          Noise
          <select value={settings.noise} onChange={set("noise")}>
            <option value="central">central: the coordinator adds Gaussian noise to the sum</option>
            <option value="distributed">distributed: each party adds its share of discrete Gaussian noise</option>
          </select>
        </label>
        <button type="submit" disabled={launch.isPending || !p || Boolean(p.refusal)}>
          Launch
        </button>
      </form>
      {p && (
        <p data-testid="federated-projection">
          This run: ε = <Num value={p.runEpsilon} /> at δ = {p.delta} per {perPerson ? "person" : "party"}. The lineage after it: ε = <Num value={p.projectedEpsilon} /> of
          its budget&apos;s <Num value={p.budgetEpsilon} />.
          {settings.noise === "distributed" && (
            <>
              {" "}
              With distributed noise each round is charged as the Gaussian of the same zCDP (noise multiplier <Num value={p.noiseMultiplier} />), without
              amplification by sampling.
            </>
          )}
        </p>
      )}
      {p?.refusal && (
        <p role="alert" data-testid="federated-refusal">
          {p.refusal}
        </p>
      )}
      <ErrorMessage error={preview.error ?? launch.error} />
    </section>
  );
}
