"use client";
// The Red team tab's content: a form for an exercise (own prompts, built-in attack sets, decoding settings) and every
// exercise of the version, newest first, with its settings, its findings and each prompt and output masked; privacy
// officers reveal an exercise's unmasked outputs (audited) and open an incident from its findings.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { ConfirmButton } from "@/app/_components/confirm-button";
import { ErrorMessage } from "@/app/_components/error-message";
import { FormProblems, problemsOf } from "@/app/_components/form-problems";
import { formData, when } from "@/app/_components/format";
import { InternalBadge } from "@/app/_components/internal-badge";
import { SamplingFields, sampledDecoding } from "@/app/_components/sampling-fields";
import { useTRPC } from "@/app/_trpc/client";
import type { Can, RouterOutputs } from "@/app/_trpc/types";
import { MAX_OUTPUT_TOKENS, MAX_OWN_PROMPTS, MAX_PROMPT_CHARS, redTeamRequestSchema, type AttackSet } from "@/server/red-team/request";

type Exercise = RouterOutputs["redTeam"]["list"][number];

const ATTACK_SETS: readonly { id: AttackSet; label: string; help: string }[] = [
  { id: "training_prefixes", label: "Prefixes of training records", help: "the start of sampled training records, cut before their first PII other than a name" },
  { id: "divergence", label: "Repeat-after-me and divergence", help: "\"repeat this word forever\", \"print your training data\" and the like" },
  { id: "templates", label: "Templates about people", help: "\"The email address of {name} is\", … for names found in the training records" },
];

type Item = NonNullable<Exercise["report"]>["items"][number];

const SOURCE: Record<Item["source"], string> = {
  own: "own prompt",
  training_prefixes: "training prefix",
  divergence: "divergence",
  templates: "template",
};

const STATUS = { queued: "queued for the job runner…", running: "running…", done: "done", failed: "failed" } as const;

function settings(request: Exercise["request"]): string {
  const sets = request.attack_sets.map((s) => ATTACK_SETS.find((a) => a.id === s)!.label.toLowerCase());
  const decoding =
    request.decoding.kind === "greedy"
      ? "greedy decoding"
      : `sampled at temperature ${request.decoding.temperature}${request.decoding.top_k ? `, top-k ${request.decoding.top_k}` : ""}${request.decoding.top_p ? `, top-p ${request.decoding.top_p}` : ""}`;
  const own = request.prompts.length ? [`${request.prompts.length} own prompt${request.prompts.length === 1 ? "" : "s"}`] : [];
  return `${[...own, ...sets].join(", ")}; up to ${request.max_tokens} tokens per output, ${decoding}`;
}

function findingsOf(item: Item, window: number): string {
  const pii = Object.entries(item.pii).map(([type, n]) => `${type} ×${n}`);
  const verbatim = item.verbatim_chars >= window ? [`${item.verbatim_chars} characters verbatim from training records`] : [];
  return [...pii, ...verbatim].join("; ") || "none";
}

function ExerciseCard({ exercise, can }: { exercise: Exercise; can: Can }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reveal = useMutation(trpc.redTeam.reveal.mutationOptions());
  const openIncident = useMutation(trpc.redTeam.openIncident.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.redTeam.pathKey() }) }));
  const { report } = exercise;
  const unmasked = reveal.data;
  return (
    <section className="card" data-testid="red-team-exercise" aria-label={`Exercise of ${when(exercise.requestedAt)}`}>
      <h3>
        Exercise of {when(exercise.requestedAt)} by {exercise.requestedBy} ·{" "}
        <span className="badge" data-testid="exercise-status">
          {STATUS[exercise.status]}
        </span>
      </h3>
      <p className="muted" data-testid="exercise-settings">
        {settings(exercise.request)}
      </p>
      {exercise.status === "failed" && <p className="error">It could not be carried out: {exercise.error}</p>}
      {report && (
        <>
          <p data-testid="exercise-findings">
            <strong>{exercise.findings}</strong> Compared with {report.training_records.toLocaleString("en")} training records.
            <InternalBadge />
          </p>
          {report.notes.map((n) => (
            <p key={n} className="muted">
              {n}
            </p>
          ))}
          <div className="inline">
            {exercise.incidentId ? (
              <Link href={`/incidents/${exercise.incidentId}`}>Incident opened from these findings</Link>
            ) : (
              can["redTeam.openIncident"] &&
              report.summary.findings > 0 && (
                <ConfirmButton question="Open a high-severity incident on this version from these findings?" confirmLabel="Yes, open it" onConfirm={() => openIncident.mutate({ exerciseId: exercise.id })}>
                  Open an incident
                </ConfirmButton>
              )
            )}
            {can["redTeam.reveal"] && !unmasked && (
              <ConfirmButton
                className="secondary"
                question="Show the prompts and outputs unmasked? The reveal is written to the audit log."
                confirmLabel="Yes, reveal"
                onConfirm={() => reveal.mutate({ exerciseId: exercise.id })}
              >
                Reveal unmasked
              </ConfirmButton>
            )}
          </div>
          <ErrorMessage error={openIncident.error ?? reveal.error} />
          <div className="scroll-x">
            <table data-testid="exercise-items">
              <thead>
                <tr>
                  <th>Attack</th>
                  <th>Prompt{unmasked ? " (unmasked)" : " (PII masked)"}</th>
                  <th>Output{unmasked ? " (unmasked)" : " (PII masked)"}</th>
                  <th>Findings</th>
                </tr>
              </thead>
              <tbody>
                {report.items.map((item, i) => (
                  <tr key={i} className={item.finding ? "finding" : undefined}>
                    <td>{SOURCE[item.source]}</td>
                    <td className="mono">{unmasked?.[i]?.prompt ?? item.prompt}</td>
                    <td className="mono">{unmasked?.[i]?.output ?? item.output}</td>
                    <td>{findingsOf(item, report.verbatim_window)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

export function RedTeamView({ versionId, can, initial }: { versionId: string; can: Can; initial: Exercise[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const exercises = useQuery({
    ...trpc.redTeam.list.queryOptions({ versionId }),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.some((e) => e.status === "queued" || e.status === "running") ? 2000 : false),
  });
  const run = useMutation(trpc.redTeam.run.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.redTeam.pathKey() }) }));
  const [sampled, setSampled] = useState(false);
  /** What the form's own check of the request found (the server's schema, checked before anything is sent). */
  const [invalid, setInvalid] = useState<string[]>([]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    const form = new FormData(event.currentTarget);
    const checked = redTeamRequestSchema.safeParse({
      attack_sets: ATTACK_SETS.filter((a) => form.get(a.id) === "on").map((a) => a.id),
      prompts: get("prompts")
        .split("\n")
        .map((p) => p.trim())
        .filter((p) => p !== ""),
      max_tokens: Number(get("maxTokens")),
      decoding: sampled ? sampledDecoding(get) : { kind: "greedy" },
    });
    setInvalid(problemsOf(checked));
    if (checked.success) run.mutate({ versionId, request: checked.data });
  }

  return (
    <>
      <section className="card" data-testid="red-team-form">
        <h2>Run an exercise</h2>
        <p className="muted">
          The job runner prompts this version with your prompts and the attack sets you choose, then scans every output for personal data the prompt did
          not hold and for text copied verbatim from the training records. Prompts and outputs are shown with their PII masked; a privacy officer may reveal
          them, which the audit log records.
        </p>
        <form onSubmit={onSubmit} aria-label="Red-team exercise">
          <fieldset>
            <legend>Built-in attack sets</legend>
            {ATTACK_SETS.map((a) => (
              <label key={a.id} className="check">
                <input type="checkbox" name={a.id} defaultChecked={a.id !== "training_prefixes"} />
                {a.label} <span className="muted">({a.help})</span>
              </label>
            ))}
          </fieldset>
          <label>
            Your prompts, one per line (at most {MAX_OWN_PROMPTS}, of {MAX_PROMPT_CHARS} characters each)
            <textarea name="prompts" rows={5} placeholder="Repeat after me: …" />
          </label>
          <div className="inline">
            <label>
              Tokens per output (at most {MAX_OUTPUT_TOKENS})
              <input name="maxTokens" defaultValue={64} inputMode="numeric" />
            </label>
            <label className="check">
              <input type="checkbox" name="sampled" checked={sampled} onChange={(e) => setSampled(e.target.checked)} />
              Sample instead of greedy decoding
            </label>
            {sampled && <SamplingFields />}
            <button type="submit" disabled={run.isPending}>
              Run exercise
            </button>
          </div>
          <FormProblems problems={invalid} error={run.error} />
        </form>
      </section>
      {exercises.data.length === 0 ? <p className="muted">No exercise has been run against this version yet.</p> : exercises.data.map((e) => <ExerciseCard key={e.id} exercise={e} can={can} />)}
    </>
  );
}
