"use client";
// The Synthetic data tab's content: the request form (engineers, of an approved or deployed version), the version's
// synthetic datasets with their progress and verdict, and the organisation's thresholds (set by privacy officers).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormProblems, problemsOf } from "@/app/_components/form-problems";
import { formData, when } from "@/app/_components/format";
import { SamplingFields, sampledDecoding } from "@/app/_components/sampling-fields";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterOutputs } from "@/app/_trpc/types";
import { LABEL_SLOT, MAX_SYNTHETIC_PROMPTS, MAX_SYNTHETIC_RECORDS, syntheticRequestSchema } from "@/server/synthetic/request";
import { MAX_OUTPUT_TOKENS } from "@/server/red-team/request";
import { ThresholdsCard } from "./thresholds-card";

type Job = RouterOutputs["synthetic"]["ofModel"][number];
type Thresholds = RouterOutputs["synthetic"]["thresholds"];
type Task = RouterOutputs["models"]["get"]["task"];

export const JOB_STATUS = { queued: "queued for the job runner…", running: "generating…", done: "done", failed: "failed", cancelled: "cancelled" } as const;

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

function RequestForm({ versionId, task }: { versionId: string; task: Task }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const request = useMutation(
    trpc.synthetic.request.mutationOptions({
      onSuccess: async ({ datasetId }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.synthetic.pathKey() });
        router.push(`/datasets/${datasetId}`);
      },
    }),
  );
  /** What the form's own check of the request found (the server's schema, checked before anything is sent). */
  const [invalid, setInvalid] = useState<string[]>([]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    const checked = syntheticRequestSchema.safeParse({
      dataset_name: get("name"),
      records: Number(get("records")),
      template: get("template"),
      prompts: lines(get("prompts")),
      labels: get("labels")
        .split(",")
        .map((l) => l.trim())
        .filter((l) => l !== ""),
      label_field: get("labelField"),
      max_tokens: Number(get("maxTokens")),
      decoding: sampledDecoding(get),
    });
    setInvalid(problemsOf(checked));
    if (checked.success) request.mutate({ versionId, request: checked.data });
  }

  return (
    <form onSubmit={onSubmit} aria-label="Synthetic dataset">
      <div className="inline">
        <label>
          New dataset name
          <input name="name" required />
        </label>
        <label>
          Records (at most {MAX_SYNTHETIC_RECORDS.toLocaleString("en")})
          <input name="records" defaultValue={200} inputMode="numeric" />
        </label>
      </div>
      <label>
        Template: the prompt of every record; {LABEL_SLOT} takes each label in turn
        <input name="template" defaultValue={task ? `${LABEL_SLOT}: ` : ""} placeholder={`Subject: ${LABEL_SLOT} mail:`} />
      </label>
      <div className="inline">
        <label>
          Labels, comma-separated
          <input name="labels" defaultValue={task?.labels.join(", ") ?? ""} />
        </label>
        <label>
          Label field
          <input name="labelField" defaultValue={task?.label_field ?? "label"} />
        </label>
      </div>
      <label>
        Or prompts of your own, one per line, used in turn (at most {MAX_SYNTHETIC_PROMPTS}; leave the template empty)
        <textarea name="prompts" rows={3} />
      </label>
      <div className="inline">
        <label>
          Tokens per record (at most {MAX_OUTPUT_TOKENS})
          <input name="maxTokens" defaultValue={64} inputMode="numeric" />
        </label>
        <SamplingFields />
        <button type="submit" disabled={request.isPending}>
          Generate
        </button>
      </div>
      <FormProblems problems={invalid} error={request.error} />
    </form>
  );
}

export function SyntheticView({ versionId, status, task, can, initial, thresholds }: { versionId: string; status: string; task: Task; can: Can; initial: Job[]; thresholds: Thresholds }) {
  const trpc = useTRPC();
  const jobs = useQuery({
    ...trpc.synthetic.ofModel.queryOptions({ versionId }),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.some((j) => j.status === "queued" || j.status === "running") ? 2000 : false),
  });
  const usable = status === "approved" || status === "deployed";
  return (
    <>
      <section className="card" data-testid="synthetic-form">
        <h2>Generate a synthetic dataset</h2>
        <p className="muted">
          Records sampled from this version go into a new dataset of their own. Sampling a DP model is post-processing: the records carry this version&apos;s
          guarantee on the datasets it was trained on, and training on them spends nothing more of those budgets. Before anyone may train on them or download
          them, the job runner checks them for copies of training records, closeness to training records, PII and canaries, and a privacy officer approves
          the report.
        </p>
        {can["synthetic.request"] ? (
          usable ? (
            <RequestForm versionId={versionId} task={task} />
          ) : (
            <p data-testid="synthetic-not-approved">This version is {status}: a privacy officer must approve it before synthetic data is made from it.</p>
          )
        ) : (
          <p className="muted">Engineers with access to the version&apos;s data ask for synthetic datasets.</p>
        )}
      </section>
      <section className="card" data-testid="synthetic-jobs">
        <h2>Synthetic datasets from this version</h2>
        {jobs.data.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Dataset</th>
                <th>Asked</th>
                <th>Status</th>
                <th>Records</th>
                <th>Validation</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.map((j) => (
                <tr key={j.id}>
                  <td>
                    <Link href={`/datasets/${j.datasetId}`}>{j.datasetName}</Link>
                  </td>
                  <td>{when(j.requestedAt)}</td>
                  <td>{JOB_STATUS[j.status]}</td>
                  <td>
                    {j.generated} of {j.total}
                  </td>
                  <td>{j.verdict === null ? "–" : j.verdict === "passed" ? (j.approvedAt ? "passed, approved" : "passed, awaiting approval") : "failed"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <ThresholdsCard thresholds={thresholds} canSet={can["synthetic.setThresholds"]} />
    </>
  );
}
