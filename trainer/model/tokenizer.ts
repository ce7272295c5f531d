// The byte-level tokenizer: a text is its UTF-8 bytes (tokens 0..255), framed by the end-of-text token (256), which
// also serves as the start of a text. Needs no vocabulary file and never meets an unknown symbol.

import { END_OF_TEXT } from "../contract/model-config";

export const encode = (text: string): Int32Array => Int32Array.from(Buffer.from(text, "utf8"));

/** Text of the byte tokens, with end-of-text tokens (and anything else outside 0..255) left out. */
export const decode = (tokens: ArrayLike<number>): string =>
  Buffer.from(Array.from(tokens).filter((t) => t >= 0 && t < 256)).toString("utf8");

/** A record as one training sequence: end-of-text, its bytes, end-of-text; cut to `length` tokens. */
export function recordTokens(text: string, length: number): Int32Array {
  const bytes = encode(text);
  const out = new Int32Array(Math.min(length, bytes.length + 2));
  out[0] = END_OF_TEXT;
  out.set(bytes.subarray(0, out.length - 1), 1);
  if (bytes.length + 2 <= length) out[out.length - 1] = END_OF_TEXT;
  return out;
}
