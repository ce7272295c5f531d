// What the trainer's evaluation commands print, one JSON object a line, each validated here before it is written:
// `score` (the loss of each text under a model, for exposure and membership inference) and `generate` (greedy or
// sampled completions of prompts; greedy for extraction tests). Free of TensorFlow, so that the server can import it to read them.
//
// Input of both: JSON lines of {"text": ...} (other keys, such as subject_id, are ignored). A text is scored as the
// model sees a training record: end-of-text, its tokens, end-of-text, cut to context_length + 1 tokens.
//
// score: one `score` line per text, in input order, then `done`. generate: one `completion` line per prompt, in
// input order, then `done`. Either ends with a single `failed` line instead when it cannot finish (exit status 1).

import { z } from "zod";
import { BACKENDS } from "./protocol";

const index = z.number().int().min(0);
const count = z.number().int().min(0);
const digest = z.string().regex(/^[0-9a-f]{64}$/);

/** The model directory evaluated, by its digests (as readModelDir reports them). */
const modelDigests = z.strictObject({ weights_sha256: digest, config_sha256: digest, adapter_sha256: digest.nullable() });

const failed = z.strictObject({ type: z.literal("failed"), reason: z.string() });

/** What both commands' `done` lines end with: the model evaluated, its context, the backend and the time taken. */
const evaluated = z.strictObject({
  model: modelDigests,
  context_length: z.number().int().min(1),
  backend: z.enum(BACKENDS),
  seconds: z.number().min(0),
});
export type Evaluated = z.infer<typeof evaluated>;

export const scoreLineSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("score"),
    index, // the text's line among the input's non-blank lines, from 0
    loss: z.number(), // mean negative log-likelihood (nats) of the scored tokens
    tokens: z.number().int().min(1), // tokens scored: the text's bytes and the final end-of-text, as far as they fit
    truncated: z.boolean(), // true when the text did not fit the context (its tail was not scored)
  }),
  z.strictObject({
    type: z.literal("done"),
    texts: count,
    tokens: count,
    loss: z.number().nullable(), // mean over all scored tokens of all texts (null when there were none)
    ...evaluated.shape,
  }),
  failed,
]);
export type ScoreLine = z.infer<typeof scoreLineSchema>;

export const generateLineSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("completion"),
    index,
    completion: z.string(), // the generated tokens' text (bytes that do not form UTF-8 become U+FFFD)
    tokens: count, // tokens generated, the end-of-text token not counted
    stop: z.enum(["end_of_text", "max_tokens"]),
  }),
  z.strictObject({
    type: z.literal("done"),
    prompts: count,
    max_tokens: count,
    // greedy: the most likely next token at every step (the same model and prompt, the same text); sample: drawn
    // from softmax(logits / temperature), cut to the top_k most likely and to the smallest set of probability top_p
    // (null: no cut); the sampling keys are present only when sampled
    decoding: z.enum(["greedy", "sample"]),
    temperature: z.number().gt(0).optional(),
    top_k: z.number().int().min(1).nullable().optional(),
    top_p: z.number().gt(0).max(1).nullable().optional(),
    ...evaluated.shape,
  }),
  failed,
]);
export type GenerateLine = z.infer<typeof generateLineSchema>;

/** One line of `score` output: validated, as JSON with a newline. */
export const scoreLine = (line: ScoreLine): string => `${JSON.stringify(scoreLineSchema.parse(line))}\n`;
/** One line of `generate` output: validated, as JSON with a newline. */
export const generateLine = (line: GenerateLine): string => `${JSON.stringify(generateLineSchema.parse(line))}\n`;
