"use client";
// The synthetic side of a dataset's page: where its records came from and the guarantee they carry (the source model's,
// on its lineages: post-processing), each generation with its progress and cancel, its validation report, the privacy
// officer's approval, the incident a failed check opened, and the download once approved.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { ConfirmButton } from "@/app/_components/confirm-button";
import { ErrorMessage } from "@/app/_components/error-message";
import { when } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterOutputs } from "@/app/_trpc/types";
import { Guarantee } from "../../models/[versionId]/guarantee";
import { JOB_STATUS } from "../../models/[versionId]/synthetic/synthetic-view";
import { ValidationReport } from "./validation-report";

type Side = NonNullable<RouterOutputs["synthetic"]["ofDataset"]>;
type Job = Side["jobs"][number];

function JobCard({ job, can }: { job: Job; can: Can }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.synthetic.pathKey() });
  const cancel = useMutation(trpc.synthetic.cancel.mutationOptions({ onSuccess: refresh }));
  const approve = useMutation(trpc.synthetic.approve.mutationOptions({ onSuccess: refresh }));
  const active = job.status === "queued" || job.status === "running";
  return (
    <section className="card" data-testid="synthetic-job" aria-label={`Generation of ${when(job.requestedAt)}`}>
      <h2>
        Generation of {when(job.requestedAt)} ·{" "}
        <span className="badge" data-testid="synthetic-status">
          {JOB_STATUS[job.status]}
        </span>
      </h2>
      <p className="muted">
        {job.total.toLocaleString("en")} records,{" "}
        {job.request.prompts.length > 0 ? `${job.request.prompts.length} prompts in turn` : <>template <code>{job.request.template}</code></>}
        {job.request.labels.length > 0 && ` with labels ${job.request.labels.join(", ")} (field "${job.request.label_field}")`}; up to {job.request.max_tokens}{" "}
        tokens each, sampled at temperature {job.request.decoding.temperature}
        {job.request.decoding.top_k ? `, top-k ${job.request.decoding.top_k}` : ""}
        {job.request.decoding.top_p ? `, top-p ${job.request.decoding.top_p}` : ""}.
      </p>
      {active && (
        <div className="inline">
          <progress max={job.total} value={job.generated} aria-label="Records generated" data-testid="synthetic-progress" />
          <span>
            {job.generated} of {job.total}
            {job.cancelRequested && " · stopping at the next batch"}
          </span>
          {can["synthetic.cancel"] && !job.cancelRequested && (
            <ConfirmButton className="secondary" question="Cancel this generation? Nothing of it is kept." confirmLabel="Yes, cancel" onConfirm={() => cancel.mutate({ jobId: job.id })}>
              Cancel
            </ConfirmButton>
          )}
        </div>
      )}
      {job.status === "failed" && <p className="error">It could not be carried out: {job.error}</p>}
      {job.report && <ValidationReport report={job.report} />}
      {job.verdict === "passed" &&
        (job.approvedAt ? (
          <p data-testid="synthetic-approved">
            Approved by {job.approvedBy} {when(job.approvedAt)}: it may be trained on and{" "}
            <a href={`/api/datasets/${job.datasetVersionId}/download`} download>
              downloaded (JSONL)
            </a>
            .
          </p>
        ) : (
          <div className="inline" data-testid="synthetic-awaiting">
            <p>Awaiting a privacy officer&apos;s approval: nobody may train on it or download it before.</p>
            {can["synthetic.approve"] && (
              <ConfirmButton question="Approve this synthetic version for training and download? The approval is audited." confirmLabel="Yes, approve" onConfirm={() => approve.mutate({ jobId: job.id })}>
                Approve
              </ConfirmButton>
            )}
          </div>
        ))}
      {job.incidentId && (
        <p>
          The failed validation opened <Link href={`/incidents/${job.incidentId}`}>an incident</Link>; the version may not be approved.
        </p>
      )}
      <ErrorMessage error={cancel.error ?? approve.error} />
    </section>
  );
}

export function SyntheticCard({ datasetId, can }: { datasetId: string; can: Can }) {
  const trpc = useTRPC();
  const side = useQuery({
    ...trpc.synthetic.ofDataset.queryOptions({ datasetId }),
    refetchInterval: (q) => (q.state.data?.jobs.some((j) => j.status === "queued" || j.status === "running") ? 1000 : false),
  });
  // A generation that ends adds a version to the dataset: the versions shown above are read again.
  const queryClient = useQueryClient();
  const done = side.data?.jobs.filter((j) => j.status === "done").length ?? 0;
  useEffect(() => {
    if (done > 0) void queryClient.invalidateQueries({ queryKey: trpc.datasets.get.queryKey({ datasetId }) });
  }, [done, datasetId, queryClient, trpc]);
  if (side.error) return <ErrorMessage error={side.error} />;
  if (!side.data) return null;
  return (
    <>
      <section className="card" data-testid="synthetic-origin">
        <h2>Synthetic data</h2>
        <p>
          Sampled from <Link href={`/models/${side.data.sourceModelVersionId}`}>model version {side.data.sourceModelVersionId.slice(0, 8)}</Link>. Sampling a DP
          model is post-processing: these records carry its guarantee on the datasets it was trained on, below, and training on them charges nothing more to
          those datasets. This dataset needs no budget of its own until someone adds real data to it.
        </p>
        {side.data.guarantees.map((g) => (
          <Guarantee key={g.datasetId} guarantee={g} />
        ))}
      </section>
      {side.data.jobs.map((j) => (
        <JobCard key={j.id} job={j} can={can} />
      ))}
    </>
  );
}
