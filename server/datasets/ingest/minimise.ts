// Data minimisation: applies a plan (redact, mask or drop entity types and fields) to a stored dataset version,
// streaming it into a new version file with its own PII report.
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { z } from "zod";
import { ENTITY_TYPES, entityTypeSchema, findEntities, maskEntities, maskEntity, type EntitySpan, type EntityType } from "./pii";
import { TEXT_FIELD, readRecords, type NormalisedRecord } from "./records";
import { openVersionWriter, versionSummarySchema } from "./version-file";

export const entityActionSchema = z.enum(["redact", "mask", "drop_record"]);
export const fieldActionSchema = z.enum(["drop", "mask", "redact"]);

/**
 * What to do with each entity type and each field ("text" is the text); stored with the version it created.
 * An action on a field takes precedence over entity actions inside that field.
 */
export const minimisationPlanSchema = z
  .strictObject({
    entities: z.partialRecord(entityTypeSchema, entityActionSchema).default({}),
    fields: z.record(z.string().min(1), fieldActionSchema).default({}),
    /** The subject id is always kept: the privacy accountant needs it. */
    subject: z.literal("keep").default("keep"),
  })
  .refine((plan) => plan.fields[TEXT_FIELD] !== "drop", { message: "the text field cannot be dropped", path: ["fields", TEXT_FIELD] })
  .refine((plan) => Object.keys(plan.entities).length + Object.keys(plan.fields).length > 0, { message: "the plan has no action" });
export type MinimisationPlan = z.output<typeof minimisationPlanSchema>;
export type MinimisationPlanInput = z.input<typeof minimisationPlanSchema>;

const count = z.number().int().nonnegative();
export const minimisationChangesSchema = z.strictObject({
  /** Occurrences redacted or masked, and records dropped because they held the type (a record may count under several). */
  byType: z.partialRecord(entityTypeSchema, z.strictObject({ redacted: count, masked: count, recordsDropped: count })),
  /** Values dropped, masked or redacted by a field action, per field. */
  byField: z.record(z.string(), z.strictObject({ dropped: count, masked: count, redacted: count })),
});
export type MinimisationChanges = z.infer<typeof minimisationChangesSchema>;

export const minimisationSummarySchema = versionSummarySchema.extend({
  /** Records left out of the new version. */
  dropped: count,
  changes: minimisationChangesSchema,
});
export type MinimisationSummary = z.infer<typeof minimisationSummarySchema>;

/** A plan that cannot be applied: the engineer's to fix, not a fault of the server. */
export class MinimisationError extends Error {
  override readonly name = "MinimisationError";
}

/** "[EMAIL]", "[CREDIT_CARD]", … */
export function placeholder(type: EntityType): string {
  return `[${type.toUpperCase()}]`;
}

export const REDACTED_VALUE = "[REDACTED]";

function replaceSpans(value: string, spans: EntitySpan[], replace: (span: EntitySpan) => string | null): string {
  let out = "";
  let at = 0;
  for (const span of spans) {
    const replacement = replace(span);
    if (replacement === null) continue;
    out += value.slice(at, span.start) + replacement;
    at = span.end;
  }
  return out + value.slice(at);
}

/** Masks every entity in the value, or when there is none the whole value but its first character. */
export function maskValue(value: string): string {
  const spans = findEntities(value);
  if (spans.length > 0) return maskEntities(value, spans);
  const chars = Array.from(value);
  return chars.length <= 1 ? "*" : `${chars[0]}${"*".repeat(chars.length - 1)}`;
}

function planApplier(plan: MinimisationPlan) {
  const changes: MinimisationChanges = { byType: {}, byField: {} };
  const typeChanges = (type: EntityType) => (changes.byType[type] ??= { redacted: 0, masked: 0, recordsDropped: 0 });
  const fieldChanges = (name: string) => (changes.byField[name] ??= { dropped: 0, masked: 0, redacted: 0 });
  /** What the version holds: its fields, and the entity types found in any of them. */
  const seen = { fields: new Set<string>(), types: new Set<EntityType>() };

  /** The record as the plan leaves it, or null when the plan drops it. */
  function apply(record: NormalisedRecord): NormalisedRecord | null {
    const kept: [string, string][] = [];
    const scanned: { name: string; value: string; spans: EntitySpan[] }[] = [];
    for (const [name, value] of [[TEXT_FIELD, record.text], ...Object.entries(record.fields)] as [string, string][]) {
      const action = plan.fields[name];
      const spans = findEntities(value);
      seen.fields.add(name);
      for (const span of spans) seen.types.add(span.type);
      if (action === undefined) {
        scanned.push({ name, value, spans });
      } else if (action === "drop") {
        fieldChanges(name).dropped += 1;
      } else {
        fieldChanges(name)[action === "redact" ? "redacted" : "masked"] += 1;
        kept.push([name, action === "redact" ? REDACTED_VALUE : maskValue(value)]);
      }
    }
    const dropTypes = new Set(
      scanned.flatMap(({ spans }) => spans.map((span) => span.type)).filter((type) => plan.entities[type] === "drop_record"),
    );
    if (dropTypes.size > 0) {
      for (const type of dropTypes) typeChanges(type).recordsDropped += 1;
      return null;
    }
    for (const { name, value, spans } of scanned) {
      const minimised = replaceSpans(value, spans, (span) => {
        const action = plan.entities[span.type];
        if (action === "redact") typeChanges(span.type).redacted += 1;
        if (action === "mask") typeChanges(span.type).masked += 1;
        return action === "redact" ? placeholder(span.type) : action === "mask" ? maskEntity(span.type, span.value) : null;
      });
      kept.push([name, minimised]);
    }
    const values = new Map(kept);
    const text = values.get(TEXT_FIELD) ?? record.text;
    values.delete(TEXT_FIELD);
    return { text, subject: record.subject, fields: Object.fromEntries(values) };
  }

  /** Why the plan does not fit the version it was applied to (a field or entity type it does not hold), or null. */
  function misfit(): string | null {
    const fields = Object.keys(plan.fields).filter((name) => !seen.fields.has(name));
    const types = (Object.keys(plan.entities) as EntityType[]).filter((type) => !seen.types.has(type));
    const named = (what: string, names: string[]) => `${what}${names.length > 1 ? "s" : ""} ${names.map((n) => JSON.stringify(n)).join(", ")}`;
    const parts = [
      ...(fields.length ? [`${named("field", fields)}, which this version does not have`] : []),
      ...(types.length ? [`${named("entity type", types)}, which this version does not hold`] : []),
    ];
    return parts.length ? `the plan names ${parts.join(", and ")}` : null;
  }

  return { apply, changes, misfit };
}

/**
 * Streams the normalised JSONL at `sourcePath` through `plan` into a new version file at `destination` (temp file
 * then rename; nothing is left on failure). Throws MinimisationError for a plan that is invalid, names a field or an
 * entity type the version does not hold, or would drop every record. sourceDigest is the SHA-256 of the source file as read: the parent's contentDigest unless it was altered.
 */
export async function minimiseDataset(options: {
  sourcePath: string;
  destination: string;
  plan: MinimisationPlanInput;
}): Promise<MinimisationSummary> {
  const parsed = minimisationPlanSchema.safeParse(options.plan);
  if (!parsed.success) throw new MinimisationError(parsed.error.issues.map((issue) => issue.message).join("; "));
  if (resolve(options.sourcePath) === resolve(options.destination)) {
    throw new MinimisationError("the new version must be written to a new file");
  }
  const { apply, changes, misfit } = planApplier(parsed.data);
  const hash = createHash("sha256");
  let bytes = 0;
  let dropped = 0;
  let written = 0;
  const writer = await openVersionWriter(options.destination);
  try {
    for await (const record of readRecords(options.sourcePath, (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
    })) {
      const minimised = apply(record);
      if (minimised === null) {
        dropped += 1;
      } else {
        written += 1;
        await writer.write(minimised);
      }
    }
    const refusal = misfit();
    if (refusal !== null) throw new MinimisationError(refusal);
    if (written === 0) throw new MinimisationError("the plan would drop every record");
    const summary = await writer.commit({ digest: hash.digest("hex"), bytes });
    return { ...summary, dropped, changes: sortedChanges(changes) };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

function sortedChanges(changes: MinimisationChanges): MinimisationChanges {
  return {
    byType: Object.fromEntries(ENTITY_TYPES.flatMap((type) => (changes.byType[type] ? [[type, changes.byType[type]]] : []))),
    byField: Object.fromEntries(Object.entries(changes.byField).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}
