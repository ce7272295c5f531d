// What other domains tell people, in words: each is called inside the transaction of the change it reports.
import { eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { datasets, incidents, type Run } from "../../db/schema";
import { notify } from "./service";

/** A run finished or failed: its launcher is told (other endings are their own doing or the runner's, and resumable). */
export function notifyRunEnded(tx: Executor, run: Pick<Run, "id" | "status" | "statusReason" | "datasetId" | "createdBy">): void {
  if (run.status !== "finished" && run.status !== "failed") return;
  const dataset = tx.select({ name: datasets.name }).from(datasets).where(eq(datasets.id, run.datasetId)).get();
  const on = dataset ? ` on ${dataset.name}` : "";
  notify(tx, {
    userId: run.createdBy,
    kind: run.status === "finished" ? "run_finished" : "run_failed",
    text: run.status === "finished" ? `Your run ${run.id.slice(0, 8)}${on} finished.` : `Your run ${run.id.slice(0, 8)}${on} failed: ${run.statusReason ?? "no reason given"}`,
    href: `/runs/${run.id}`,
  });
}

/** An incident was assigned: its new owner is told, unless they assigned it to themselves. */
export function notifyIncidentAssigned(tx: Executor, incidentId: string, ownerId: string, assignedBy: string | null): void {
  if (ownerId === assignedBy) return;
  const incident = tx.select({ title: incidents.title, severity: incidents.severity }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!incident) return;
  notify(tx, {
    userId: ownerId,
    kind: "incident_assigned",
    text: `You now own the ${incident.severity} incident "${incident.title}".`,
    href: `/incidents/${incidentId}`,
  });
}
