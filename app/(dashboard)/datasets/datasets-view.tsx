"use client";
// The dataset list and the upload form. Uploads stream the file to /api/datasets/upload (a file is no JSON call). A
// refusal shows one line per kind of error with its count (and the file's fields when the text field is wrong); the
// form keeps its settings after an upload, pointed at the new dataset for the next version.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import type { Can } from "@/app/_trpc/types";
import { ErrorMessage } from "@/app/_components/error-message";
import { formData, when } from "@/app/_components/format";
import { InternalBadge } from "@/app/_components/internal-badge";
import { useTRPC } from "@/app/_trpc/client";

interface UploadRefusal {
  message: string;
  kinds?: { reason: string; count: number; lines: number[] }[];
}

/** "3 lines (1, 2, 3)", or "12 lines (1, 2, 3, 4, 5, …)": the count, and where the first ones are. */
const lineList = (kind: { count: number; lines: number[] }) =>
  `${kind.count} ${kind.count === 1 ? "line" : "lines"} (${kind.lines.join(", ")}${kind.count > kind.lines.length ? ", …" : ""})`;

export function DatasetsView({ can }: { can: Can }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.datasets.list.queryOptions());
  return (
    <>
      {can["api.datasets.upload"] && <UploadForm datasets={list.data?.filter((d) => d.canTrain) ?? []} />}
      <section className="card">
        <ErrorMessage error={list.error} />
        <table>
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Latest version</th>
              <th>
                Records
                <InternalBadge />
              </th>
              <th>
                Subjects
                <InternalBadge />
              </th>
              <th>
                Most records of one subject
                <InternalBadge />
              </th>
              <th>
                Records with PII
                <InternalBadge />
              </th>
              <th>You may train</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.map((d) => (
              <tr key={d.id} data-testid={`dataset-${d.name}`}>
                <td>
                  <Link href={`/datasets/${d.id}`}>{d.name}</Link>
                </td>
                <td>{d.latest ? `v${d.latest.version} · ${when(d.latest.createdAt)}` : "–"}</td>
                <td>{d.latest?.recordCount ?? "–"}</td>
                <td>{d.latest?.subjectCount ?? "–"}</td>
                <td>{d.latest?.maxRecordsPerSubject ?? "–"}</td>
                <td>{d.latest?.piiReport.recordsWithPii ?? "–"}</td>
                <td>{d.canTrain ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data?.length === 0 && <p className="muted">No datasets you may see yet.</p>}
      </section>
    </>
  );
}

function UploadForm({ datasets }: { datasets: { id: string; name: string }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<UploadRefusal | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [target, setTarget] = useState("new");
  const [name, setName] = useState("");

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const get = formData(event);
    const file = (formElement.elements.namedItem("file") as HTMLInputElement).files?.[0];
    if (!file) return;
    const params = new URLSearchParams({ format: get("format"), textField: get("textField") });
    if (get("subjectField")) params.set("subjectField", get("subjectField"));
    if (target === "new") params.set("name", name);
    else params.set("datasetId", target);
    setPending(true);
    setRefusal(null);
    setDone(null);
    const response = await fetch(`/api/datasets/upload?${params}`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "x-epsilon-upload": "1" },
      body: file,
    });
    setPending(false);
    const body = (await response.json()) as { error?: UploadRefusal; version?: number; datasetId?: string };
    if (!response.ok || body.error || !body.datasetId) {
      setRefusal(body.error ?? { message: `Upload failed (${response.status}).` });
      return;
    }
    setDone(`Uploaded ${file.name} as version ${body.version}.`);
    // Keep the settings; clear the file, and aim the next upload at this dataset (its name is taken now).
    (formElement.elements.namedItem("file") as HTMLInputElement).value = "";
    await queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() });
    setTarget(body.datasetId);
    setName("");
  }

  return (
    <section className="card">
      <h2>Upload</h2>
      <form className="inline" onSubmit={onSubmit} aria-label="Upload a dataset">
        <label>
          Into
          <select name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="new">a new dataset</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                a new version of {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          New dataset name
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} disabled={target !== "new"} required={target === "new"} />
        </label>
        <label>
          Format
          <select name="format" defaultValue="jsonl">
            <option value="jsonl">JSONL</option>
            <option value="csv">CSV</option>
          </select>
        </label>
        <label>
          Text field
          <input name="textField" defaultValue="text" required />
        </label>
        <label>
          Subject id field (optional)
          <input name="subjectField" />
        </label>
        <label>
          File
          <input name="file" type="file" accept=".jsonl,.json,.csv,text/csv,application/json" required />
        </label>
        <button type="submit" disabled={pending}>
          {pending ? "Uploading…" : "Upload"}
        </button>
      </form>
      {refusal && (
        <div role="alert" className="error">
          <p>{refusal.message}</p>
          {refusal.kinds && (
            <ul>
              {refusal.kinds.map((k) => (
                <li key={k.reason} data-testid="upload-error-kind">
                  {k.reason}: {lineList(k)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {done && <p className="ok">{done}</p>}
    </section>
  );
}
