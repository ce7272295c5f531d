// One incident: its timeline, containment actions and blast radius.
import { enterSection } from "@/app/_trpc/server";
import { IncidentDetail } from "./incident-detail";

export default async function IncidentPage({ params }: { params: Promise<{ incidentId: string }> }) {
  const section = await enterSection("incidents");
  const { incidentId } = await params;
  return <IncidentDetail incidentId={incidentId} can={section.can} />;
}
