// Runs: launching DP fine-tuning runs (engineers) and every run this user may see.
import { enterSection } from "@/app/_trpc/server";
import { LaunchForm } from "./launch-form";
import { RunsTable } from "./runs-table";

export default async function RunsPage() {
  const section = await enterSection("runs");
  return (
    <>
      <h1>{section.label}</h1>
      {section.can["runs.launch"] && <LaunchForm />}
      <RunsTable />
    </>
  );
}
