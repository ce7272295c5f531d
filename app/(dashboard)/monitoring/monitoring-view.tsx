"use client";
// Every deployed model version with its leakage evidence and drift monitoring.
import { useQuery } from "@tanstack/react-query";
import type { Role } from "../../../server/auth/access";
import { ErrorMessage } from "../../_components/error-message";
import { useTRPC } from "../../_trpc/client";
import { LeakagePanel } from "../models/leakage-panel";

export function MonitoringView({ role }: { role: Role }) {
  const trpc = useTRPC();
  const monitored = useQuery(trpc.leakage.monitored.queryOptions());
  if (!monitored.data) return <ErrorMessage error={monitored.error} />;
  if (monitored.data.length === 0) return <p className="muted">No deployed model version to monitor. Deploy one from the Models page.</p>;
  return (
    <>
      {monitored.data.map((v) => (
        <section key={v.id} className="card" data-testid={`monitored-${v.family}-v${v.version}`}>
          <h2>
            {v.family} v{v.version}
          </h2>
          <LeakagePanel versionId={v.id} role={role} />
        </section>
      ))}
    </>
  );
}
