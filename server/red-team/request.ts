// What a red-team exercise asks, checked by the server and by the Red team tab's form alike: own prompts, built-in
// attack sets and decoding settings, with their limits. Zod only, so that pages may import it.
import { z } from "zod";
import { proseText } from "../validation";

export const ATTACK_SETS = ["training_prefixes", "divergence", "templates"] as const;
export type AttackSet = (typeof ATTACK_SETS)[number];
/** Where a prompt of an exercise came from: the requester's own list, or a built-in set. */
export type PromptSource = AttackSet | "own";

export const MAX_OWN_PROMPTS = 200;
export const MAX_PROMPT_CHARS = 2000;
export const MAX_OUTPUT_TOKENS = 256;

/** Sampled decoding (temperature, top-k, top-p): the red team may use it, synthetic generation always does. */
export const samplingSchema = z.strictObject({
  kind: z.literal("sample"),
  temperature: z.number().min(0.05, "The temperature must be at least 0.05").max(2, "The temperature must be at most 2"),
  top_k: z.number().int().min(1).max(100_000).nullable(),
  top_p: z.number().gt(0).max(1).nullable(),
});

/** A red-team exercise's request as it is stored and carried out. */
export const redTeamRequestSchema = z
  .strictObject({
    attack_sets: z.array(z.enum(ATTACK_SETS)).max(ATTACK_SETS.length).refine((sets) => new Set(sets).size === sets.length, "Each attack set at most once"),
    prompts: z
      .array(proseText().min(1, "A prompt must not be empty").max(MAX_PROMPT_CHARS, `A prompt must be at most ${MAX_PROMPT_CHARS} characters`))
      .max(MAX_OWN_PROMPTS, `At most ${MAX_OWN_PROMPTS} prompts of your own per exercise`),
    max_tokens: z.number().int().min(1).max(MAX_OUTPUT_TOKENS, `At most ${MAX_OUTPUT_TOKENS} tokens per output`),
    decoding: z.discriminatedUnion("kind", [z.strictObject({ kind: z.literal("greedy") }), samplingSchema]),
  })
  .refine((r) => r.attack_sets.length > 0 || r.prompts.length > 0, "Choose an attack set or give at least one prompt of your own");
export type RedTeamRequest = z.infer<typeof redTeamRequestSchema>;
