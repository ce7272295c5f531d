// The byte tokenizer: UTF-8 round trips and framing a record with end-of-text.
import { describe, expect, it } from "vitest";
import { END_OF_TEXT } from "../contract/model-config";
import { decode, encode, recordTokens } from "./tokenizer";

describe("byte tokenizer", () => {
  it("encodes UTF-8 bytes and decodes them back", () => {
    const text = "Call me Ishmael — ñ 東京";
    const tokens = encode(text);
    expect(tokens.length).toBe(Buffer.byteLength(text));
    expect(Math.max(...tokens)).toBeLessThan(256);
    expect(decode(tokens)).toBe(text);
    expect(decode([END_OF_TEXT, ...tokens, END_OF_TEXT])).toBe(text);
  });

  it("frames a record with end-of-text and cuts it to the length", () => {
    expect(Array.from(recordTokens("ab", 10))).toEqual([END_OF_TEXT, 97, 98, END_OF_TEXT]);
    expect(Array.from(recordTokens("abcdef", 4))).toEqual([END_OF_TEXT, 97, 98, 99]);
    expect(Array.from(recordTokens("", 4))).toEqual([END_OF_TEXT, END_OF_TEXT]);
  });
});
