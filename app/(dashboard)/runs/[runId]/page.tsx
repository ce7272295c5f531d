// One run, live: progress, the epsilon the server charges, and the trainer's diagnostics.
import { enterSection } from "@/app/_trpc/server";
import { RunDetail } from "./run-detail";

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const section = await enterSection("runs");
  const { runId } = await params;
  return <RunDetail runId={runId} can={section.can} userId={section.userId} />;
}
