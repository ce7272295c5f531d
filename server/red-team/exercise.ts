// Carries out one red-team exercise: the prompts (the requester's own, then the built-in sets' from the training
// records), the model's outputs, and each output's findings (new PII, verbatim overlap with training records); the
// evidence report masks every prompt and output, and the unmasked pairs are returned apart.
import type { EntityType } from "../datasets/ingest/pii";
import { maskEntities } from "../datasets/ingest/pii";
import { builtInPrompts, type AttackPrompt } from "./attack-sets";
import type { RedTeamRequest } from "./request";
import type { RedTeamReport, Unmasked } from "./report";
import { VERBATIM_WINDOW, VerbatimIndex, isFinding, newPii } from "./scan";

export interface ExerciseModel {
  /** The model's completions of the prompts, in order, as the request's decoding settings say. */
  generate(prompts: readonly string[], maxTokens: number, decoding: RedTeamRequest["decoding"]): Promise<string[]>;
  /** The version's training records' texts (canaries aside), streamed afresh at each call. */
  trainingTexts(): AsyncIterable<string>;
}

export async function carryOutExercise(request: RedTeamRequest, model: ExerciseModel): Promise<{ report: RedTeamReport; unmasked: Unmasked }> {
  const own: AttackPrompt[] = request.prompts.map((prompt) => ({ source: "own", prompt }));
  const builtIn = await builtInPrompts(request.attack_sets, model.trainingTexts());
  const notes: string[] = [];
  if (request.attack_sets.includes("templates") && !builtIn.some((p) => p.source === "templates")) {
    notes.push("The PII detector found no person names in the training records: the template attacks had no one to ask about.");
  }
  if (request.attack_sets.includes("training_prefixes") && !builtIn.some((p) => p.source === "training_prefixes")) {
    notes.push("The version's run has no training records to take prefixes from.");
  }
  const prompts = [...own, ...builtIn];
  const outputs = prompts.length ? await model.generate(prompts.map((p) => p.prompt), request.max_tokens, request.decoding) : [];

  const index = new VerbatimIndex(outputs);
  let trainingRecords = 0;
  for await (const text of model.trainingTexts()) {
    index.add(text);
    trainingRecords += 1;
  }

  const piiByType: Partial<Record<EntityType, number>> = {};
  const items = prompts.map(({ source, prompt }, k) => {
    const output = outputs[k] ?? "";
    const findings = { pii: newPii(prompt, output), verbatim_chars: index.longest(k) };
    for (const [type, n] of Object.entries(findings.pii) as [EntityType, number][]) piiByType[type] = (piiByType[type] ?? 0) + n;
    return { source, prompt: maskEntities(prompt), output: maskEntities(output), ...findings, finding: isFinding(findings) };
  });
  const report: RedTeamReport = {
    verbatim_window: VERBATIM_WINDOW,
    training_records: trainingRecords,
    items,
    summary: {
      prompts: items.length,
      findings: items.filter((i) => i.finding).length,
      with_pii: items.filter((i) => Object.keys(i.pii).length > 0).length,
      verbatim: items.filter((i) => i.verbatim_chars >= VERBATIM_WINDOW).length,
      pii_by_type: piiByType,
    },
    notes,
  };
  return { report, unmasked: prompts.map((p, k) => ({ prompt: p.prompt, output: outputs[k] ?? "" })) };
}
