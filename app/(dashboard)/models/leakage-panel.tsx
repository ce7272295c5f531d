"use client";
// A model version's leakage evidence, for privacy officers and auditors: the latest report (canary exposure, membership
// inference on log-log axes against what the epsilon allows, extraction, attribute inference against what the epsilon
// allows, the one-run audit's lower bound beside the accountant's epsilon), the base model's figures side by side, the
// drift timeline and thresholds, and buttons to test.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import type { Can } from "@/app/_trpc/types";
import { ErrorMessage } from "@/app/_components/error-message";
import { eps, formData, when } from "@/app/_components/format";
import { ExposureHistogram } from "@/app/_components/exposure-histogram";
import { Num } from "@/app/_components/num";
import { InternalBadge } from "@/app/_components/internal-badge";
import { DriftTimeline } from "@/app/(dashboard)/monitoring/drift-timeline";
import { LogLogRoc } from "@/app/_components/log-log-roc";
import { useTRPC } from "@/app/_trpc/client";
import type { RouterOutputs } from "@/app/_trpc/types";
import { LEAKAGE_KIND, pendingSentence } from "./leakage-kinds";

type Report = NonNullable<RouterOutputs["leakage"]["overview"]["reports"][number]["report"]>;
type Figures = Pick<Report["leakage"], "canaries" | "membership" | "extraction">;

function meanExposure(figures: Figures, included: boolean): number {
  const c = figures.canaries.filter((x) => x.included === included);
  return c.length ? c.reduce((s, x) => s + x.exposure, 0) / c.length : 0;
}

type Attribute = Report["leakage"]["attribute_inference"];

/** "0.120 (95%: -0.010 to 0.250)" */
const withInterval = (a: NonNullable<Attribute>) => `${a.advantage.toFixed(3)} (95%: ${a.advantage_low.toFixed(3)} to ${a.advantage_high.toFixed(3)})`;

/** Attribute inference on this version beside what its epsilon allows, and the base model's figure; nothing for reports made before it existed. */
function AttributeInferenceLine({ tuned, base }: { tuned: Attribute; base: Attribute }) {
  if (tuned === undefined) return null;
  if (tuned === null) {
    return (
      <p className="muted" data-testid="attribute-inference">
        Attribute inference did not run: the dataset names no subjects, or no training or held-out subject has a record with an e-mail address or phone
        number.
      </p>
    );
  }
  const { guarantee } = tuned;
  return (
    <p data-testid="attribute-inference">
      Attribute inference: this version completed the e-mail address or phone number in {tuned.member_hits} of {tuned.members} training subjects&apos; records
      and {tuned.non_member_hits} of {tuned.non_members} held-out subjects&apos;, an advantage of {withInterval(tuned)}; ε = <Num value={guarantee.epsilon} />{" "}
      per subject{guarantee.group_size > 1 && ` (group privacy over ${guarantee.group_size} records)`} allows at most {tuned.allowed_advantage.toFixed(3)} ·{" "}
      {tuned.exceeds ? <span className="error">beyond what the guarantee allows</span> : <span className="ok">consistent</span>}
      {base && ` · base model: ${withInterval(base)}`}
    </p>
  );
}

function FiguresRow({ name, figures }: { name: string; figures: Figures }) {
  const verbatim = Object.values(figures.extraction.verbatim_pii).reduce((s, n) => s + n, 0);
  return (
    <tr>
      <td>{name}</td>
      <td>{meanExposure(figures, true).toFixed(2)}</td>
      <td>{meanExposure(figures, false).toFixed(2)}</td>
      <td>{figures.membership.auc.toFixed(3)}</td>
      <td>{figures.membership.tpr_at_fpr_0_1pct.toFixed(3)}</td>
      <td>{figures.membership.tpr_at_fpr_1pct.toFixed(3)}</td>
      <td>
        {verbatim} of {figures.extraction.prompts}
      </td>
    </tr>
  );
}

export function LeakagePanel({ versionId, can }: { versionId: string; can: Can }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery({
    ...trpc.leakage.overview.queryOptions({ versionId }),
    refetchInterval: (q) => (q.state.data?.reports.some((r) => r.status === "queued" || r.status === "running") ? 2000 : false),
  });
  const refresh = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.leakage.pathKey() }) };
  const evaluate = useMutation(trpc.leakage.evaluate.mutationOptions(refresh));
  const setThresholds = useMutation(trpc.leakage.setThresholds.mutationOptions(refresh));
  if (!overview.data) return <ErrorMessage error={overview.error} />;
  const { reports, thresholds, timeline, ceiling } = overview.data;
  const latest = reports.find((r) => r.status === "done");
  const pending = reports.find((r) => r.status === "queued" || r.status === "running");
  const failed = reports[0]?.status === "failed" ? reports[0] : null;
  function onThresholds(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    setThresholds.mutate({
      versionId,
      maxAuc: Number(get("maxAuc")),
      maxExposure: Number(get("maxExposure")),
      maxPiiPer1000: Number(get("maxPii")),
      intervalMinutes: Number(get("interval")),
    });
  }
  return (
    <section className="card" data-testid="leakage">
      <h3>
        Leakage tests (internal evidence: they look at training records, so they are not DP output)
        <InternalBadge />
      </h3>
      <div className="inline">
        <button type="button" disabled={Boolean(pending)} onClick={() => evaluate.mutate({ versionId, kind: "on_demand" })}>
          Run leakage tests now
        </button>
        <button type="button" className="secondary" disabled={Boolean(pending)} onClick={() => evaluate.mutate({ versionId, kind: "drift_probe" })}>
          Probe for drift now
        </button>
        {pending && (
          <span className="muted" role="status" data-testid="leakage-pending">
            {pendingSentence(pending.kind, pending.status)}
          </span>
        )}
      </div>
      <ErrorMessage error={evaluate.error} />
      {failed && <p className="error">The last evaluation failed: {failed.error}</p>}
      {latest?.report && (
        <>
          <p data-testid="one-run-audit">
            One-run audit ({latest.report.leakage.one_run_audit.correct} of {latest.report.leakage.one_run_audit.guesses} guesses right on{" "}
            {latest.report.leakage.one_run_audit.m} canaries): empirical <strong>ε ≥ <Num value={latest.report.leakage.one_run_audit.epsilon_lower_bound} /></strong> at{" "}
            {Math.round(latest.report.leakage.one_run_audit.confidence * 100)}% confidence, against the accountant's <strong>ε = <Num value={latest.report.accountant.epsilon} /></strong>
            {latest.report.accountant.group_size > 1 && ` (group privacy over ${latest.report.accountant.group_size} repeats)`} ·{" "}
            {latest.alert ? <span className="error">alert raised</span> : <span className="ok">consistent</span>} · {LEAKAGE_KIND[latest.kind]},{" "}
            {when(latest.computedAt)}
          </p>
          <table>
            <thead>
              <tr>
                <th>Model</th>
                <th>Exposure, inserted canaries (bits)</th>
                <th>Exposure, others</th>
                <th>MIA AUC</th>
                <th>TPR @ 0.1% FPR</th>
                <th>TPR @ 1% FPR</th>
                <th>Verbatim PII extracted</th>
              </tr>
            </thead>
            <tbody>
              <FiguresRow name="this version" figures={latest.report.leakage} />
              {latest.report.leakage.base_model && <FiguresRow name="base model" figures={latest.report.leakage.base_model} />}
            </tbody>
          </table>
          <AttributeInferenceLine tuned={latest.report.leakage.attribute_inference} base={latest.report.leakage.base_model?.attribute_inference} />
          <div className="charts">
            <LogLogRoc
              title="Membership inference ROC"
              floor={0.5 / Math.max(latest.report.leakage.membership.members, latest.report.leakage.membership.non_members)}
              curves={[
                { name: "this version", points: latest.report.leakage.membership.roc },
                ...(latest.report.leakage.base_model ? [{ name: "base model", points: latest.report.leakage.base_model.membership.roc }] : []),
                ...(ceiling ? [{ name: `most ε = ${eps(ceiling.epsilon)} allows`, points: ceiling.curve, dashed: true }] : []),
              ]}
            />
            <ExposureHistogram histogram={latest.report.histogram} />
          </div>
        </>
      )}
      {!latest && !pending && <p className="muted">No leakage report yet.</p>}
      <DriftTimeline timeline={timeline} thresholds={thresholds} />
      {can["leakage.setThresholds"] ? (
        <form className="inline" onSubmit={onThresholds} aria-label="Drift thresholds">
          <label>
            Max MIA AUC
            <input name="maxAuc" defaultValue={thresholds?.maxAuc ?? 0.6} inputMode="decimal" />
          </label>
          <label>
            Max mean exposure (bits)
            <input name="maxExposure" defaultValue={thresholds?.maxExposure ?? 10} inputMode="decimal" />
          </label>
          <label>
            Max PII per 1000 outputs
            <input name="maxPii" defaultValue={thresholds?.maxPiiPer1000 ?? 5} inputMode="decimal" />
          </label>
          <label>
            Probe every (minutes, 0 = by hand)
            <input name="interval" defaultValue={thresholds?.intervalMinutes ?? 1440} inputMode="numeric" />
          </label>
          <button type="submit">Set thresholds</button>
          <ErrorMessage error={setThresholds.error} />
        </form>
      ) : (
        thresholds && (
          <p className="muted">
            Thresholds: AUC ≤ {thresholds.maxAuc}, exposure ≤ {thresholds.maxExposure} bits, PII ≤ {thresholds.maxPiiPer1000} per 1000 outputs, probes every{" "}
            {thresholds.intervalMinutes} min.
          </p>
        )
      )}
    </section>
  );
}
