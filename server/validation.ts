// Shared zod text fields: names, titles and free text refuse control characters and bidirectional overrides.
import { z } from "zod";

/**
 * C0 and C1 controls (NUL included), DEL, and the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that make text display differently from what it says.
 */
const BIDI = "\\u202a-\\u202e\\u2066-\\u2069";
const UNSAFE_IN_LINE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}]`, "u");
/** The same, except line breaks (\n, \r): free text such as notes and reasons may span lines. */
const UNSAFE_IN_PROSE = new RegExp(`[\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${BIDI}]`, "u");

/** Where the first unsafe character is, as the message shows it (e.g. "U+202E at 4"). */
function describeUnsafe(value: string, unsafe: RegExp): string {
  const match = unsafe.exec(value)!;
  return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at position ${match.index + 1}`;
}

function safeText(unsafe: RegExp, what: string) {
  return z
    .string()
    .trim()
    .check((ctx) => {
      if (unsafe.test(ctx.value)) {
        ctx.issues.push({ code: "custom", input: ctx.value, message: `${what} must not contain control or bidirectional-override characters (${describeUnsafe(ctx.value, unsafe)})` });
      }
    });
}

/** A one-line name or title (dataset, user, family, incident title, field name): trimmed, no controls at all. */
export const lineText = () => safeText(UNSAFE_IN_LINE, "Names and titles");

/** Free text that may span lines (notes, reasons, descriptions): trimmed, line breaks allowed, no other controls. */
export const proseText = () => safeText(UNSAFE_IN_PROSE, "Text");
