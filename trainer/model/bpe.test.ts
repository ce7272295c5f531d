// GPT-2's byte-level BPE: the byte-to-unicode table, the pre-tokenisation pattern's pieces, merges by rank, exact
// round trips through any text (unicode, emoji, whitespace runs, long words), and refusals of malformed files.

import { describe, expect, it } from "vitest";
import { BpeError, BpeTokenizer, byteToUnicode, parseTokenizerJson, parseVocabAndMerges, pretokenize } from "./bpe";

/** A vocabulary of every byte's character plus the merged symbols, in the order merges make them. */
function files(merges: Array<[string, string]>) {
  const vocab: Record<string, number> = {};
  byteToUnicode().forEach((c, i) => (vocab[c] = i));
  for (const [a, b] of merges) vocab[a + b] ??= Object.keys(vocab).length;
  vocab["<|endoftext|>"] = Object.keys(vocab).length;
  return { vocab, merges };
}

describe("byteToUnicode", () => {
  it("maps the 256 bytes to 256 distinct visible characters, as GPT-2 does", () => {
    const table = byteToUnicode();
    expect(new Set(table).size).toBe(256);
    expect(table[0x20]).toBe("Ġ"); // space
    expect(table[0x0a]).toBe("Ċ"); // newline
    expect(table[0x41]).toBe("A");
    expect(table[0xad]).toBe("Ń"); // the soft hyphen, the 68th unprintable byte: U+0100 + 67
    expect(table.every((c) => !/\s/u.test(c))).toBe(true);
  });
});

describe("pre-tokenisation", () => {
  it.each([
    ["Hello world", ["Hello", " world"]],
    ["I'm sure they'll don't", ["I", "'m", " sure", " they", "'ll", " don", "'t"]],
    ["a   b", ["a", "  ", " b"]],
    ["hi  ", ["hi", "  "]],
    ["123abc 4.5", ["123", "abc", " 4", ".", "5"]],
    ["naïve café", ["naïve", " café"]],
    ["line\n\nnext", ["line", "\n", "\n", "next"]], // the run's last space stays apart when a word follows
    ["end \n", ["end", " \n"]],
    ["😀 ok!!", ["😀", " ok", "!!"]],
  ])("%j", (text, expected) => {
    expect(pretokenize(text)).toEqual(expected);
  });
});

describe("BpeTokenizer", () => {
  const merges: Array<[string, string]> = [
    ["Ġ", "t"],
    ["h", "e"],
    ["Ġt", "he"],
    ["l", "l"],
    ["he", "ll"],
    ["hell", "o"],
    ["e", "l"],
  ];
  const t = new BpeTokenizer(files(merges));
  const id = (token: string) => t.id(token)!;

  it("applies merges lowest rank first, every occurrence left to right", () => {
    expect(Array.from(t.encode(" the"))).toEqual([id("Ġthe")]);
    expect(Array.from(t.encode("hello"))).toEqual([id("hello")]);
    expect(Array.from(t.encode("hehe"))).toEqual([id("he"), id("he")]);
    expect(Array.from(t.encode("lll"))).toEqual([id("ll"), id("l")]);
    // "e l" (rank 6) would apply first in "hello" by position, but "h e" (rank 1) and "l l" (rank 3) come first.
    expect(Array.from(t.encode("elo"))).toEqual([id("el"), id("o")]);
  });

  it("decodes exactly what it encoded, for any text", () => {
    const texts = [
      "",
      "hello the world",
      "  leading and trailing   ",
      "tabs\tand\r\nCRLF\u00a0nbsp\u3000ideographic",
      "Zürich, Łódź, Ελληνικά, 日本語, עברית, العربية",
      "emoji 👩‍👩‍👧‍👦 🇫🇷 ❤️ and combining é",
      "x".repeat(3000),
      "supercalifragilisticexpialidocious".repeat(40),
      "<|endoftext|> is text here",
      "\u0085 next-line and \ufeff BOM",
    ];
    for (const text of texts) expect(t.decode(t.encode(text))).toBe(text);
  });

  it("treats a special-token string in the text as plain text", () => {
    expect(Array.from(t.encode("<|endoftext|>"))).not.toContain(id("<|endoftext|>"));
  });

  it("refuses merges that make a symbol the vocabulary lacks", () => {
    const broken = files([["a", "b"]]);
    delete broken.vocab["ab"];
    expect(() => new BpeTokenizer(broken).encode("ab")).toThrow(/no token "ab"/);
  });
});

describe("files", () => {
  it("reads vocab.json and merges.txt with its #version line", () => {
    const parsed = parseVocabAndMerges(JSON.stringify({ a: 0, b: 1, ab: 2 }), "#version: 0.2\na b\n");
    expect(parsed.merges).toEqual([["a", "b"]]);
    expect(parsed.vocab.ab).toBe(2);
  });

  it("reads tokenizer.json with merges as strings or pairs", () => {
    const json = (merges: unknown) =>
      JSON.stringify({ model: { type: "BPE", vocab: { a: 0, b: 1, ab: 2 }, merges }, added_tokens: [{ id: 3, content: "<|endoftext|>" }] });
    expect(parseTokenizerJson(json(["a b"])).merges).toEqual([["a", "b"]]);
    expect(parseTokenizerJson(json([["a", "b"]])).merges).toEqual([["a", "b"]]);
    expect(parseTokenizerJson(json([])).added).toEqual({ "<|endoftext|>": 3 });
  });

  it.each([
    ["vocab.json not JSON", () => parseVocabAndMerges("{", "")],
    ["vocab.json an array", () => parseVocabAndMerges("[]", "")],
    ["a negative id", () => parseVocabAndMerges('{"a": -1}', "")],
    ["a merge line of three", () => parseVocabAndMerges('{"a": 0}', "a b c\n")],
    ["tokenizer.json of another model", () => parseTokenizerJson('{"model": {"type": "WordPiece"}}')],
    ["tokenizer.json without merges", () => parseTokenizerJson('{"model": {"type": "BPE", "vocab": {}}}')],
  ])("refuses %s, naming the file", (_what, parse) => {
    expect(parse).toThrow(BpeError);
    expect(parse).toThrow(/vocab\.json|merges\.txt|tokenizer\.json/);
  });
});
