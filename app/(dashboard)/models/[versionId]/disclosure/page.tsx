// The disclosure report of a model version: what an auditor asks about its training, on one printable page. It is
// meant to leave the organisation, so it shows nothing computed from private data that the accountant does not cover:
// counts only as DP counts charged to the lineage's budget, k as the stated bound, batch sizes only as run settings;
// of the leakage tests, the figures computed from the model and synthetic canaries only.
import Link from "next/link";
import { when } from "@/app/_components/format";
import { Num } from "@/app/_components/num";
import { personLevelBasis } from "@/app/_components/person-level";
import { enterSection, serverCaller } from "@/app/_trpc/server";
import { versionOrNotFound } from "../version-or-not-found";
import { LeakageTests } from "./leakage-tests";
import { ReleaseCounts } from "./release-counts";
import { LORA_TARGETS } from "@/trainer/contract/model-config";

export default async function DisclosurePage({ params }: { params: Promise<{ versionId: string }> }) {
  const section = await enterSection("models");
  const { versionId } = await params;
  const caller = await serverCaller();
  const d = await versionOrNotFound(() => caller.disclosure.get({ versionId }));
  return (
    <article className="disclosure">
      <h1>
        Disclosure report: <Link href={`/models/${d.version.id}`}>{d.family} v{d.version.version}</Link>
      </h1>
      <p>
        Status <strong>{d.version.status}</strong> · weights SHA-256 <span className="mono">{d.version.weightsDigest}</span> · code version{" "}
        <span className="mono">{d.codeVersion ?? "unknown"}</span> · generated {when(new Date().toISOString())}
      </p>
      <p>
        Base model:{" "}
        {d.base ? (
          <>
            <span className="mono">{d.base.weightsDigest.slice(0, 16)}…</span>, pretrained on {String((d.base.provenance.corpus as { package?: string } | undefined)?.package ?? "a public corpus")}, without
            personal data
          </>
        ) : (
          "none"
        )}
      </p>
      {d.lineages.length === 0 && <p>This version was trained on no dataset of ours: it spends no privacy budget.</p>}
      {d.lineages.map((l) => (
        <section key={l.datasetId} className="card" data-testid="disclosure-lineage">
          <h2>Dataset {l.datasetName}</h2>
          <table>
            <tbody>
              <tr>
                <th>Unit of privacy</th>
                <td>{l.privacyUnit === "subject" ? "a person (subject): all of one person's records" : "one record"}</td>
              </tr>
              <tr>
                <th>Guarantee ({l.privacyUnit}-level)</th>
                <td>
                  ε = <Num value={l.epsilon} />, δ = <Num value={l.delta} kind="delta" />: every run on this dataset launched before this version was registered, and its own
                  ({l.runs.length} run(s), composed; adding their epsilons would say ε = <Num value={l.naiveEpsilonSum} />). Choosing this version among
                  them is covered.
                </td>
              </tr>
              <tr>
                <th>Its own runs alone</th>
                <td>ε = <Num value={l.ownEpsilon} /> (not a guarantee on its own when the version was chosen among other runs)</td>
              </tr>
              {l.personLevel && (
                <tr>
                  <th>Person-level (group privacy{l.partiesPerPerson ? `, ${personLevelBasis(l)}` : ""})</th>
                  <td>
                    ε = <Num value={l.personLevel.epsilon} />, δ = <Num value={l.personLevel.delta} kind="delta" />
                  </td>
                </tr>
              )}
              <tr>
                <th>Accountant</th>
                <td>{d.accountant}</td>
              </tr>
              <tr>
                <th>Adjacency</th>
                <td>{l.adjacency}</td>
              </tr>
              <tr>
                <th>Sampling</th>
                <td>Poisson sampling of {l.privacyUnit}s, each included independently at every step</td>
              </tr>
            </tbody>
          </table>
          <h3>Runs</h3>
          <table>
            <thead>
              <tr>
                <th>Run</th>
                <th>Made this version</th>
                <th>Steps</th>
                <th>Sampling rate</th>
                <th>Expected batch (setting)</th>
                <th>Noise multiplier</th>
                <th>Clip norm</th>
                <th>Records per subject</th>
                <th>Fine-tuning</th>
              </tr>
            </thead>
            <tbody>
              {l.runs.map((r) => (
                <tr key={r.runId}>
                  <td className="mono">
                    <Link href={`/runs/${r.runId}`}>{r.runId.slice(0, 8)}</Link>
                  </td>
                  <td>{r.inChain ? "yes" : "no: chosen among"}</td>
                  <td>{r.stepsCharged}</td>
                  <td>{r.samplingRate.toPrecision(3)}</td>
                  <td>{r.expectedBatchSize ?? "–"}</td>
                  <td>{r.noiseMultiplier.toFixed(3)}</td>
                  <td>{r.clipNorm}</td>
                  <td>{l.privacyUnit === "subject" ? r.recordsPerSubject : "–"}</td>
                  <td>{r.fineTuning.method === "lora" ? `LoRA rank ${r.fineTuning.rank} on ${(r.fineTuning.targets ?? LORA_TARGETS).join(", ")}` : "full"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Data</h3>
          <ul>
            {l.datasetVersions.map((v) => (
              <li key={v.id} data-testid="disclosure-data-version">
                version {v.version}: SHA-256 <span className="mono">{v.contentDigest.slice(0, 16)}…</span>; minimised:{" "}
                {v.minimisation
                  ? [...Object.entries(v.minimisation.entities).map(([t, a]) => `${t} ${a}`), ...Object.entries(v.minimisation.fields).map(([f, a]) => `field ${f} ${a}`)].join(", ")
                  : "no (the upload as received)"}
                <br />
                Counts:{" "}
                {v.dpCounts ? (
                  <span data-testid="dp-counts">
                    about {v.dpCounts.recordCount} records
                    {v.dpCounts.recordsCountedUpTo !== null && ` (each person's counted up to ${v.dpCounts.recordsCountedUpTo})`} and about {v.dpCounts.subjectCount}{" "}
                    subjects: DP counts, charged to the lineage's budget (Gaussian noise, noise multiplier σ = {v.dpCounts.noiseMultiplier}, standard deviation{" "}
                    {v.dpCounts.recordNoiseStd} on records and {v.dpCounts.subjectNoiseStd} on subjects; released {when(v.dpCounts.releasedAt)})
                  </span>
                ) : (
                  <>
                    <span data-testid="dp-counts-not-released">not released</span>
                    {section.can["budgets.releaseCounts"] && <ReleaseCounts datasetVersionId={v.id} />}
                  </>
                )}
                <br />
                Records per person: at most k = {v.recordsPerPersonBound}, a bound stated by the privacy officer (not an observed figure)
              </li>
            ))}
          </ul>
        </section>
      ))}
      <section className="card">
        <h2>Leakage tests</h2>
        <LeakageTests evidence={d.leakage} />
        {d.withdrawal && (
          <>
            <h2>Withdrawal</h2>
            <p data-testid="disclosure-withdrawal">
              Withdrawn {when(d.withdrawal.at)} (audit entry #{d.withdrawal.auditSeq}): {d.withdrawal.reason ?? "no reason recorded"}
              {d.withdrawal.incidentId && `; caused by incident ${d.incidents.find((i) => i.id === d.withdrawal!.incidentId)?.title ?? d.withdrawal.incidentId}`}.
            </p>
          </>
        )}
        <h2>Approvals</h2>
        <ul>
          {d.approvals.map((a) => (
            <li key={a.seq}>
              {a.action} by {a.actorEmail} at {when(a.at)} (audit entry #{a.seq})
            </li>
          ))}
          {d.approvals.length === 0 && <li>none</li>}
        </ul>
        <h2>Incidents</h2>
        <ul>
          {d.incidents.map((i) => (
            <li key={i.id}>
              <Link href={`/incidents/${i.id}`}>{i.title}</Link> ({i.severity}, {i.status}), opened {when(i.openedAt)}
            </li>
          ))}
          {d.incidents.length === 0 && <li>none</li>}
        </ul>
      </section>
    </article>
  );
}
