// A model version's Red team tab (/models/<versionId>/red-team), for privacy officers and auditors: run adversarial
// prompts against the version and read each exercise's evidence, masked.
import { forbidden, notFound } from "next/navigation";
import { enterSection, serverCaller } from "@/app/_trpc/server";
import { versionOrNotFound } from "../version-or-not-found";
import { VersionHeader } from "../version-header";
import { RedTeamView } from "./red-team-view";

export default async function RedTeamPage({ params }: { params: Promise<{ versionId: string }> }) {
  const section = await enterSection("models");
  if (!section.can["redTeam.list"]) forbidden();
  const { versionId } = await params;
  const caller = await serverCaller();
  const [detail, exercises] = await versionOrNotFound(() => Promise.all([caller.models.get({ versionId }), caller.redTeam.list({ versionId })]));
  if (!detail.version.runId) notFound();
  const { family } = detail;
  return (
    <>
      <VersionHeader family={family} version={detail.version.version} versionId={versionId} title="red team" can={section.can} current="red-team" />
      <RedTeamView versionId={versionId} can={section.can} initial={exercises} />
    </>
  );
}
