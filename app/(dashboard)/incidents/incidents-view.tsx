"use client";
// The incident list (with what each affects, by name) and the form to open one, linked to a dataset and/or a model version.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import type { Can } from "@/app/_trpc/types";
import { EntityLink } from "@/app/_components/entity-link";
import { ErrorMessage } from "@/app/_components/error-message";
import { formData, when } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";

const SEVERITIES = ["low", "medium", "high", "critical"] as const;

export function IncidentsView({ can }: { can: Can }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.incidents.list.queryOptions());
  return (
    <>
      {can["incidents.open"] && <OpenForm />}
      <section className="card">
        <ErrorMessage error={list.error} />
        <table>
          <thead>
            <tr>
              <th>Opened</th>
              <th>Title</th>
              <th>Severity</th>
              <th>Status</th>
              <th>Source</th>
              <th>Affects</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.map((i) => (
              <tr key={i.id} data-testid="incident-row">
                <td>{when(i.openedAt)}</td>
                <td>
                  <Link href={`/incidents/${i.id}`}>{i.title}</Link>
                </td>
                <td>
                  <span className="badge">{i.severity}</span>
                </td>
                <td>{i.status}</td>
                <td>{i.source}</td>
                <td data-testid="incident-affects">
                  {i.links.map((l, n) => (
                    <span key={`${l.entityType}:${l.entityId}`}>
                      {n > 0 && ", "}
                      <EntityLink name={l.name} id={l.entityId} can={can} />
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data?.length === 0 && <p className="muted">No incidents.</p>}
      </section>
    </>
  );
}

function OpenForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const models = useQuery(trpc.models.list.queryOptions());
  const open = useMutation(
    trpc.incidents.open.mutationOptions({
      onSuccess: async (id) => {
        await queryClient.invalidateQueries({ queryKey: trpc.incidents.pathKey() });
        router.push(`/incidents/${id}`);
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    const links = [
      ...(get("datasetId") ? [{ entityType: "dataset" as const, entityId: get("datasetId") }] : []),
      ...(get("versionId") ? [{ entityType: "model_version" as const, entityId: get("versionId") }] : []),
    ];
    open.mutate({ title: get("title"), description: get("description"), severity: get("severity") as (typeof SEVERITIES)[number], links });
  }
  return (
    <section className="card">
      <h2>Open an incident</h2>
      <form className="inline" onSubmit={onSubmit} aria-label="Open an incident">
        <label>
          Title
          <input name="title" required />
        </label>
        <label>
          Severity
          <select name="severity" defaultValue="high">
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Description
          <input name="description" />
        </label>
        <label>
          Affected dataset
          <select name="datasetId" defaultValue="">
            <option value="">none</option>
            {datasets.data?.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Affected model version
          <select name="versionId" defaultValue="">
            <option value="">none</option>
            {models.data?.flatMap((f) =>
              f.versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {f.name} v{v.version}
                </option>
              )),
            )}
          </select>
        </label>
        <button type="submit" disabled={open.isPending}>
          Open incident
        </button>
      </form>
      <ErrorMessage error={open.error ?? datasets.error ?? models.error} />
    </section>
  );
}
