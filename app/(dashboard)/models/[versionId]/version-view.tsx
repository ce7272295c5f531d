"use client";
// A model version's facts, live: kind, status, where a base version came from, lineage (each ancestor linked to its
// page), the run that trained it, the guarantee per dataset lineage with the runs it composes (linked to /runs/<id>),
// validation metrics and the task metric of a version trained with labels (internal, not DP), the status changes
// privacy officers make, downloads and exports, and the leakage tests.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { Can, RouterOutputs } from "@/app/_trpc/types";
import { when } from "@/app/_components/format";
import { InternalBadge } from "@/app/_components/internal-badge";
import { useTRPC } from "@/app/_trpc/client";
import { LeakagePanel } from "../leakage-panel";
import { Guarantee } from "./guarantee";
import { StatusActions } from "./status-actions";

/** Label and value side by side; long values (the digest) wrap anywhere, so it fits a narrow screen. */
const FACTS = { display: "grid", gridTemplateColumns: "minmax(8rem, max-content) minmax(0, 1fr)", gap: "0.3rem 1rem", margin: 0, overflowWrap: "anywhere" } as const;

const KIND = { base: "base model", fine_tuned: "fine-tuned" } as const;
const TOKENIZER = { bytes: "UTF-8 bytes", "gpt2-bpe": "GPT-2 byte-level BPE" } as const;

export function VersionView({ versionId, can, initial }: { versionId: string; can: Can; initial: RouterOutputs["models"]["get"] }) {
  const trpc = useTRPC();
  // Drawn on the server first (initial), then kept fresh in the browser after each status change.
  const detail = useQuery({ ...trpc.models.get.queryOptions({ versionId }), initialData: initial });
  const { version, metrics, lineage, guarantees, architecture: a, source } = detail.data;
  const withdrawn = version.status === "withdrawn";
  return (
    <section className="card" data-testid="model-detail">
      <dl style={FACTS}>
        <dt>Status</dt>
        <dd style={{ margin: 0 }}>
          <span className="badge" data-testid="model-status">
            {version.status}
          </span>
        </dd>
        <dt>Kind</dt>
        <dd style={{ margin: 0 }}>{KIND[version.kind]}</dd>
        <dt>Architecture</dt>
        <dd style={{ margin: 0 }} data-testid="model-architecture">
          {a.architecture.toUpperCase()} decoder, {a.parameters.toLocaleString("en")} parameters: {a.layers} layers of width {a.width}, {a.heads} heads,
          context {a.context} tokens, vocabulary {a.vocabulary.toLocaleString("en")} ({TOKENIZER[a.tokenizer]}), {a.activation} activation
        </dd>
        {source && (
          <>
            <dt>Source</dt>
            <dd style={{ margin: 0 }} data-testid="model-source">
              {source.kind === "pretrained" ? (
                <>pretrained here on a public corpus ({source.corpus})</>
              ) : (
                <>
                  imported from a {source.format === "huggingface-gpt2" ? "Hugging Face GPT-2" : source.format} checkpoint, licence as stated:{" "}
                  {source.license ?? "none stated"}
                  <details>
                    <summary>SHA-256 of each file read</summary>
                    <ul className="mono">
                      {Object.entries(source.files).map(([file, digest]) => (
                        <li key={file}>
                          {file}: {digest}
                        </li>
                      ))}
                    </ul>
                  </details>
                </>
              )}
            </dd>
          </>
        )}
        <dt>Registered</dt>
        <dd style={{ margin: 0 }}>{when(version.createdAt)}</dd>
        <dt>Trained by</dt>
        <dd style={{ margin: 0 }}>
          {version.runId ? (
            <Link href={`/runs/${version.runId}`} data-testid="producing-run">
              run {version.runId.slice(0, 8)}
            </Link>
          ) : (
            "no run of ours (registered from files)"
          )}
        </dd>
        <dt>Lineage</dt>
        <dd data-testid="lineage" style={{ margin: 0 }}>
          {lineage.map((v, i) => (
            <span key={v.id}>
              {i > 0 && " ← "}
              {v.id === version.id ? <strong>v{v.version}</strong> : <Link href={`/models/${v.id}`}>v{v.version}</Link>} ({v.kind === "base" ? "base" : "fine-tuned"})
            </span>
          ))}
        </dd>
        <dt>Weights SHA-256</dt>
        <dd className="mono" style={{ margin: 0 }}>
          {version.weightsDigest}
        </dd>
      </dl>
      {metrics.validation_loss !== undefined && (
        <p data-testid="model-metrics">
          Validation loss {metrics.validation_loss.toFixed(3)}
          {metrics.perplexity !== undefined && `, perplexity ${metrics.perplexity.toFixed(2)}`} (on held-out records)
          <InternalBadge />
        </p>
      )}
      {detail.data.task && metrics.task_accuracy !== undefined && (
        <p data-testid="task-metric">
          Task: classifying by {detail.data.task.label_field} ({detail.data.task.labels.join(", ")}), accuracy {metrics.task_accuracy.toFixed(3)}, macro-F1{" "}
          {(metrics.task_macro_f1 ?? 0).toFixed(3)} on {metrics.task_records} held-out records
          <InternalBadge />
        </p>
      )}
      <h2>Privacy guarantee</h2>
      {guarantees.length === 0 ? (
        <p>Trained on no dataset of ours: no privacy budget spent (a base model from a public corpus).</p>
      ) : (
        guarantees.map((g) => <Guarantee key={g.datasetId} guarantee={g} />)
      )}
      <StatusActions versionId={version.id} status={version.status} can={can} guarantees={guarantees} />
      <h2>Downloads and exports</h2>
      <ul data-testid="exports">
        <li>
          <Link href={`/models/${version.id}/disclosure`}>Disclosure report (printable)</Link>
        </li>
        {can["api.models.provenance"] && (
          <li>
            <a href={`/api/models/${version.id}/provenance`} download>
              Export signed provenance
            </a>
            {withdrawn && " (marked withdrawn)"} <span className="muted">verify it offline with npm run verify -- FILE</span>
          </li>
        )}
        {can["api.models.weights"] && (
          <li>
            {withdrawn ? (
              <span className="muted">The weights of a withdrawn version cannot be downloaded.</span>
            ) : (
              <a href={`/api/models/${version.id}/weights`} download>
                Download the weights
              </a>
            )}
          </li>
        )}
      </ul>
      {can["leakage.overview"] && version.runId && <LeakagePanel versionId={version.id} can={can} />}
    </section>
  );
}
