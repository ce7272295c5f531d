"use client";
// Federated runs on the Federation page: the federation's lineage with its latest declarations (the parties, the units
// each states, and k, the most parties one person is at), which officers record; the engineers' launch form, with the
// server's projection against the lineage's budget before launch; and every round with its participants, dropouts
// and spend (the round's own epsilon, and its run's after it, recomputed by the server from the run's events).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { when } from "@/app/_components/format";
import { Num } from "@/app/_components/num";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterInputs, RouterOutputs } from "@/app/_trpc/types";
import { BaseModelSelect } from "../runs/base-model-select";
import { useLaunch } from "../runs/use-launch";

type Cohort = NonNullable<RouterOutputs["federation"]["cohort"]>;

export function CohortCard({ can }: { can: Can }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cohort = useQuery(trpc.federation.cohort.queryOptions());
  const record = useMutation(trpc.federation.recordDeclarations.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.federation.cohort.queryKey() }) }));
  const c = cohort.data;
  return (
    <section className="card" data-testid="cohort">
      <h2>Declarations</h2>
      <p className="muted">
        A federated run trains on a version of the federation&apos;s lineage: the enrolled parties&apos; declarations (name, key, the units each states)
        recorded at one moment. Its budget, with the party as the privacy unit, is set on the Budgets page like any dataset&apos;s.
      </p>
      <ErrorMessage error={cohort.error ?? record.error} />
      {c === null && <p className="muted">No party is registered yet.</p>}
      {c && (
        <p>
          Lineage <Link href={`/datasets/${c.datasetId}`}>{c.datasetName}</Link> (<Link href="/budgets">budget</Link>).
        </p>
      )}
      {c?.latest === null && <p className="muted">No declarations recorded yet.</p>}
      {c?.latest && <Declarations latest={c.latest} />}
      {can["federation.recordDeclarations"] && c && (
        <button type="button" onClick={() => record.mutate()} disabled={record.isPending}>
          Record the enrolled parties&apos; declarations
        </button>
      )}
      {record.data && (
        <p role="status">{record.data.created ? `Recorded as version ${record.data.version}.` : `Nothing changed since version ${record.data.version}.`}</p>
      )}
    </section>
  );
}

function Declarations({ latest }: { latest: NonNullable<Cohort["latest"]> }) {
  const { k, measuredBy } = latest.partiesPerPerson;
  return (
    <div data-testid="declarations">
      <h3>
        Version {latest.version}, recorded {when(latest.createdAt)}: {latest.parties.length} parties
      </h3>
      <ul>
        {latest.parties.map((p) => (
          <li key={p.id}>
            {p.name}: {p.statedUnits} units (stated, not verified)
          </li>
        ))}
      </ul>
      <p data-testid="parties-per-person">
        A person is at up to {k} {k === 1 ? "party" : "parties"}{" "}
        {measuredBy ? "(by the latest overlap of subjects among them)" : "(no overlap of subjects among them yet: taken as every party)"}: a person-level
        statement takes {k}-fold group privacy over the party-level guarantee.
      </p>
    </div>
  );
}

type LaunchInput = RouterInputs["runs"]["launch"];

const DEFAULTS = { rounds: "20", samplingRate: "1", noiseMultiplier: "1", clipNorm: "1", learningRate: "0.001", localSteps: "2", localBatchSize: "8", answerSeconds: "120", loraRank: "8", recordsPerPerson: "8" };
const NOISES = ["central", "distributed"] as const;

export function LaunchFederatedRun() {
  const trpc = useTRPC();
  const cohort = useQuery(trpc.federation.cohort.queryOptions());
  const options = useQuery(trpc.runs.options.queryOptions());
  const [edited, setEdited] = useState<Partial<typeof DEFAULTS & { baseModelVersionId: string }>>({});
  const [noise, setNoise] = useState<(typeof NOISES)[number]>("central");
  const [lora, setLora] = useState(false);
  const [perPerson, setPerPerson] = useState(false);
  const latest = cohort.data?.latest ?? null;
  const granted = Boolean(latest && options.data?.datasetVersions.some((v) => v.versionId === latest.versionId));
  const settings = { ...DEFAULTS, baseModelVersionId: options.data?.modelVersions[0]?.id ?? "", ...edited };
  const request: LaunchInput = {
    datasetVersionId: latest?.versionId ?? "",
    baseModelVersionId: settings.baseModelVersionId,
    privacyUnit: perPerson ? "subject" : "party",
    privacy: { mode: "noise_multiplier", noiseMultiplier: Number(settings.noiseMultiplier) },
    batch: { by: "sampling_rate", samplingRate: Number(settings.samplingRate) },
    length: { by: "steps", steps: Number(settings.rounds) },
    clipNorm: Number(settings.clipNorm),
    learningRate: Number(settings.learningRate),
    fineTuning: lora ? { method: "lora", rank: Number(settings.loraRank) } : { method: "full" },
    maxRecordsPerSubject: Number(settings.recordsPerPerson),
    // Clipping per person takes one local step over all the party's people (its batch size is then unused).
    federation: { localSteps: perPerson ? 1 : Number(settings.localSteps), localBatchSize: Number(settings.localBatchSize), answerSeconds: Number(settings.answerSeconds), noise, clip: perPerson ? "person" : "party" },
  };
  const ready = granted && Boolean(settings.baseModelVersionId);
  const { preview, launch } = useLaunch(request, ready);
  const set = (key: keyof typeof settings) => (e: { target: { value: string } }) => setEdited((s) => ({ ...s, [key]: e.target.value }));
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
  const p = preview.isError ? undefined : preview.data;
  const number = (key: keyof typeof DEFAULTS, label: string) => (
    <label>
      {label}
      <input inputMode="decimal" value={settings[key]} onChange={set(key)} required />
    </label>
  );
  return (
    <section className="card" data-testid="launch-federated">
      <h2>Launch a federated run</h2>
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
          <select value={lora ? "lora" : "full"} onChange={(e) => setLora(e.target.value === "lora")}>
            <option value="full">full: every weight</option>
            <option value="lora">LoRA adapters</option>
          </select>
        </label>
        {lora && number("loraRank", "LoRA rank")}
        <label>
          Parties clip
          <select value={perPerson ? "person" : "party"} onChange={(e) => setPerPerson(e.target.value === "person")}>
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
          <select value={noise} onChange={(e) => setNoise(NOISES.find((n) => n === e.target.value) ?? "central")}>
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
          {noise === "distributed" && (
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

export function RoundsCard() {
  const trpc = useTRPC();
  const rounds = useQuery({ ...trpc.federation.rounds.queryOptions(), refetchInterval: (q) => (q.state.data?.some((r) => r.status === "running") ? 1000 : 5000) });
  return (
    <section className="card" data-testid="rounds">
      <h2>Rounds</h2>
      <ErrorMessage error={rounds.error} />
      {rounds.data?.length === 0 && <p className="muted">No round yet.</p>}
      {rounds.data && rounds.data.length > 0 && (
        <div className="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Run</th>
                <th>Round</th>
                <th>Status</th>
                <th>Sampled</th>
                <th>Contributed</th>
                <th>Dropped out</th>
                <th>Round&apos;s ε</th>
                <th>Run&apos;s ε after</th>
              </tr>
            </thead>
            <tbody>
              {rounds.data.map((r) => (
                <tr key={r.id} data-testid="round">
                  <td>{r.runId ? <Link href={`/runs/${r.runId}`}>{r.runId.slice(0, 8)}</Link> : "–"}</td>
                  <td>{r.attempt ?? "–"}</td>
                  <td>
                    {r.status}
                    {r.reason && <span className="muted"> ({r.reason})</span>}
                  </td>
                  <td>
                    {r.sampled.length} of {r.declared}
                  </td>
                  <td>{r.contributed.join(", ") || "–"}</td>
                  <td>{r.dropped.join(", ") || "–"}</td>
                  <td>{r.spend ? <Num value={r.spend.roundEpsilon} /> : "nothing spent"}</td>
                  <td>{r.spend ? <Num value={r.spend.runEpsilonAfter} /> : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">
        Every party takes part in each round; the sampled ones contribute their update, the others zeros. An abandoned round applied nothing and spends
        nothing; epsilons are at the lineage budget&apos;s δ, with the party as the unit.
      </p>
    </section>
  );
}
