// The audit log exported for the filter in force, as CSV or JSON lines: streamed in pages by seq (never held whole),
// the stored values exactly, with the names of actors and entities beside their ids.
import { z } from "zod";
import type { AuditEntry, Role } from "../../db/schema";
import type { Context } from "../context";
import { AppError } from "../errors";
import { errorResponse } from "../http/error-response";
import { NO_STORE } from "../http/no-store";
import { auditFilterInput } from "./filter";
import { nameEntries, type NamedAuditEntry } from "./named-entries";
import { auditEntriesAfter, lastSeq } from "./service";

export const AUDIT_EXPORT_FORMATS = ["csv", "jsonl"] as const;
const exportParams = auditFilterInput.extend({ format: z.enum(AUDIT_EXPORT_FORMATS) }).strict();

/** One record of the export: the JSON line's keys, in order; the CSV's columns are the same, in snake_case. */
export function exportRecord(e: NamedAuditEntry) {
  return {
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    actorEmail: e.actorEmail,
    actorName: e.actor?.found ? e.actor.label : null,
    actorRole: e.actorRole,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    entityName: e.entity.found ? e.entity.label : null,
    inputDigest: e.inputDigest,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
type ExportRecord = ReturnType<typeof exportRecord>;

/** The JSON lines' keys in order (export.test.ts checks they are exportRecord's). */
export const AUDIT_EXPORT_KEYS = [
  "seq",
  "at",
  "actorId",
  "actorEmail",
  "actorName",
  "actorRole",
  "action",
  "entityType",
  "entityId",
  "entityName",
  "inputDigest",
  "prevHash",
  "hash",
] as const satisfies readonly (keyof ExportRecord)[];
export const AUDIT_EXPORT_COLUMNS = AUDIT_EXPORT_KEYS.map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled; null is an empty field. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Free text that people typed (names): in CSV, a cell starting with =, +, -, @, a tab or a carriage return is
 * prefixed with ' so that a spreadsheet shows it rather than runs it as a formula. The hashed columns are system
 * values and stay exact; JSON lines carry every value exactly. */
const NAME_KEYS: ReadonlySet<keyof ExportRecord> = new Set(["actorName", "entityName"]);
export const inertName = (value: string | null): string | null => (value !== null && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

const FORMATS = {
  csv: {
    contentType: "text/csv; charset=utf-8",
    header: `${AUDIT_EXPORT_COLUMNS.join(",")}\r\n`,
    line: (r: ExportRecord) =>
      `${AUDIT_EXPORT_KEYS.map((k) => csvField(NAME_KEYS.has(k) ? inertName(r[k] as string | null) : r[k])).join(",")}\r\n`,
  },
  jsonl: {
    contentType: "application/x-ndjson; charset=utf-8",
    header: "",
    line: (r: ExportRecord) => `${JSON.stringify(r)}\n`,
  },
} as const;

/** Entries named and written per page, so that the export holds one page at a time. */
const PAGE = 500;

/**
 * GET /api/audit/export?format=csv|jsonl&action=…&actorEmail=…&entityType=…&entityId=…: the entries the Audit page's
 * filter shows, oldest first, up to the newest entry when the export began. For `readers`, the roles that read the
 * audit log (ABILITIES["api.audit.export"], which the route passes: access.ts is auth's, and auth depends on audit).
 */
export async function handleAuditExport(req: Request, ctx: Context, readers: readonly Role[], pageSize = PAGE): Promise<Response> {
  try {
    if (!ctx.user) throw new AppError("UNAUTHORIZED", "Sign in to continue.");
    if (!readers.includes(ctx.user.role)) throw new AppError("FORBIDDEN", `This needs one of the roles: ${readers.join(", ")}.`);
    const params = exportParams.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!params.success) throw new AppError("BAD_REQUEST", params.error.issues.map((i) => `${i.path.join(".") || "export"}: ${i.message}`).join("; "));
    const { format: formatName, ...filter } = params.data;
    const format = FORMATS[formatName];
    const through = await lastSeq(ctx.db);
    const started = new Date();
    let after = 0;
    let headerSent = false;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const entries: AuditEntry[] = await auditEntriesAfter(ctx.db, filter, after, through, pageSize);
        const text = (headerSent ? "" : format.header) + (await nameEntries(ctx.db, entries)).map((e) => format.line(exportRecord(e))).join("");
        headerSent = true;
        if (text) controller.enqueue(encoder.encode(text));
        if (entries.length < pageSize) controller.close();
        else after = entries[entries.length - 1]!.seq;
      },
    });
    const stamp = started.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": format.contentType,
        "content-disposition": `attachment; filename="audit-log-${stamp}.${formatName}"`,
        "cache-control": NO_STORE,
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
