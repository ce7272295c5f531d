// The guarantee a model version carries on one dataset lineage: the composed epsilon (rounded, exact on hover) and
// what it means in words, its own runs' epsilon beside it, the person-level figure, and the runs composed (linked).
import Link from "next/link";
import { EpsilonSentence } from "@/app/_components/epsilon-sentence";
import { FieldHelp } from "@/app/_components/field-help";
import { when } from "@/app/_components/format";
import { Num } from "@/app/_components/num";
import { personLevelBasis } from "@/app/_components/person-level";
import { SpendChart } from "@/app/_components/spend-chart";
import type { RouterOutputs } from "@/app/_trpc/types";

export type VersionGuarantee = RouterOutputs["models"]["get"]["guarantees"][number];

export function Guarantee({ guarantee: g }: { guarantee: VersionGuarantee }) {
  const own = g.runs.filter((r) => r.inChain);
  return (
    <div data-testid="guarantee">
      <p>
        On <Link href={`/datasets/${g.datasetId}`}>{g.datasetName}</Link> ({g.privacyUnit}-level): <strong>ε = <Num value={g.epsilon} /></strong>, δ ={" "}
        <Num value={g.delta} kind="delta" />: every run on this dataset launched before this version was registered ({g.runs.length}{" "}
        run{g.runs.length === 1 ? "" : "s"}, composed; adding their epsilons would say ε = <Num value={g.naiveEpsilonSum} />), since the choice of this version
        among them is part of the release.
      </p>
      {g.viaSyntheticOf.length > 0 && (
        <p data-testid="via-synthetic">
          Through synthetic data sampled from{" "}
          {g.viaSyntheticOf.map((id, i) => (
            <span key={id}>
              {i > 0 && ", "}
              <Link href={`/models/${id}`}>model version {id.slice(0, 8)}</Link>
            </span>
          ))}
          : post-processing of {g.viaSyntheticOf.length === 1 ? "that model" : "those models"}, whose runs on this dataset are the ones composed here.
        </p>
      )}
      <EpsilonSentence epsilon={g.epsilon} delta={g.delta} unit={g.privacyUnit} />
      <FieldHelp field="epsilon" />
      <p className="muted" data-testid="own-epsilon">
        This version&apos;s own run{own.length > 1 ? "s (with its ancestors')" : ""} alone: ε = <Num value={g.ownEpsilon} />. Not a guarantee on its own when
        the version was chosen among other runs.
      </p>
      {g.personLevel && (
        <p className="muted">
          Person-level (group privacy, {personLevelBasis(g)}): ε = <Num value={g.personLevel.epsilon} />, δ ={" "}
          <Num value={g.personLevel.delta} kind="delta" />
        </p>
      )}
      <div className="scroll-x">
        <table data-testid="guarantee-runs">
          <caption>Runs composed into this guarantee</caption>
          <thead>
            <tr>
              <th>Run</th>
              <th>Role</th>
              <th>Status</th>
              <th>Launched</th>
              <th>ε alone</th>
              <th>ε composed so far</th>
            </tr>
          </thead>
          <tbody>
            {g.runs.map((r) => (
              <tr key={r.runId}>
                <td>
                  <Link href={`/runs/${r.runId}`}>run {r.runId.slice(0, 8)}</Link>
                </td>
                <td>{r.inChain ? "produced this version (or an ancestor)" : "chosen among"}</td>
                <td>{r.status}</td>
                <td>{when(r.createdAt)}</td>
                <td>
                  <Num value={r.epsilonAlone} />
                </td>
                <td>
                  <Num value={r.cumulativeEpsilon} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SpendChart runs={g.runs} limit={g.epsilon} label={`Composed ε of this version on ${g.datasetName}`} />
    </div>
  );
}
