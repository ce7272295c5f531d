// The stored form of a red-team exercise's evidence (a red_team_exercises row's JSON), read back through these
// schemas: every prompt and output masked where the PII detector finds PII, with its findings; the unmasked pairs
// apart, for a privacy officer who reveals them.
import { z } from "zod";
import { entityTypeSchema } from "../datasets/ingest/pii";
import { ATTACK_SETS } from "./request";

export const promptSourceSchema = z.enum([...ATTACK_SETS, "own"]);
const piiCounts = z.partialRecord(entityTypeSchema, z.number().int().positive());

export const redTeamReportSchema = z.strictObject({
  /** The window of verbatim overlap, in characters (server/red-team/scan.ts). */
  verbatim_window: z.number().int().positive(),
  /** Training records the outputs were compared with (canaries aside). */
  training_records: z.number().int().nonnegative(),
  items: z.array(
    z.strictObject({
      source: promptSourceSchema,
      prompt: z.string(),
      output: z.string(),
      pii: piiCounts,
      verbatim_chars: z.number().int().nonnegative(),
      finding: z.boolean(),
    }),
  ),
  summary: z.strictObject({
    prompts: z.number().int().nonnegative(),
    findings: z.number().int().nonnegative(),
    with_pii: z.number().int().nonnegative(),
    verbatim: z.number().int().nonnegative(),
    pii_by_type: piiCounts,
  }),
  /** What the built-in sets could not do (e.g. no person names to fill the templates with). */
  notes: z.array(z.string()),
});
export type RedTeamReport = z.infer<typeof redTeamReportSchema>;

export const unmaskedSchema = z.array(z.strictObject({ prompt: z.string(), output: z.string() }));
export type Unmasked = z.infer<typeof unmaskedSchema>;
