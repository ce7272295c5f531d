// One model version's own page (/models/<versionId>): what it is, where it came from, the guarantee it carries, the
// runs that produced it, why it was withdrawn, the incidents touching it, approvals, leakage tests and exports; its
// tabs lead to the Red team tab.
import Link from "next/link";
import { when } from "@/app/_components/format";
import { enterSection, serverCaller } from "@/app/_trpc/server";
import { VersionTabs } from "./version-tabs";
import { VersionView } from "./version-view";
import { versionOrNotFound } from "./version-or-not-found";

const DECISION: Record<string, string> = {
  "model.approve": "approved",
  "model.deploy": "deployed",
  "model.withdraw": "withdrawn",
  "incident.withdraw_model": "withdrawn (an incident's containment)",
};

export default async function ModelVersionPage({ params }: { params: Promise<{ versionId: string }> }) {
  const section = await enterSection("models");
  const { versionId } = await params;
  const caller = await serverCaller();
  const [d, detail] = await versionOrNotFound(() => Promise.all([caller.disclosure.get({ versionId }), caller.models.get({ versionId })]));
  const cause = d.withdrawal?.incidentId ? d.incidents.find((i) => i.id === d.withdrawal!.incidentId) : undefined;
  return (
    <>
      <p className="muted">
        <Link href="/models">Models</Link> / {d.family}
      </p>
      <h1>
        {d.family} v{d.version.version}
      </h1>
      <VersionTabs versionId={d.version.id} fineTuned={detail.version.runId !== null} can={section.can} current="overview" />
      {d.withdrawal && (
        <section className="card" style={{ borderColor: "var(--danger)" }} data-testid="withdrawal" aria-label="Why it was withdrawn">
          <h2>Withdrawn {when(d.withdrawal.at)}</h2>
          <p>
            {d.withdrawal.reason ? <>Reason: {d.withdrawal.reason.replace(/\.?$/, ".")}</> : "No reason was recorded."}
            {d.withdrawal.incidentId && (
              <>
                {" "}
                Caused by incident <Link href={`/incidents/${d.withdrawal.incidentId}`}>{cause?.title ?? d.withdrawal.incidentId}</Link>
                {cause && ` (${cause.severity}, ${cause.status})`}.
              </>
            )}{" "}
            It can no longer be downloaded, deployed or fine-tuned; its provenance can still be exported, marked withdrawn (audit entry #
            {d.withdrawal.auditSeq}).
          </p>
        </section>
      )}
      <VersionView versionId={d.version.id} can={section.can} initial={detail} />
      <section className="card" data-testid="version-incidents">
        <h2>Incidents touching this version</h2>
        <p className="muted">Incidents linked to it, its ancestors, the datasets, data versions or runs it came from.</p>
        {d.incidents.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul>
            {d.incidents.map((i) => (
              <li key={i.id}>
                <Link href={`/incidents/${i.id}`}>{i.title}</Link> ({i.severity}, {i.status}), opened {when(i.openedAt)}
              </li>
            ))}
          </ul>
        )}
        <h2>Approval history</h2>
        {d.approvals.length === 0 ? (
          <p>Not yet approved.</p>
        ) : (
          <ul data-testid="approval-history">
            {d.approvals.map((a) => (
              <li key={a.seq}>
                {DECISION[a.action] ?? a.action} by {a.actorEmail} at {when(a.at)} (audit entry #{a.seq})
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
