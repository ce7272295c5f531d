"use client";
// A dataset's versions (each immutable, with its digest, counts and PII report: exact figures, internal and not DP),
// the minimisation form for engineers with access and privacy officers, the access list that privacy officers and admins manage, and the
// retention of versions' files and their deletion, which privacy officers decide.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import type { MinimisationPlanInput } from "@/server/datasets/ingest/minimise";
import { describeRecall } from "@/server/datasets/ingest/pii-recall";
import { ErrorMessage } from "@/app/_components/error-message";
import { formData, when } from "@/app/_components/format";
import { InternalBadge } from "@/app/_components/internal-badge";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterOutputs } from "@/app/_trpc/types";
import { SyntheticCard } from "./synthetic-card";

type Detail = RouterOutputs["datasets"]["get"];
type Version = Detail["versions"][number];

export function DatasetDetail({ datasetId, can }: { datasetId: string; can: Can }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.datasets.get.queryOptions({ datasetId }));
  if (detail.error) return <ErrorMessage error={detail.error} />;
  if (!detail.data) return <p className="muted">Loading…</p>;
  const { dataset, versions, canMinimise } = detail.data;
  return (
    <>
      <h1>{dataset.name}</h1>
      {can["synthetic.ofDataset"] && <SyntheticCard datasetId={dataset.id} can={can} />}
      <RetentionCard datasetId={dataset.id} retentionDays={dataset.retentionDays} canSet={can["datasets.setRetention"]} />
      {versions.map((v) => (
        <VersionCard key={v.id} version={v} versions={versions} canMinimise={canMinimise} canDelete={can["datasets.deleteVersionFiles"]} />
      ))}
      {can["datasets.grantAccess"] && <AccessCard detail={detail.data} />}
    </>
  );
}

function VersionCard({ version: v, versions, canMinimise, canDelete }: { version: Version; versions: Version[]; canMinimise: boolean; canDelete: boolean }) {
  const parent = versions.find((p) => p.id === v.parentVersionId);
  const types = Object.entries(v.piiReport.byType).filter(([, t]) => t.count > 0);
  const none = Object.entries(v.piiReport.byType).filter(([, t]) => t.count === 0).map(([type]) => type);
  return (
    <section className="card" data-testid={`version-${v.version}`}>
      <h2>
        Version {v.version}{" "}
        {v.kind === "synthetic" ? <span className="badge">synthetic</span> : parent ? <span className="badge">minimised from v{parent.version}</span> : <span className="badge">upload</span>}
      </h2>
      <p>
        <span data-testid="version-counts">
          {v.recordCount} records · {v.subjectCount} subjects · at most {v.maxRecordsPerSubject} records of one subject
        </span>
        <InternalBadge /> · {v.format.toUpperCase()}, text
        field <code>{v.textField}</code>
        {v.subjectField && (
          <>
            , subject field <code>{v.subjectField}</code>
          </>
        )}{" "}
        · {when(v.createdAt)}
      </p>
      <p className="mono">content SHA-256 {v.contentDigest}</p>
      <VersionFiles version={v} canDelete={canDelete} />
      {v.minimisation && <p>Minimisation: {describePlan(v.minimisation)}</p>}
      <h3>
        PII scan
        <InternalBadge />
      </h3>
      {types.length === 0 ? (
        <p data-testid="pii-none">
          0 found in {v.piiReport.recordsScanned} records, <DetectorRecall report={v.piiReport} types={none} />
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Type</th>
              <th>Occurrences</th>
              <th>Records</th>
              <th>Examples (masked)</th>
            </tr>
          </thead>
          <tbody>
            {types.map(([type, t]) => (
              <tr key={type} data-testid={`pii-${type}`}>
                <td>{type}</td>
                <td>{t.count}</td>
                <td>{t.records}</td>
                <td className="mono">{t.examples.join(" · ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {types.length > 0 && none.length > 0 && (
        <p data-testid="pii-recall">
          0 found of {none.join(", ")}, <DetectorRecall report={v.piiReport} types={none} />
        </p>
      )}
      {canMinimise && v.filesDeletedAt === null && <MinimiseForm version={v} types={types.map(([type]) => type)} />}
    </section>
  );
}

/** Whether the version's file is kept (and until when), or when and by whom it was deleted; the officers' delete button. */
function VersionFiles({ version: v, canDelete }: { version: Version; canDelete: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.datasets.deleteVersionFiles.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() }) }),
  );
  if (v.filesDeletedAt !== null) {
    const by = v.filesDeletedBy === "retention" ? "by the dataset's retention" : "by a privacy officer";
    return (
      <p data-testid="version-files">
        <span className="badge">files deleted</span> {when(v.filesDeletedAt)} {by}: it can no longer be trained on or minimised; its digests
        and audit trail remain.
      </p>
    );
  }
  return (
    <div data-testid="version-files">
      Files kept{v.retentionEndsAt ? ` until ${when(v.retentionEndsAt)} (retention)` : ""}.{" "}
      {canDelete && (
        <button
          type="button"
          className="secondary"
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete the files of version ${v.version}? It can no longer be trained on or minimised.`)) remove.mutate({ versionId: v.id });
          }}
        >
          Delete files
        </button>
      )}
      <ErrorMessage error={remove.error} />
    </div>
  );
}

/** The dataset's retention: days a version's files are kept after upload, then deleted by the job runner. */
function RetentionCard({ datasetId, retentionDays, canSet }: { datasetId: string; retentionDays: number | null; canSet: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const set = useMutation(trpc.datasets.setRetention.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() }) }));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const days = formData(event)("retentionDays").trim();
    // An empty field keeps files until deleted by hand; the server validates the number again.
    set.mutate({ datasetId, retentionDays: days === "" ? null : Number(days) });
  }
  return (
    <section className="card" data-testid="retention">
      <h2>Retention</h2>
      <p>
        {retentionDays === null
          ? "Versions' files are kept until a privacy officer deletes them."
          : `Versions' files are deleted ${retentionDays} days after their upload; digests and the audit trail remain.`}
      </p>
      {canSet && (
        <form className="inline" onSubmit={onSubmit} aria-label="Set retention">
          <label>
            Days (empty: keep)
            <input name="retentionDays" type="number" min={1} max={36500} step={1} defaultValue={retentionDays ?? ""} />
          </label>
          <button type="submit" disabled={set.isPending}>
            Set retention
          </button>
          <ErrorMessage error={set.error} />
        </form>
      )}
    </section>
  );
}

/**
 * What "0 found" is worth: the scanning detector's recall per type as measured on its evaluation set (recorded
 * with the report), never a claim that the version is clean.
 */
function DetectorRecall({ report, types }: { report: Version["piiReport"]; types: string[] }) {
  const recall = report.detectorRecall;
  if (recall === undefined) return <>by a detector whose recall was not recorded with this scan: PII it missed may remain.</>;
  const measured = types.flatMap((type) => {
    const r = recall[type as keyof typeof recall];
    return r ? [`${type} ${describeRecall(r)}`] : [];
  });
  return <>by a detector with measured {measured.join("; ")}. PII the detector misses may remain.</>;
}

function describePlan(plan: NonNullable<Version["minimisation"]>): string {
  const parts = [
    ...Object.entries(plan.entities).map(([type, action]) => `${type}: ${action}`),
    ...Object.entries(plan.fields).map(([field, action]) => `field ${field}: ${action}`),
  ];
  return parts.length ? parts.join(", ") : "nothing changed";
}

const ENTITY_ACTIONS = ["keep", "redact", "mask", "drop_record"] as const;
const FIELD_ACTIONS = ["keep", "redact", "mask", "drop"] as const;

function MinimiseForm({ version, types }: { version: Version; types: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const minimise = useMutation(
    trpc.datasets.minimise.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() }) }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    const entities = Object.fromEntries(types.map((t) => [t, get(`entity:${t}`)]).filter(([, a]) => a !== "keep"));
    const fields = Object.fromEntries(version.fields.map((f) => [f, get(`field:${f}`)]).filter(([, a]) => a !== "keep"));
    // The selects only offer the plan's actions; the server validates the plan again.
    minimise.mutate({ versionId: version.id, plan: { entities, fields } as MinimisationPlanInput });
  }
  return (
    <form className="inline" onSubmit={onSubmit} aria-label={`Minimise version ${version.version}`}>
      {types.map((t) => (
        <label key={t}>
          {t}
          <select name={`entity:${t}`} defaultValue="redact">
            {ENTITY_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      ))}
      {version.fields.map((f) => (
        <label key={f}>
          field {f}
          <select name={`field:${f}`} defaultValue="keep">
            {FIELD_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      ))}
      <button type="submit" disabled={minimise.isPending}>
        {minimise.isPending ? "Minimising…" : "Create minimised version"}
      </button>
      <ErrorMessage error={minimise.error} />
    </form>
  );
}

function AccessCard({ detail }: { detail: Detail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const engineers = useQuery(trpc.datasets.engineers.queryOptions());
  const refresh = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() }) };
  const grant = useMutation(trpc.datasets.grantAccess.mutationOptions(refresh));
  const revoke = useMutation(trpc.datasets.revokeAccess.mutationOptions(refresh));
  const granted = new Set(detail.access.map((a) => a.userId));
  function onGrant(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    grant.mutate({ datasetId: detail.dataset.id, userId: formData(event)("userId") });
  }
  return (
    <section className="card">
      <h2>Who may train on this dataset</h2>
      <ErrorMessage error={grant.error ?? revoke.error ?? engineers.error} />
      <table>
        <tbody>
          {detail.access.map((a) => (
            <tr key={a.userId} data-testid={`access-${a.email}`}>
              <td>{a.email}</td>
              <td className="muted">granted by {a.grantedBy}</td>
              <td>
                <button type="button" className="secondary" onClick={() => revoke.mutate({ datasetId: detail.dataset.id, userId: a.userId })}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline" onSubmit={onGrant} aria-label="Grant access">
        <label>
          Engineer
          <select name="userId" required>
            {engineers.data
              ?.filter((e) => !granted.has(e.id))
              .map((e) => (
                <option key={e.id} value={e.id}>
                  {e.email}
                </option>
              ))}
          </select>
        </label>
        <button type="submit" disabled={grant.isPending}>
          Grant access
        </button>
      </form>
    </section>
  );
}
