"use client";
// Every deployed model version with its leakage evidence and drift monitoring.
import { useQuery } from "@tanstack/react-query";
import type { Can } from "@/app/_trpc/types";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";
import { LeakagePanel } from "@/app/(dashboard)/models/leakage-panel";

export function MonitoringView({ can }: { can: Can }) {
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
          <LeakagePanel versionId={v.id} can={can} />
        </section>
      ))}
    </>
  );
}
