// A model version's Synthetic data tab (/models/<versionId>/synthetic): engineers ask for a synthetic dataset sampled
// from an approved version; everyone who reads training follows the version's synthetic datasets; privacy officers set
// the organisation's validation thresholds.
import { notFound } from "next/navigation";
import { enterSection, serverCaller } from "@/app/_trpc/server";
import { versionOrNotFound } from "../version-or-not-found";
import { VersionHeader } from "../version-header";
import { SyntheticView } from "./synthetic-view";

export default async function SyntheticPage({ params }: { params: Promise<{ versionId: string }> }) {
  const section = await enterSection("models");
  const { versionId } = await params;
  const caller = await serverCaller();
  const [detail, jobs, thresholds] = await versionOrNotFound(() =>
    Promise.all([caller.models.get({ versionId }), caller.synthetic.ofModel({ versionId }), caller.synthetic.thresholds()]),
  );
  if (!detail.version.runId) notFound();
  const { family } = detail;
  return (
    <>
      <VersionHeader family={family} version={detail.version.version} versionId={versionId} title="synthetic data" can={section.can} current="synthetic" />
      <SyntheticView versionId={versionId} status={detail.version.status} task={detail.task} can={section.can} initial={jobs} thresholds={thresholds} />
    </>
  );
}
