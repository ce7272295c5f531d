// What a synthetic-data generation asks, checked by the server and by the form alike: the new dataset's name, how many
// records, a prompt template (with {label} filled by each label in turn) or prompts of one's own, and sampled decoding.
// Zod only, so that pages may import it.
import { z } from "zod";
import { MAX_OUTPUT_TOKENS, samplingSchema } from "../red-team/request";
import { lineText, proseText } from "../validation";

/** The most records one generation makes. */
export const MAX_SYNTHETIC_RECORDS = 10_000;
export const MAX_SYNTHETIC_PROMPTS = 200;
/** The slot of a template that each label fills. */
export const LABEL_SLOT = "{label}";

const label = lineText().min(1, "A label must not be empty").max(40, "A label must be at most 40 characters");

export const syntheticRequestSchema = z
  .strictObject({
    /** The new dataset (a lineage of its own) the synthetic version goes into. */
    dataset_name: lineText().min(1, "Name the synthetic dataset").max(200),
    records: z
      .number()
      .int("The number of records must be a whole number")
      .min(1, "Ask for at least one record")
      .max(MAX_SYNTHETIC_RECORDS, `At most ${MAX_SYNTHETIC_RECORDS.toLocaleString("en")} records per synthetic version`),
    /** The prompt of every record; {label} is replaced by the record's label. Empty when prompts are given instead. */
    template: proseText().max(2000, "The template must be at most 2000 characters"),
    /** Prompts of one's own, used in turn (records without a label). */
    prompts: z
      .array(proseText().min(1, "A prompt must not be empty").max(2000, "A prompt must be at most 2000 characters"))
      .max(MAX_SYNTHETIC_PROMPTS, `At most ${MAX_SYNTHETIC_PROMPTS} prompts`),
    /** The labels a template's {label} takes, in turn (an equal share of records each). */
    labels: z.array(label).max(20, "At most 20 labels").refine((l) => new Set(l).size === l.length, "Each label at most once"),
    /** The field of each record that holds its label. */
    label_field: lineText().min(1, "Name the label field").max(100).regex(/^(?!text$)/, 'The label field cannot be named "text"'),
    max_tokens: z.number().int().min(1, "At least one token per record").max(MAX_OUTPUT_TOKENS, `At most ${MAX_OUTPUT_TOKENS} tokens per record`),
    decoding: samplingSchema,
  })
  .superRefine((r, ctx) => {
    const hasTemplate = r.template.trim() !== "";
    if (!hasTemplate && r.prompts.length === 0) ctx.addIssue({ code: "custom", path: ["template"], message: "Give a template or at least one prompt: the template is empty" });
    if (hasTemplate && r.prompts.length > 0) ctx.addIssue({ code: "custom", path: ["prompts"], message: "Give a template or prompts, not both" });
    if (r.template.includes(LABEL_SLOT) && r.labels.length === 0) ctx.addIssue({ code: "custom", path: ["labels"], message: `The template has ${LABEL_SLOT}: give the labels it takes` });
    if (hasTemplate && !r.template.includes(LABEL_SLOT) && r.labels.length > 0) ctx.addIssue({ code: "custom", path: ["template"], message: `Labels need ${LABEL_SLOT} in the template` });
  });
export type SyntheticRequest = z.infer<typeof syntheticRequestSchema>;

/** One record to generate: its prompt, and its label when the template has one. */
export interface PlannedRecord {
  prompt: string;
  label: string | null;
}

/** The records a request makes, in order: the template filled with each label in turn, or the prompts in turn. */
export function plannedRecords(request: SyntheticRequest): PlannedRecord[] {
  return Array.from({ length: request.records }, (_, i) => {
    if (request.prompts.length > 0) return { prompt: request.prompts[i % request.prompts.length]!, label: null };
    if (request.labels.length === 0) return { prompt: request.template, label: null };
    const label = request.labels[i % request.labels.length]!;
    return { prompt: request.template.split(LABEL_SLOT).join(label), label };
  });
}
