// Monitoring: privacy drift of every deployed model version, with its thresholds, probes and timeline.
import { enterSection } from "@/app/_trpc/server";
import { MonitoringView } from "./monitoring-view";

export default async function MonitoringPage() {
  const section = await enterSection("monitoring");
  return (
    <>
      <h1>{section.label}</h1>
      <MonitoringView can={section.can} />
    </>
  );
}
