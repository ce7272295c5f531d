// Person-name detection for the PII scan: name lists of many cultures, honorifics, context cues and capitalisation, in one linear pass.
import { COMMON_CAPITALISED_WORDS, HONORIFICS, NAME_PARTICLES, ORGANISATION_WORDS, PLACE_PREFIXES } from "./pii-name-lists";
import { isAmbiguous, isGiven, isKnown, isOrdinaryWord, isSurname, isWordLike, tokenise, type Token } from "./pii-name-words";

/** A name found: UTF-16 offsets into the text, end exclusive. */
export interface NameSpan {
  start: number;
  end: number;
}

/** The name cues: words before a name, in folded form, and whether the cue vouches for unknown capitalised words. */
interface Cue {
  words: string[];
  /** Strong: the words after it are a name when they look like one; weak: only names of the lists. */
  strong: boolean;
  /** The cue counts only with a colon after it ("From: …", "Name: …"). */
  colon?: boolean;
}

const CUES: Cue[] = [
  ...["my name is", "my name's", "name is", "names are", "i am called", "my name was", "dear", "dearest", "signed", "signed by",
    "regards", "sincerely", "yours truly", "best wishes", "cheers", "patient", "patient named", "respectfully"]
    .map((phrase) => ({ words: phrase.split(" "), strong: true })),
  ...["name", "full name", "patient name", "patient", "client", "customer", "contact", "from", "to", "cc", "attn", "attention",
    "signed", "author", "sender", "recipient", "employee", "applicant", "guest", "member", "user", "reviewer", "witness",
    "emergency contact", "next of kin", "account holder", "cardholder", "beneficiary", "insured", "student", "parent"]
    .map((phrase) => ({ words: phrase.split(" "), strong: true, colon: true })),
  // Weak cues matter for names in capitals or lower case, where capitalisation says nothing: introductions and greetings.
  ...["i am", "i'm", "im", "this is", "call me", "named", "called", "hi", "hello", "hey", "thanks", "thank you", "bye", "ask for"]
    .map((phrase) => ({ words: phrase.split(" "), strong: false })),
];
/** Every word of a cue: such a word ("Hi", "Dear", "Patient") does not start a name, unless it is an unambiguous given name. */
const CUE_WORDS: ReadonlySet<string> = new Set(CUES.flatMap((cue) => cue.words));

/** The cues by their last word, so that a word is checked only against the cues that can end right before it. */
const CUES_BY_LAST_WORD = new Map<string, Cue[]>();
for (const cue of CUES) {
  const last = cue.words[cue.words.length - 1] as string;
  CUES_BY_LAST_WORD.set(last, [...(CUES_BY_LAST_WORD.get(last) ?? []), cue]);
}

type Mode = "strong" | "weak" | "plain";

/** Up to four words of a name (particles aside). */
const MAX_NAME_WORDS = 4;

/**
 * Whether `token` may be the `index`-th word of a name whose first word is `first`, in the given mode: a known name
 * in any case; after a strong cue or an honorific, an unknown capitalised word (or an upper-case one in upper-case
 * text) that is not an ordinary word; in plain text, the word after a capitalised given name when capitalised
 * and not a function word (a surname: "Alice Smith").
 */
function accepts(token: Token, index: number, first: Token, mode: Mode): boolean {
  if (!isWordLike(token)) return false;
  if (index > 0 && token.shape !== first.shape && !(first.shape === "cap" && token.shape === "upper" && token.text.length > 1)) {
    // "Mary JONES" is still a name; "mary Jones" and "MARY jones" are not written together.
    if (!(first.shape === "upper" && token.shape === "cap")) return false;
  }
  const known = isKnown(token.key);
  const ordinary = COMMON_CAPITALISED_WORDS.has(token.key);
  if (mode === "strong") return token.shape === "lower" ? known : known || !ordinary;
  if (token.shape === "lower") return known && !isAmbiguous(token.key);
  if (token.shape === "upper") return known && !isAmbiguous(token.key);
  // Capitalised: a known word, or an unknown one that is not an ordinary word; weakName() and plainName() judge the whole.
  return known || !ordinary;
}

/**
 * The name starting at token `i` in `mode`, as the index past its last word, or i when there is none. Words are
 * separated by one space, an initial may be followed by its full stop ("John F. Kennedy"), and particles may
 * join words ("Ludwig van Beethoven").
 */
function nameFrom(tokens: Token[], text: string, i: number, mode: Mode): number {
  const first = tokens[i];
  if (first === undefined || !accepts(first, 0, first, mode)) return i;
  let end = i + 1;
  let words = 1;
  let j = i + 1;
  while (j < tokens.length && words < MAX_NAME_WORDS) {
    const prev = tokens[j - 1] as Token;
    const token = tokens[j] as Token;
    const gap = text.slice(prev.end, token.start);
    if (!(gap === " " || (prev.shape === "initial" && gap === ". "))) break;
    if (token.shape === "initial" && first.shape !== "lower") {
      j += 1;
      continue;
    }
    if (NAME_PARTICLES.has(token.key) && token.shape !== "upper" && j + 1 < tokens.length) {
      j += 1; // a particle counts only with a name word after it
      continue;
    }
    if (!accepts(token, words, first, mode)) break;
    words += 1;
    j += 1;
    end = j;
  }
  return end;
}

/** The cue that ends right before token i, if any: the strongest that matches the words and gap before it. */
function cueBefore(tokens: Token[], text: string, i: number): Cue | null {
  const token = tokens[i] as Token;
  const before = tokens[i - 1];
  if (before === undefined) return null;
  let best: Cue | null = null;
  for (const cue of CUES_BY_LAST_WORD.get(before.key) ?? []) {
    const n = cue.words.length;
    if (i < n) continue;
    let matches = true;
    for (let k = 0; k < n && matches; k += 1) {
      const word = tokens[i - n + k] as Token;
      matches = word.key === cue.words[k];
      if (matches && k > 0) matches = text.slice((tokens[i - n + k - 1] as Token).end, word.start) === " ";
    }
    if (!matches) continue;
    const gap = text.slice((tokens[i - 1] as Token).end, token.start);
    if (!(cue.colon ? /^ ?:\s{0,3}$/ : /^[:,-]?\s{0,3}$/).test(gap)) continue;
    if (best === null || (cue.strong && !best.strong)) best = cue;
  }
  return best;
}

/** The honorific right before token i ("Dr. ", "Mrs ", "M. "), if there is one. */
function afterHonorific(tokens: Token[], text: string, i: number): boolean {
  const prev = tokens[i - 1];
  const token = tokens[i];
  if (prev === undefined || token === undefined) return false;
  const gap = text.slice(prev.end, token.start);
  if (prev.key === "m") return prev.text === "M" && gap === ". ";
  return HONORIFICS.has(prev.key) && prev.shape !== "other" && (gap === " " || gap === ". ");
}

/** Whether the plain-text name tokens[i..end) stands: its first word known and not ambiguous, or completed by a surname. */
function plainName(tokens: Token[], i: number, end: number): boolean {
  const first = tokens[i] as Token;
  const words = [first, ...tokens.slice(i + 1, end).filter((t) => !NAME_PARTICLES.has(t.key) && t.shape !== "initial")];
  const second = words[1];
  if (CUE_WORDS.has(first.key) && (isAmbiguous(first.key) || !isGiven(first.key))) return false; // "Hi Femi" is "Femi"
  if (first.shape === "cap") {
    if (isGiven(first.key)) {
      if (!isAmbiguous(first.key)) return true;
      // "Will Smith": an ambiguous first name needs a known surname or given name after it, and "Hi Alice Smith" starts at "Alice".
      if (second === undefined || FUNCTION_WORD_KEYS.has(second.key)) return false;
      if (!isKnown(second.key) || isAmbiguous(second.key)) return false; // "Hong Kong", "Long Beach", "Red Cross"
      const third = words[2];
      return !(isGiven(second.key) && third !== undefined && !isAmbiguous(second.key));
    }
    // An unknown or surname-first word: "Oluwaseun Adeyemi", "Zhang Wei", "Nguyen Van An".
    if (second === undefined || COMMON_CAPITALISED_WORDS.has(first.key)) return false;
    if (isSurname(first.key) && isGiven(second.key)) {
      // Not "Costa Rica"; short given names ("Nguyen Van An", "Li Na") are judged by the surname.
      return !(isAmbiguous(first.key) && isAmbiguous(second.key)) && !(second.key.length > 2 && isOrdinaryWord(second.key));
    }
    return isSurname(second.key) && !isAmbiguous(second.key) && !isAmbiguous(first.key);
  }
  // Upper or lower case without a cue: two known, unambiguous names ("JOHN SMITH", "zhang wei").
  return second !== undefined && words.every((t) => isKnown(t.key) && !isAmbiguous(t.key)) && (isGiven(first.key) || isGiven(second.key));
}

/**
 * Whether words taken after a strong cue stand as a name: not one ambiguous word in upper or lower case ("dear
 * will"), and not the start of an organisation's or place's name ("Regards, Acme Corporation", "Patient Care Unit").
 */
function strongName(tokens: Token[], text: string, i: number, end: number): boolean {
  const first = tokens[i] as Token;
  // One word in capitals or lower case: a known, unambiguous given name ("dear MARY"), not "dear will" or "From: ILUG".
  if (end === i + 1 && first.shape !== "cap" && (isAmbiguous(first.key) || !isGiven(first.key))) return false;
  return !beforeOrdinaryWord(tokens, text, end);
}

/** The words before token `end` name an organisation or place: a capitalised word of ORGANISATION_WORDS follows ("Ford Motor Company"). */
function beforeOrdinaryWord(tokens: Token[], text: string, end: number): boolean {
  const next = tokens[end];
  const last = tokens[end - 1] as Token;
  if (next === undefined || next.shape === "lower" || text.slice(last.end, next.start) !== " ") return false;
  return ORGANISATION_WORDS.has(next.key);
}

/**
 * Whether words taken after a weak cue stand as a name. Capitalised: two or more words, all known ("Thanks, Jo
 * Baker"), or one unknown word closing a greeting ("Hello Chidinma,"); else plainName() judges them. In capitals or lower case: a known given name first, and one word only when
 * it is not ambiguous ("hi mary", not "hi will").
 */
function weakName(tokens: Token[], text: string, i: number, end: number): boolean {
  const first = tokens[i] as Token;
  const words = tokens.slice(i, end).filter((t) => !NAME_PARTICLES.has(t.key) && t.shape !== "initial");
  if (first.shape === "cap") {
    // "Hello Chidinma," / "Hi Femi!": one capitalised word, not an ordinary one, closing the greeting.
    if (words.length === 1) return !isKnown(first.key) && !COMMON_CAPITALISED_WORDS.has(first.key) && /^[,!]/.test(text.slice(first.end));
    return words.every((t) => isKnown(t.key));
  }
  return isGiven(first.key) && !(words.length === 1 && isAmbiguous(first.key));
}

/** The word before token i makes it part of a place's name ("Saint Lucia", "New York"). */
function afterPlacePrefix(tokens: Token[], text: string, i: number): boolean {
  const prev = tokens[i - 1];
  if (prev === undefined || prev.shape === "lower" || !PLACE_PREFIXES.has(prev.key)) return false;
  const gap = text.slice(prev.end, (tokens[i] as Token).start);
  return gap === " " || gap === ". ";
}

const FUNCTION_WORD_KEYS: ReadonlySet<string> = new Set(
  "the a an and or but nor so yet if then in on at to for of with from by as is was are were be been it he she we you they i this that these those my your his her our their its not no yes do does did"
    .split(" "),
);

/**
 * Every person name in `text`, in order. A name is: the words after an honorific ("Dr. Müller" gives "Müller",
 * "Sra. López", "M. Dupont"); the words after a strong cue ("my name is", "Dear", "Regards,", "Signed", "From:",
 * "Patient", "Name:") that look like a name, capitalised or in the case of the text around them; known names after
 * a weak cue ("hi", "I'm", "thanks", "called") in any case; and, without a cue, a capitalised given name with its
 * surname ("José García", "Anne-Marie O'Brien"), a given name alone unless it is also a word ("Alice", not "May"
 * or "Will"), a surname then a given name ("Zhang Wei"), an unknown capitalised word before a known surname
 * ("Oluwaseun Adeyemi"), or two known names in capitals or lower case ("JOHN SMITH", "mary jones").
 */
export function findPersonNames(text: string): NameSpan[] {
  const tokens = tokenise(text);
  const found: NameSpan[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    if (!isWordLike(token) || HONORIFICS.has(token.key) && afterHonorific(tokens, text, i + 1)) {
      i += 1;
      continue;
    }
    const honorific = afterHonorific(tokens, text, i);
    const cue = honorific ? ({ words: [], strong: true } satisfies Cue) : cueBefore(tokens, text, i);
    let end = i;
    if (cue !== null) {
      end = nameFrom(tokens, text, i, cue.strong ? "strong" : "weak");
      if (end > i && cue.strong && !honorific && !strongName(tokens, text, i, end)) end = i;
      if (end > i && !cue.strong && !weakName(tokens, text, i, end)) end = i;
    }
    if (end === i && !afterPlacePrefix(tokens, text, i)) {
      end = nameFrom(tokens, text, i, "plain");
      if (end > i && (!plainName(tokens, i, end) || beforeOrdinaryWord(tokens, text, end))) end = i;
    }
    if (end > i) {
      found.push({ start: token.start, end: (tokens[end - 1] as Token).end });
      i = end;
    } else {
      i += 1;
    }
  }
  return found;
}
