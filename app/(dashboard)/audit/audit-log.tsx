"use client";
// The audit log table with filters, paging, exports of the filtered entries and a check of the hash chain; actors and
// entities are shown by name, linked to their pages (the id on hover, or alone when the entity is gone).
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { EntityLink } from "@/app/_components/entity-link";
import { Pager } from "@/app/_components/pager";
import type { Can } from "@/app/_trpc/types";
import { useTRPC } from "@/app/_trpc/client";

const PAGE_SIZE = 25;
const FILTERS = [
  { name: "action", label: "Action starts with" },
  { name: "actorEmail", label: "Actor email" },
  { name: "entityType", label: "Entity type" },
  { name: "entityId", label: "Entity id" },
] as const;
type Filter = Partial<Record<(typeof FILTERS)[number]["name"], string>>;

/** The export of the filter in force (app/api/audit/export; README "Audit log"). */
function exportHref(filter: Filter, format: "csv" | "jsonl"): string {
  return `/api/audit/export?${new URLSearchParams({ format, ...filter })}`;
}

export function AuditLog({ can }: { can: Can }) {
  const trpc = useTRPC();
  const [filter, setFilter] = useState<Filter>({});
  const [page, setPage] = useState(1);
  const log = useQuery(trpc.audit.list.queryOptions({ ...filter, page, pageSize: PAGE_SIZE }));
  const chain = useQuery({ ...trpc.audit.verify.queryOptions(), enabled: false });

  function onFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Filter = {};
    for (const f of FILTERS) {
      const v = String(form.get(f.name) ?? "").trim();
      if (v) next[f.name] = v;
    }
    setFilter(next);
    setPage(1);
  }

  return (
    <>
      <section className="card">
        <form className="inline" onSubmit={onFilter} aria-label="Filter the audit log">
          {FILTERS.map((f) => (
            <label key={f.name}>
              {f.label}
              <input name={f.name} />
            </label>
          ))}
          <button type="submit">Filter</button>
        </form>
        {can["api.audit.export"] && (
          <p>
            Export the {Object.keys(filter).length > 0 ? "filtered" : "whole"} log ({log.data?.total ?? "…"} entries):{" "}
            <a href={exportHref(filter, "csv")} download>
              CSV
            </a>{" "}
            ·{" "}
            <a href={exportHref(filter, "jsonl")} download>
              JSON lines
            </a>
          </p>
        )}
      </section>
      <section className="card">
        <div className="inline">
          <button type="button" className="secondary" onClick={() => chain.refetch()} disabled={chain.isFetching}>
            Verify hash chain
          </button>{" "}
          {chain.data && (
            <span data-testid="chain-status" className={chain.data.ok ? "ok" : "error"}>
              {chain.data.ok
                ? `Chain intact: ${chain.data.entries} entries, head ${chain.data.head.slice(0, 16)}…`
                : `Chain broken at entry #${chain.data.brokenAt}: ${chain.data.reason}`}
            </span>
          )}
        </div>
        <ErrorMessage error={log.error ?? chain.error} />
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>When (UTC)</th>
              <th>Who</th>
              <th>Action</th>
              <th>Entity</th>
              <th>Input digest</th>
              <th>Hash</th>
            </tr>
          </thead>
          <tbody>
            {log.data?.entries.map((e) => (
              <tr key={e.seq} data-testid="audit-row">
                <td>{e.seq}</td>
                <td>{e.at.replace("T", " ").slice(0, 19)}</td>
                <td data-testid="audit-actor">
                  {e.actor?.found ? `${e.actor.label} · ` : ""}
                  {e.actorEmail} <span className="badge">{e.actorRole}</span>
                </td>
                <td className="mono">{e.action}</td>
                <td data-testid="audit-entity">
                  <span className="muted">{e.entityType.replace("_", " ")}</span> <EntityLink name={e.entity} id={e.entityId} can={can} />
                </td>
                <td className="mono" title={e.inputDigest}>
                  {e.inputDigest.slice(0, 12)}…
                </td>
                <td className="mono" title={`hash ${e.hash}\nprevious ${e.prevHash}`}>
                  {e.hash.slice(0, 12)}…
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager page={page} pageSize={PAGE_SIZE} total={log.data?.total ?? 0} noun="entries" onPage={setPage} />
      </section>
    </>
  );
}
