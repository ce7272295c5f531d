// The byte tokenizer: UTF-8 round trips and framing a record with end-of-text; a GPT-2 BPE model's tokenizer read
// from its directory frames records with its own end-of-text id.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { END_OF_TEXT, modelConfig } from "../contract/model-config";
import { MERGES_FILE, VOCAB_FILE } from "../contract/model-files";
import { byteToUnicode } from "./bpe";
import { byteTokenizer, modelTokenizer, recordTokens } from "./tokenizer";

describe("byte tokenizer", () => {
  const { encode, decode } = byteTokenizer;
  it("encodes UTF-8 bytes and decodes them back", () => {
    const text = "Call me Ishmael — ñ 東京";
    const tokens = encode(text);
    expect(tokens.length).toBe(Buffer.byteLength(text));
    expect(Math.max(...tokens)).toBeLessThan(256);
    expect(decode(tokens)).toBe(text);
    expect(decode([END_OF_TEXT, ...tokens, END_OF_TEXT])).toBe(text);
  });

  it("frames a record with end-of-text and cuts it to the length", () => {
    expect(Array.from(recordTokens(byteTokenizer, "ab", 10))).toEqual([END_OF_TEXT, 97, 98, END_OF_TEXT]);
    expect(Array.from(recordTokens(byteTokenizer, "abcdef", 4))).toEqual([END_OF_TEXT, 97, 98, 99]);
    expect(Array.from(recordTokens(byteTokenizer, "", 4))).toEqual([END_OF_TEXT, END_OF_TEXT]);
  });
});

describe("a GPT-2 BPE model's tokenizer", () => {
  it("reads vocab.json and merges.txt from the model directory and frames records with its end-of-text id", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bpe-model-"));
    const vocab: Record<string, number> = {};
    byteToUnicode().forEach((c, i) => (vocab[c] = i));
    vocab["ab"] = 256;
    vocab["<|endoftext|>"] = 257;
    writeFileSync(path.join(dir, VOCAB_FILE), JSON.stringify(vocab));
    writeFileSync(path.join(dir, MERGES_FILE), "#version: 0.2\na b\n");
    const tokenizer = modelTokenizer(dir, modelConfig({ tokenizer: "gpt2-bpe", vocab_size: 258, end_of_text: 257 }));
    expect(Array.from(recordTokens(tokenizer, "abc", 10))).toEqual([257, 256, 99, 257]);
    expect(tokenizer.decode([257, 256, 99, 257])).toBe("abc");
  });
});
