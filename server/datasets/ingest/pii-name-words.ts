// The words of a text as person-name detection sees them (pii-names.ts): tokens with their shape (capitalised, upper
// or lower case, an initial) and folded key, and whether a word is a known given name or surname of the lists, or
// also an ordinary word.
import { COMMON_WORD_NAMES, FIRST_NAMES } from "./names";
import {
  AMBIGUOUS_NAMES,
  COMMON_CAPITALISED_WORDS,
  INTERNATIONAL_GIVEN_NAMES,
  KOREAN_SYLLABLES,
  SURNAME_LIST,
  foldName,
} from "./pii-name-lists";

type Shape = "cap" | "upper" | "lower" | "initial" | "other";

export interface Token {
  start: number;
  end: number;
  text: string;
  /** Folded (lower case, no diacritics) for the lists. */
  key: string;
  shape: Shape;
}

/** A word: letters (with their combining marks), possibly joined by apostrophes or hyphens ("O'Brien", "Min-jun"). */
const WORD = /[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*/gu;
/** Capitalised: "Alice", "García", "McDonald", "O'Brien", "Anne-Marie", "Min-jun", "al-Rashid"; not "GitHub". */
const CAP = /^(?:(?:al|el|ad|as|ash|at|bin|ibn|abu|ben|ould)-)?(?:Mc|Mac|O['’]|D['’]|Di|De|La|Le|Van|Fitz)?\p{Lu}[\p{Ll}\p{M}]+(?:['’-]\p{L}[\p{Ll}\p{M}]*)*$/u;
const UPPER = /^\p{Lu}[\p{Lu}\p{M}'’-]*\p{Lu}$/u;
const LOWER = /^[\p{Ll}\p{M}'’-]+$/u;

const ENGLISH_GIVEN: ReadonlySet<string> = new Set([...FIRST_NAMES].map(foldName));
const ENGLISH_AMBIGUOUS: ReadonlySet<string> = new Set([...COMMON_WORD_NAMES].map(foldName));

function shapeOf(word: string, text: string, end: number): Shape {
  if (word.length === 1) return /\p{Lu}/u.test(word) && text.charAt(end) === "." ? "initial" : "other";
  if (CAP.test(word)) return "cap";
  if (UPPER.test(word)) return "upper";
  if (LOWER.test(word)) return "lower";
  return "other";
}

export function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    // A possessive is not part of the name: "Peter Coffin's" is "Peter Coffin".
    const word = m[0].length > 3 && /['’]s$/.test(m[0]) ? m[0].slice(0, -2) : m[0];
    const end = m.index + word.length;
    tokens.push({ start: m.index, end, text: word, key: foldName(word), shape: shapeOf(word, text, end) });
  }
  return tokens;
}

/** The key's parts ("anne-marie": "anne", "marie") are all in the set, or the key itself is. */
function inList(list: ReadonlySet<string>, key: string, other?: ReadonlySet<string>): boolean {
  if (list.has(key)) return true;
  const parts = key.split(/['-]/);
  if (parts.length < 2) return false;
  return parts.every((part) => part.length > 1 && (list.has(part) || (other?.has(part) ?? false)));
}

export function isGiven(key: string): boolean {
  return (
    inList(ENGLISH_GIVEN, key, INTERNATIONAL_GIVEN_NAMES) ||
    inList(INTERNATIONAL_GIVEN_NAMES, key, ENGLISH_GIVEN) ||
    (key.includes("-") && inList(KOREAN_SYLLABLES, key))
  );
}

/**
 * Surname endings of several languages that are seldom ordinary words: Slavic "-ov(a)", "-ski", "-wicz", "-enko",
 * Romanian "-escu", Serbo-Croatian "-ović", Armenian "-yan", Greek "-opoulos", "-akis", Turkish "-oğlu",
 * Icelandic "-dóttir", Nordic "-sson", Georgian "-shvili", "-adze".
 */
const SURNAME_ENDING = /(?:[^aeiou]ov|[^aeiou]ova|[^aeiou]ev|[^aeiou]eva|ovich|evich|ovna|evna|ski|ska|sky|skaya|wicz|enko|escu|ovic|evic|ovi[cć]|yan|opoulos|akis|oglu|o[gğ]lu|d[oó]ttir|sson|chuk|shvili|adze)$/;

export function isSurname(key: string): boolean {
  return inList(SURNAME_LIST, key) || (key.length >= 6 && SURNAME_ENDING.test(key));
}

export function isKnown(key: string): boolean {
  return isGiven(key) || isSurname(key);
}

/** A known name that is also an ordinary word ("May", "Will", "Long") or of one or two letters. */
export function isAmbiguous(key: string): boolean {
  return key.length <= 2 || ENGLISH_AMBIGUOUS.has(key) || AMBIGUOUS_NAMES.has(key) || COMMON_CAPITALISED_WORDS.has(key);
}

/** A known name that is also an ordinary word ("Rica", "Will"), whatever its length. */
export function isOrdinaryWord(key: string): boolean {
  return ENGLISH_AMBIGUOUS.has(key) || AMBIGUOUS_NAMES.has(key) || COMMON_CAPITALISED_WORDS.has(key);
}

export function isWordLike(token: Token): boolean {
  return token.shape === "cap" || token.shape === "upper" || token.shape === "lower";
}
