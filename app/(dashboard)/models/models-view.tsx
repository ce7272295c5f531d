"use client";
// The registry: every family with its versions, each linked to its own page (/models/<versionId>).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorMessage } from "@/app/_components/error-message";
import { when } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";

export function ModelsView() {
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions());
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
                <th>Page</th>
              </tr>
            </thead>
            <tbody>
              {family.versions.map((v) => (
                <tr key={v.id} data-testid={`model-${family.name}-v${v.version}`}>
                  <td>
                    <Link href={`/models/${v.id}`}>v{v.version}</Link>
                  </td>
                  <td>{v.kind === "base" ? "base" : "fine-tuned"}</td>
                  <td>
                    <span className="badge">{v.status}</span>
                  </td>
                  <td className="mono">{v.weightsDigest.slice(0, 16)}…</td>
                  <td>{when(v.createdAt)}</td>
                  <td>
                    <Link href={`/models/${v.id}`} aria-label={`Details of ${family.name} v${v.version}`}>
                      Details
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      {models.data?.length === 0 && <p className="muted">No model versions yet.</p>}
    </>
  );
}
