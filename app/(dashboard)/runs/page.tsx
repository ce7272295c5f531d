// Runs: launching DP fine-tuning runs (engineers; /runs?from=<runId> fills the form with that run's settings) and
// every run this user may see.
import { enterSection } from "@/app/_trpc/server";
import { fromRunParam } from "./launch-settings";
import { LaunchForm } from "./launch-form";
import { RunsTable } from "./runs-table";

export default async function RunsPage({ searchParams }: { searchParams: Promise<{ from?: string | string[] }> }) {
  const section = await enterSection("runs");
  const source = fromRunParam((await searchParams).from);
  return (
    <>
      <h1>{section.label}</h1>
      {section.can["runs.launch"] && <LaunchForm key={source ?? "new"} from={source} />}
      <RunsTable />
    </>
  );
}
