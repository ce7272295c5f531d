"use client";
// The registry: every family with its versions; a version's lineage, the epsilon it carries per dataset lineage
// (recomputed on the server from the recorded events), its validation metrics (internal, not DP), and the status
// changes privacy officers make.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { Can } from "@/app/_trpc/types";
import { ErrorMessage } from "@/app/_components/error-message";
import { eps, when } from "@/app/_components/format";
import { InternalBadge } from "@/app/_components/internal-badge";
import { SpendChart } from "@/app/_components/spend-chart";
import { useTRPC } from "@/app/_trpc/client";
import { LeakagePanel } from "./leakage-panel";

export function ModelsView({ can }: { can: Can }) {
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions());
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <>
      <ErrorMessage error={models.error} />
      {models.data?.map((family) => (
        <section className="card" key={family.id}>
          <h2>{family.name}</h2>
          <table>
            <thead>
              <tr>
                <th>Version</th>
                <th>Kind</th>
                <th>Status</th>
                <th>Weights SHA-256</th>
                <th>Registered</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {family.versions.map((v) => (
                <tr key={v.id} data-testid={`model-${family.name}-v${v.version}`}>
                  <td>v{v.version}</td>
                  <td>{v.kind}</td>
                  <td>
                    <span className="badge">{v.status}</span>
                  </td>
                  <td className="mono">{v.weightsDigest.slice(0, 16)}…</td>
                  <td>{when(v.createdAt)}</td>
                  <td>
                    <button type="button" className="secondary" onClick={() => setSelected(v.id)}>
                      Details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      {models.data?.length === 0 && <p className="muted">No model versions yet.</p>}
      {selected && <VersionDetail versionId={selected} can={can} />}
    </>
  );
}

function VersionDetail({ versionId, can }: { versionId: string; can: Can }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(trpc.models.get.queryOptions({ versionId }));
  const setStatus = useMutation(trpc.models.setStatus.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() }) }));
  if (!detail.data) return <ErrorMessage error={detail.error} />;
  const { version, metrics, lineage, guarantees } = detail.data;
  const next = { draft: ["approved"], approved: ["deployed"], deployed: [], withdrawn: [] }[version.status] as ("approved" | "deployed")[];
  return (
    <section className="card" data-testid="model-detail">
      <h2>
        Version v{version.version} <span className="badge">{version.status}</span>
      </h2>
      <p>Lineage: {lineage.map((v) => `v${v.version} (${v.kind})`).join(" ← ")}</p>
      {metrics.validation_loss !== undefined && (
        <p data-testid="model-metrics">
          Validation loss {metrics.validation_loss.toFixed(3)}
          {metrics.perplexity !== undefined && `, perplexity ${metrics.perplexity.toFixed(2)}`} (on held-out records)
          <InternalBadge />
        </p>
      )}
      <p>
        <Link href={`/models/${version.id}/disclosure`}>Disclosure report (printable)</Link>
        {can["api.models.provenance"] && version.status !== "withdrawn" && (
          <>
            {" · "}
            <a href={`/api/models/${version.id}/provenance`} download>
              Export signed provenance
            </a>
          </>
        )}
      </p>
      {version.status !== "withdrawn" && can["api.models.weights"] && (
        <p>
          <a href={`/api/models/${version.id}/weights`} download>
            Download the weights
          </a>{" "}
          <span className="mono muted">SHA-256 {version.weightsDigest}</span>
        </p>
      )}
      {guarantees.length === 0 ? (
        <p>Trained on no dataset of ours: no privacy budget spent (a base model from a public corpus).</p>
      ) : (
        guarantees.map((g) => (
          <div key={g.datasetId} data-testid="guarantee">
            <p>
              On <strong>{g.datasetName}</strong> ({g.privacyUnit}-level): <strong>ε = {eps(g.epsilon)}</strong>, δ = {g.delta}: every run on this
              dataset launched before this version was registered ({g.runs.length} run(s), composed; adding their epsilons would say ε ={" "}
              {eps(g.naiveEpsilonSum)}), since the choice of this version among them is part of the release.
            </p>
            <p className="muted" data-testid="own-epsilon">
              This version&apos;s own run{g.runs.filter((r) => r.inChain).length > 1 ? "s (with its ancestors')" : ""} alone: ε = {eps(g.ownEpsilon)}. Not
              a guarantee on its own when the version was chosen among other runs.
            </p>
            {g.personLevel && (
              <p className="muted">
                Person-level (group privacy, for people with up to k = {g.recordsPerPersonBound} records): ε = {eps(g.personLevel.epsilon)}, δ ={" "}
                {g.personLevel.delta.toExponential(2)}
              </p>
            )}
            <SpendChart runs={g.runs} limit={g.epsilon} label={`Composed ε of this version on ${g.datasetName}`} />
          </div>
        ))
      )}
      {can["models.setStatus"] && version.status !== "withdrawn" && (
        <div className="inline">
          {next.map((status) => (
            <button key={status} type="button" onClick={() => setStatus.mutate({ versionId, status })}>
              {status === "approved" ? "Approve" : "Deploy"}
            </button>
          ))}
          <button type="button" className="secondary" onClick={() => setStatus.mutate({ versionId, status: "withdrawn" })}>
            Withdraw
          </button>
        </div>
      )}
      <ErrorMessage error={setStatus.error} />
      {can["leakage.overview"] && version.runId && <LeakagePanel versionId={version.id} can={can} />}
    </section>
  );
}
