// Runs: launching DP fine-tuning runs (engineers; /runs?from=<runId> fills the form with that run's settings) and
// every run this user may see.
import { enterSection } from "@/app/_trpc/server";
import { LaunchForm } from "./launch-form";
import { RunsTable } from "./runs-table";

export default async function RunsPage({ searchParams }: { searchParams: Promise<{ from?: string | string[] }> }) {
  const section = await enterSection("runs");
  const { from } = await searchParams;
  const source = typeof from === "string" && /^[0-9a-f-]{36}$/.test(from) ? from : undefined;
  return (
    <>
      <h1>{section.label}</h1>
      {section.can["runs.launch"] && <LaunchForm key={source ?? "new"} from={source} />}
      <RunsTable />
    </>
  );
}
