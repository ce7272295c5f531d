// Incidents: every incident, newest first, and (for privacy officers) opening one by hand.
import { enterSection } from "@/app/_trpc/server";
import { IncidentsView } from "./incidents-view";

export default async function IncidentsPage() {
  const section = await enterSection("incidents");
  return (
    <>
      <h1>{section.label}</h1>
      <IncidentsView can={section.can} />
    </>
  );
}
