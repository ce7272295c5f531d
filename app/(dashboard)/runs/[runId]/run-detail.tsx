"use client";
// A run as it goes (polled every second while queued or running): a progress bar with the time left, the epsilon
// charged (recomputed on the server from the charged steps), the loss curve, clipped fraction and gradient-norm
// quantiles (internal, not DP: computed from the training records), and the cancel and resume buttons.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import type { Can } from "@/app/_trpc/types";
import { ErrorMessage } from "@/app/_components/error-message";
import { eps, when } from "@/app/_components/format";
import { InternalBadge } from "@/app/_components/internal-badge";
import { LineChart } from "@/app/_components/line-chart";
import { useTRPC } from "@/app/_trpc/client";

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
  const { run, steps, evaluations, chargedEpsilon, reservedEpsilon, epsilonCurve, delta } = detail.data;
  const recent = steps.slice(-20);
  const msPerStep = recent.length > 0 ? recent.reduce((sum, s) => sum + s.elapsedMs, 0) / recent.length : null;
  const left = run.plannedSteps - (steps.at(-1)?.step ?? 0);
  // Engineers cancel and resume their own runs; privacy officers may cancel any.
  const mayCancel = can["runs.cancel"] && (run.createdBy === userId || can["runs.cancel.any"]) && ACTIVE.includes(run.status);
  const mayResume = can["runs.resume"] && run.createdBy === userId && run.status === "interrupted";
  const quantile = (key: "p10" | "p50" | "p90" | "max") => ({
    name: key,
    points: steps.flatMap((s) => (s.gradNormQuantiles ? [{ x: s.step, y: s.gradNormQuantiles[key] }] : [])),
  });
  return (
    <>
      <h1>
        Run <span className="mono">{run.id.slice(0, 8)}</span> <span className="badge" data-testid="run-status">{run.status}</span>
      </h1>
      {run.statusReason && <p className="muted">{run.statusReason}</p>}
      <section className="card">
        <progress max={run.plannedSteps} value={Math.min(run.plannedSteps, steps.at(-1)?.step ?? 0)} style={{ width: "100%" }} />
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
          Charged: <strong>ε = {eps(chargedEpsilon)}</strong> at δ = {delta} ({run.privacyUnit}-level, computed by the server from {run.chargedSteps} steps at
          sampling rate {run.samplingRate.toPrecision(3)} and noise multiplier {run.noiseMultiplier.toFixed(3)})
          {reservedEpsilon !== null && <> · reserved up to ε = {eps(reservedEpsilon)}</>}
        </p>
        {run.resultModelVersionId && (
          <p>
            Produced model version <Link href="/models">{run.resultModelVersionId.slice(0, 8)}</Link>.
          </p>
        )}
        {evaluations.length > 0 && (
          <p data-testid="run-validation">
            Validation loss {evaluations.at(-1)!.validationLoss.toFixed(3)}, perplexity {evaluations.at(-1)!.perplexity.toFixed(2)} (on held-out records)
            <InternalBadge />
          </p>
        )}
        <div className="inline">
          {mayCancel && (
            <button type="button" className="secondary" onClick={() => cancel.mutate({ runId })}>
              Cancel
            </button>
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
