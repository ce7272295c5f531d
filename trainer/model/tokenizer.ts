// A model's tokenizer: the byte-level one (a text is its UTF-8 bytes, tokens 0..255, framed by the end-of-text token
// 256; needs no vocabulary file and never meets an unknown symbol), or GPT-2's byte-level BPE read from the model
// directory (vocab.json, merges.txt; see bpe.ts). Either way a training record is end-of-text, its tokens,
// end-of-text, cut to the context.

import { readFileSync } from "node:fs";
import path from "node:path";
import { endOfText, type ModelConfig } from "../contract/model-config";
import { MERGES_FILE, VOCAB_FILE } from "../contract/model-files";
import { BpeTokenizer, parseVocabAndMerges } from "./bpe";

export interface Tokenizer {
  readonly kind: ModelConfig["tokenizer"];
  /** The id that ends (and begins) a text. */
  readonly endOfText: number;
  encode(text: string): Int32Array;
  /** Text of the tokens, leaving out end-of-text and ids the tokenizer does not know. */
  decode(tokens: ArrayLike<number>): string;
}

export const byteTokenizer: Tokenizer = {
  kind: "bytes",
  endOfText: 256,
  encode: (text) => Int32Array.from(Buffer.from(text, "utf8")),
  decode: (tokens) => Buffer.from(Array.from(tokens).filter((t) => t >= 0 && t < 256)).toString("utf8"),
};

/** The tokenizer of the model in `dir` (whose config is `config`). */
export function modelTokenizer(dir: string, config: ModelConfig): Tokenizer {
  if (config.tokenizer === "bytes") return byteTokenizer;
  const bpe = new BpeTokenizer(
    parseVocabAndMerges(readFileSync(path.join(dir, VOCAB_FILE), "utf8"), readFileSync(path.join(dir, MERGES_FILE), "utf8")),
  );
  const eot = endOfText(config);
  return {
    kind: config.tokenizer,
    endOfText: eot,
    encode: (text) => bpe.encode(text),
    decode: (tokens) => bpe.decode(Array.from(tokens).filter((t) => t !== eot)),
  };
}

/** A record as one training sequence: end-of-text, its tokens, end-of-text; cut to `length` tokens. */
export function recordTokens(tokenizer: Tokenizer, text: string, length: number): Int32Array {
  const tokens = tokenizer.encode(text);
  const out = new Int32Array(Math.min(length, tokens.length + 2));
  out[0] = tokenizer.endOfText;
  out.set(tokens.subarray(0, out.length - 1), 1);
  if (tokens.length + 2 <= length) out[out.length - 1] = tokenizer.endOfText;
  return out;
}
