// GPT-2's byte-level BPE tokenizer, written from its definition: text is split by GPT-2's pre-tokenisation pattern,
// each piece's UTF-8 bytes are mapped to printable characters (GPT-2's byte-to-unicode table), and the merges are
// applied lowest rank first until none applies; each resulting symbol is a token of vocab.json. Reads vocab.json +
// merges.txt, or a tokenizer.json of the same model. Special-token strings in the text are treated as plain text
// (a record cannot forge an end-of-text); the end-of-text token is added by the caller, by id.

/** GPT-2's pre-tokenisation pattern: contractions, letters, numbers, other symbols (each optionally after one
 * space), and whitespace runs (all but their last character when a non-space follows). \s is Unicode White_Space,
 * as in the Python `regex` module GPT-2 used (JavaScript's own \s differs at U+0085 and U+FEFF). */
const PRETOKENIZE =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

/** The pieces GPT-2 encodes separately. */
export const pretokenize = (text: string): string[] => Array.from(text.matchAll(PRETOKENIZE), (m) => m[0]);

/** GPT-2's byte-to-unicode table: printable Latin-1 bytes stand for themselves, the other 68 bytes are mapped, in
 * order, to U+0100 onwards, so that every byte is a visible character and merges never see whitespace/control. */
export function byteToUnicode(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + next++);
  return table;
}

export interface BpeFiles {
  /** Token string (in byte-to-unicode characters) to id. */
  vocab: Record<string, number>;
  /** Merge rules in rank order, each a pair of symbols. */
  merges: Array<[string, string]>;
}

export class BpeError extends Error {}

/** vocab.json and merges.txt as GPT2Tokenizer reads them (merges.txt: an optional "#version" line, then one
 * "left right" pair per line). */
export function parseVocabAndMerges(vocabJson: string, mergesTxt: string): BpeFiles {
  let vocab: unknown;
  try {
    vocab = JSON.parse(vocabJson);
  } catch (error) {
    throw new BpeError(`vocab.json: not JSON (${(error as Error).message})`);
  }
  if (!vocab || typeof vocab !== "object" || Array.isArray(vocab)) throw new BpeError("vocab.json: expected an object of token to id");
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isSafeInteger(id) || (id as number) < 0) throw new BpeError(`vocab.json: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, expected a whole number >= 0`);
  }
  const merges: Array<[string, string]> = [];
  mergesTxt.split("\n").forEach((line, i) => {
    const trimmed = line.replace(/\r$/, "");
    if (trimmed === "" || (i === 0 && trimmed.startsWith("#version"))) return;
    const parts = trimmed.split(" ");
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new BpeError(`merges.txt line ${i + 1}: expected "left right", got ${JSON.stringify(trimmed)}`);
    merges.push([parts[0], parts[1]]);
  });
  return { vocab: vocab as Record<string, number>, merges };
}

/** A Hugging Face tokenizer.json of a byte-level BPE model (model.vocab, model.merges as "a b" or ["a", "b"]). */
export function parseTokenizerJson(text: string): BpeFiles & { added: Record<string, number> } {
  let json: { model?: { type?: string; vocab?: unknown; merges?: unknown }; added_tokens?: Array<{ id: number; content: string }> };
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BpeError(`tokenizer.json: not JSON (${(error as Error).message})`);
  }
  const model = json.model;
  if (!model || model.type !== "BPE") throw new BpeError(`tokenizer.json: model.type is ${JSON.stringify(model?.type)}, expected "BPE"`);
  if (!Array.isArray(model.merges)) throw new BpeError("tokenizer.json: model.merges is missing");
  const merges = model.merges.map((m: unknown, i: number): [string, string] => {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
      throw new BpeError(`tokenizer.json: model.merges[${i}] is not a pair`);
    }
    return [pair[0], pair[1]];
  });
  const { vocab } = parseVocabAndMerges(JSON.stringify(model.vocab ?? null), "");
  const added: Record<string, number> = {};
  for (const t of json.added_tokens ?? []) added[t.content] = t.id;
  return { vocab, merges, added };
}

export class BpeTokenizer {
  private readonly ranks = new Map<string, number>();
  private readonly ids: Map<string, number>;
  private readonly tokens: string[] = [];
  private readonly byteChar = byteToUnicode();
  private readonly charByte = new Map(this.byteChar.map((c, b) => [c, b]));
  private readonly cache = new Map<string, number[]>();

  constructor(files: BpeFiles) {
    this.ids = new Map(Object.entries(files.vocab));
    for (const [token, id] of this.ids) this.tokens[id] = token;
    files.merges.forEach(([a, b], rank) => {
      const key = `${a} ${b}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
  }

  /** The largest id plus one. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a vocabulary entry (e.g. "<|endoftext|>"), or undefined. */
  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const piece of pretokenize(text)) out.push(...this.word(piece));
    return Int32Array.from(out);
  }

  /** Text of the tokens; ids outside the vocabulary are left out, bytes that do not form UTF-8 become U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    for (const id of Array.from(ids)) {
      const token = this.tokens[id];
      if (token === undefined) continue;
      for (const char of token) {
        const b = this.charByte.get(char);
        if (b !== undefined) bytes.push(b);
      }
    }
    return Buffer.from(bytes).toString("utf8");
  }

  /** One pre-tokenised piece: its bytes as characters, merged lowest rank first. */
  private word(piece: string): number[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    let symbols = Array.from(Buffer.from(piece, "utf8"), (b) => this.byteChar[b] as string);
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = this.ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) [best, bestRank] = [i, rank];
      }
      if (best < 0) break;
      // Merge every occurrence of that pair, left to right, as GPT-2 does.
      const [a, b] = [symbols[best] as string, symbols[best + 1] as string];
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i < symbols.length - 1 && symbols[i] === a && symbols[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(symbols[i] as string);
      }
      symbols = merged;
    }
    const ids = symbols.map((s) => {
      const id = this.ids.get(s);
      if (id === undefined) throw new BpeError(`the vocabulary has no token ${JSON.stringify(s)} (merges and vocab.json do not match)`);
      return id;
    });
    if (this.cache.size < 50_000) this.cache.set(piece, ids);
    return ids;
  }
}
