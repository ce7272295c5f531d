"use client";
// A run as it goes (polled every second while queued or running): a progress bar with the time left, the epsilon
// charged (recomputed on the server from the charged steps), the loss curve, clipped fraction (with a hint when it
// stays near 100% or 0%) and gradient-norm quantiles (internal, not DP: computed from the training records), cancel
// (confirmed) and resume; a failed run's reason in words, what it charged, and "Launch again with these settings".
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import type { Can } from "@/app/_trpc/types";
import { ConfirmButton } from "@/app/_components/confirm-button";
import { ErrorMessage } from "@/app/_components/error-message";
import { when } from "@/app/_components/format";
import { InternalBadge } from "@/app/_components/internal-badge";
import { LineChart } from "@/app/_components/line-chart";
import { Num } from "@/app/_components/num";
import { personLevelBasis } from "@/app/_components/person-level";
import { useTRPC } from "@/app/_trpc/client";
import { clippingHint } from "./clipping-hint";

const ACTIVE = ["queued", "running"];

export function RunDetail({ runId, can, userId }: { runId: string; can: Can; userId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery({
    ...trpc.runs.get.queryOptions({ runId }),
    refetchInterval: (query) => (ACTIVE.includes(query.state.data?.run.status ?? "queued") ? 1000 : false),
  });
  const refresh = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() }) };
  const cancel = useMutation(trpc.runs.cancel.mutationOptions(refresh));
  const resume = useMutation(trpc.runs.resume.mutationOptions(refresh));
  if (!detail.data) return <ErrorMessage error={detail.error} />;
  const { run, steps, evaluations, chargedEpsilon, reservedEpsilon, epsilonCurve, delta, produced, failure, partiesPerPerson, personLevel } = detail.data;
  const recent = steps.slice(-20);
  const msPerStep = recent.length > 0 ? recent.reduce((sum, s) => sum + s.elapsedMs, 0) / recent.length : null;
  const left = run.plannedSteps - (steps.at(-1)?.step ?? 0);
  // Engineers cancel and resume their own runs; privacy officers may cancel any.
  const mayCancel = can["runs.cancel"] && (run.createdBy === userId || can["runs.cancel.any"]) && ACTIVE.includes(run.status);
  const mayResume = can["runs.resume"] && run.createdBy === userId && run.status === "interrupted";
  const hint = clippingHint(steps, run.spec.clipNorm);
  const quantile = (key: "p10" | "p50" | "p90" | "max") => ({
    name: key,
    points: steps.flatMap((s) => (s.gradNormQuantiles ? [{ x: s.step, y: s.gradNormQuantiles[key] }] : [])),
  });
  const charged = (
    <>
      <strong>
        ε = <Num value={chargedEpsilon} />
      </strong>{" "}
      at δ = <Num value={delta} kind="delta" />
    </>
  );
  return (
    <>
      <h1>
        Run <span className="mono">{run.id.slice(0, 8)}</span> <span className="badge" data-testid="run-status">{run.status}</span>
      </h1>
      {run.statusReason && !failure && <p className="muted">{run.statusReason}</p>}
      {failure && (
        <section className="card" data-testid="run-failure" aria-labelledby="failure-heading">
          <h2 id="failure-heading">Why this run failed</h2>
          <p className="error" data-testid="failure-reason">
            {failure.reason}
          </p>
          <p>{failure.advice}</p>
          <p data-testid="failure-charged">
            Charged: {charged} for {run.chargedSteps} of {run.plannedSteps} planned steps; the rest of its reservation was released.
          </p>
          <details>
            <summary>Details</summary>
            <pre className="mono" data-testid="failure-details">
              {failure.details}
            </pre>
          </details>
          {can["runs.launch"] && (
            <p>
              {/* A federated run is launched again from the Federation page, on the latest declarations. */}
              <Link href={run.spec.federation ? `/federation?from=${run.id}` : `/runs?from=${run.id}`}>Launch again with these settings</Link>
            </p>
          )}
        </section>
      )}
      <section className="card">
        <progress max={run.plannedSteps} value={Math.min(run.plannedSteps, steps.at(-1)?.step ?? 0)} style={{ width: "100%" }} aria-label="Steps done" />
        <p data-testid="run-progress">
          {run.chargedSteps} of {run.plannedSteps} steps charged
          {msPerStep !== null && ACTIVE.includes(run.status) && (
            <>
              {` · about ${Math.ceil((left * msPerStep) / 1000)} s left`}
              {/* Step times depend on the sampled batch (its size and lengths): a timing figure of private data. */}
              <InternalBadge />
            </>
          )}{" "}
          · launched {when(run.createdAt)}
        </p>
        <p data-testid="run-epsilon">
          Charged: {charged} ({run.privacyUnit}-level, computed by the server from {run.chargedSteps} steps at sampling rate{" "}
          <Num value={run.samplingRate} /> and noise multiplier <Num value={run.noiseMultiplier} />)
          {reservedEpsilon !== null && (
            <>
              {" "}
              · reserved up to ε = <Num value={reservedEpsilon} />
            </>
          )}
        </p>
        {run.spec.federation && (
          <p data-testid="run-federated">
            Federated: each step is a round of DP-FedAvg among the parties of the federation&apos;s declarations (<Link href="/federation">rounds</Link>), each
            party&apos;s delta clipped to {run.spec.clipNorm}, {run.spec.federation.localSteps} local steps of {run.spec.federation.localBatchSize} units.
            {run.spec.federation.noise === "distributed" &&
              " Distributed noise: each party added its share of discrete Gaussian noise; each round is charged as the Gaussian of the same zCDP, without amplification by sampling."}
            {partiesPerPerson && (
              <>
                {" "}
                Person-level ({personLevelBasis({ partiesPerPerson })}):{" "}
                {personLevel ? (
                  <>
                    ε = <Num value={personLevel.epsilon} />, δ = <Num value={personLevel.delta} kind="delta" />
                  </>
                ) : (
                  "the same as the party-level figure"
                )}
                .
              </>
            )}
          </p>
        )}
        {produced && (
          <p data-testid="run-produced">
            Produced model version{" "}
            <Link href={`/models/${produced.id}`}>
              {produced.family} v{produced.version}
            </Link>
            .
          </p>
        )}
        {evaluations.length > 0 && (
          <p data-testid="run-validation">
            Validation loss <Num value={evaluations.at(-1)!.validationLoss} />, perplexity <Num value={evaluations.at(-1)!.perplexity} /> (on held-out records)
            <InternalBadge />
          </p>
        )}
        {hint && (
          <p className="hint" role="note" data-testid="clipping-hint">
            {hint}
            <InternalBadge />
          </p>
        )}
        <div className="inline">
          {mayCancel && (
            <ConfirmButton
              className="secondary"
              question="Cancel this run? Steps already charged stay charged."
              confirmLabel="Yes, cancel the run"
              onConfirm={() => cancel.mutate({ runId })}
            >
              Cancel run
            </ConfirmButton>
          )}
          {mayResume && (
            <button type="button" onClick={() => resume.mutate({ runId })}>
              Resume from the last checkpoint
            </button>
          )}
        </div>
        <ErrorMessage error={cancel.error ?? resume.error} />
      </section>
      <section className="card charts">
        <LineChart title="Epsilon charged (server)" yLabel="ε" series={[{ name: "ε", points: epsilonCurve.map((p) => ({ x: p.step, y: p.epsilon })) }]} />
        <LineChart title="Training loss (diagnostic)" internal yLabel="nats" series={[{ name: "loss", points: steps.flatMap((s) => (s.loss === null ? [] : [{ x: s.step, y: s.loss }])) }]} />
        <LineChart
          title="Fraction of units clipped"
          internal
          yLabel="fraction"
          series={[{ name: "clipped", points: steps.flatMap((s) => (s.clippedFraction === null ? [] : [{ x: s.step, y: s.clippedFraction }])) }]}
        />
        <LineChart title="Per-unit gradient norm quantiles" internal yLabel="norm" series={[quantile("p10"), quantile("p50"), quantile("p90"), quantile("max")]} />
      </section>
    </>
  );
}
