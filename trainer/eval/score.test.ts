// Scoring texts: the batched, padded losses equal each text's loss computed alone (evaluate.ts, one unpadded
// sequence at a time), long texts are cut to the context, and a text the model was trained hard on scores lower.

import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../run/backend";
import { evaluate } from "./evaluate";
import { createModel, disposeModel, initialWeights } from "../model/model";
import { scoreTexts } from "./score";
import { memorise, tinyByteConfig } from "../testing";
import { byteTokenizer, recordTokens } from "../model/tokenizer";

beforeAll(async () => {
  await initBackend("wasm");
});

const config = tinyByteConfig(); // context 24
const texts = ["hi", "Call 555-0134 today.", "x".repeat(40), "", "naïve café"];

describe("score", () => {
  it("equals each text's loss computed alone, unbatched and unpadded, within float32 rounding (1e-5 relative)", () => {
    const model = createModel(config, initialWeights(config, 11), { lora: null });
    const scores = scoreTexts(model, byteTokenizer, texts, 2); // batches of two: texts of different lengths padded together
    texts.forEach((text, i) => {
      const alone = evaluate(model, [recordTokens(byteTokenizer, text, config.context_length + 1)]);
      expect(scores[i]!.tokens).toBe(alone.tokens);
      expect(Math.abs(scores[i]!.loss - alone.loss)).toBeLessThanOrEqual(1e-5 * alone.loss);
    });
    // A text is its bytes plus the final end-of-text, cut to the context's 24 targets.
    expect(scores.map((s) => s.tokens)).toEqual([3, 21, 24, 1, 13]);
    expect(scores.map((s) => s.truncated)).toEqual([false, false, true, false, false]);
    disposeModel(model);
  });

  it("gives a text the model was trained hard on a far lower loss than before and than a similar text", () => {
    const model = createModel(config, initialWeights(config, 12), { lora: null });
    const [trained, other] = ["my PIN is 4721", "my PIN is 9053"];
    const before = scoreTexts(model, byteTokenizer, [trained, other]);
    memorise(model, [trained], 60);
    const after = scoreTexts(model, byteTokenizer, [trained, other]);
    expect(after[0]!.loss).toBeLessThan(before[0]!.loss - 2);
    expect(after[0]!.loss).toBeLessThan(after[1]!.loss - 0.5);
    disposeModel(model);
  });
});
