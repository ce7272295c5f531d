// What other domains tell people, in words: each is called inside the transaction of the change it reports.
import { eq } from "drizzle-orm";
import { first, type Tx } from "../../db/client";
import { datasets, incidents, type Run } from "../../db/schema";
import { notify } from "./service";

/** A run finished or failed: its launcher is told (other endings are their own doing or the runner's, and resumable). */
export async function notifyRunEnded(tx: Tx, run: Pick<Run, "id" | "status" | "statusReason" | "datasetId" | "createdBy">): Promise<void> {
  if (run.status !== "finished" && run.status !== "failed") return;
  const dataset = await first(tx.select({ name: datasets.name }).from(datasets).where(eq(datasets.id, run.datasetId)));
  const on = dataset ? ` on ${dataset.name}` : "";
  await notify(tx, {
    userId: run.createdBy,
    kind: run.status === "finished" ? "run_finished" : "run_failed",
    text: run.status === "finished" ? `Your run ${run.id.slice(0, 8)}${on} finished.` : `Your run ${run.id.slice(0, 8)}${on} failed: ${run.statusReason ?? "no reason given"}`,
    href: `/runs/${run.id}`,
  });
}

/** An incident was assigned: its new owner is told, unless they assigned it to themselves. */
export async function notifyIncidentAssigned(tx: Tx, incidentId: string, ownerId: string, assignedBy: string | null): Promise<void> {
  if (ownerId === assignedBy) return;
  const incident = await first(tx.select({ title: incidents.title, severity: incidents.severity }).from(incidents).where(eq(incidents.id, incidentId)));
  if (!incident) return;
  await notify(tx, {
    userId: ownerId,
    kind: "incident_assigned",
    text: `You now own the ${incident.severity} incident "${incident.title}".`,
    href: `/incidents/${incidentId}`,
  });
}
