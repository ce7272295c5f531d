// PII scan for data minimisation at ingest: finds personal identifiers in text and masks them (pii-report.ts
// accumulates a dataset version's report).
import { isIPv6 } from "node:net";
import { z } from "zod";
import { findPersonNames } from "./pii-names";

/** Entity types, from the most specific to the least: when two findings overlap, the earlier type wins. */
export const ENTITY_TYPES = [
  "email",
  "credit_card",
  "ssn",
  "ip_address",
  "date_of_birth",
  "phone",
  "person_name",
] as const;
export const entityTypeSchema = z.enum(ENTITY_TYPES);
export type EntityType = z.infer<typeof entityTypeSchema>;

export interface EntitySpan {
  type: EntityType;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
  value: string;
}

// ---------------------------------------------------------------------------------------------------------------
// What counts as each type. Every pattern that starts with a run of characters refuses to start inside such a run
// (a look-behind), so that a scan stays linear in the length of the text.

/**
 * email: local@domain, the local part 1 to 64 of [A-Za-z0-9._%+-] (not part of a longer such run), the domain labels
 * of [A-Za-z0-9-] with at least one dot and an alphabetic top-level label of 2+ letters. Found from each "@".
 */
const EMAIL_LOCAL_CHAR = /[\w.%+-]/;
const EMAIL_DOMAIN = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/y;

/**
 * credit_card: 13 to 19 digits passing the Luhn check, written together or in groups separated by all spaces or all
 * dashes, the groups being 4-4-4-4(-1..4) like, or 4-6-5 / 4-6-4 (American Express, Diners); all-zero numbers are not.
 */
const CARD = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;

/**
 * ssn: a US social security number written 123-45-6789 or 123 45 6789 (one separator throughout), with a valid area
 * (not 000, 666 or 900-999), group (not 00) and serial (not 0000). Nine bare digits ("123456789") are taken only when
 * they start at most 20 characters after an SSN cue on the same line ("SSN", "social security", "SS#"): too many
 * bare nine-digit numbers are not SSNs.
 */
const SSN = /(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])/g;
const SSN_BARE = /(?<![\w-])(?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4}(?![\w-])/g;
const SSN_CUE = /\b(?:ssn|ss#|s\.s\.n\.?|social[ -]security(?:[ -](?:number|no\.?|#))?)/gi;
const SSN_CUE_REACH = 20;

/** ip_address: dotted-quad IPv4 with octets 0-255 (zero-padded too: "010.001.002.003"), and IPv6 in any form Node's net.isIPv6 accepts, "::" alone excepted. */
const OCTET = "(?:25[0-5]|2[0-4]\\d|[01]\\d\\d|0?[1-9]?\\d)";
const IPV4 = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?!\\w|\\.\\d)`, "g");
const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.\w)/g;

/**
 * date_of_birth: a date that starts at most 40 characters after a birth cue on the same line, where a cue is
 * "born", "birth" (so "date of birth", "place and date of birth"), "birthday", "birthdate", "bday", "b-day" or
 * "DOB" / "D.O.B." (any case), and a date is one of: 1990-04-12 or 1990/04/12 (year first); 12/04/1990, 4-12-90 or
 * 12.04.1990 (day and month either way, one of them 1-12; two- or four-digit year); "12 April 1990", "12th of April",
 * "April 12, 1990", "Apr. 12" (a month name or abbreviation, with or without a year). Each cue claims only the first
 * date after it, so in "DOB: 1990-04-12. Meeting on 2024-01-05." the meeting is not a birth date, nor is a date with
 * no cue before it.
 */
const BIRTH_CUE = /\b(?:born|birth(?:day|date)?|b-?day|d\.?o\.?b\b\.?)/gi;
const CUE_REACH = 40;
const MONTH = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";
const DAY = "(?:0?[1-9]|[12]\\d|3[01])";
const MONTH_NUMBER = "(?:0?[1-9]|1[0-2])";
const ORDINAL_DAY = `${DAY}(?:st|nd|rd|th)?`;
const YEAR = "(?:19|20)\\d{2}";
const DATE = new RegExp(
  "(?<![\\w/.-])(?:" +
    [
      `${YEAR}[-/.]${MONTH_NUMBER}[-/.]${DAY}`,
      `(?:${DAY}[-/.]${MONTH_NUMBER}|${MONTH_NUMBER}[-/.]${DAY})[-/.](?:${YEAR}|\\d{2})`,
      `${ORDINAL_DAY}(?: of)? ${MONTH}(?:,? ${YEAR})?`,
      `${MONTH} ${ORDINAL_DAY}(?:,? ${YEAR})?`,
    ].join("|") +
    ")(?![\\w/-]|\\.\\d)",
  "gi",
);

/**
 * phone: a North American number, (555) 123-4567, 555-123-4567, 555.123.4567 or 555 123 4567, optionally after
 * "1" or "+1"; or an international number, "+" and a country code then 2 to 6 groups (spaces, dots, dashes or
 * parentheses between them), 8 to 15 digits in all. Bare runs of digits are not phones (they are mostly ids).
 */
const PHONE_NANP = /(?<![\w+.-])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-]|\.\d)/g;
const PHONE_INTL = /(?<![\w+])\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){2,6}(?![\w-]|\.\d)/g;

/** person_name: see findPersonNames in pii-names.ts (name lists of many cultures, honorifics, cues, capitalisation). */

// ---------------------------------------------------------------------------------------------------------------

type Candidate = Omit<EntitySpan, "value">;

function* matchesOf(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) yield m;
}

function candidates(type: EntityType, pattern: RegExp, text: string, accept: (value: string) => boolean): Candidate[] {
  const found: Candidate[] = [];
  for (const m of matchesOf(pattern, text)) {
    if (accept(m[0])) found.push({ type, start: m.index, end: m.index + m[0].length });
  }
  return found;
}

function digitsOf(value: string): string {
  return value.replace(/\D/g, "");
}

/** The Luhn checksum of a string of digits is valid. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function isCardNumber(value: string): boolean {
  const groups = value.split(/[ -]/).map((group) => group.length);
  const separators = new Set(value.replace(/\d/g, ""));
  const grouping =
    groups.length === 1 ||
    groups.join("-") === "4-6-5" ||
    groups.join("-") === "4-6-4" ||
    groups.every((size, i) => (i === groups.length - 1 ? size >= 1 && size <= 4 : size === 4));
  const digits = digitsOf(value);
  return separators.size <= 1 && grouping && !/^0+$/.test(digits) && luhnValid(digits);
}

function emails(text: string): Candidate[] {
  const found: Candidate[] = [];
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && EMAIL_LOCAL_CHAR.test(text.charAt(start - 1))) start -= 1;
    const localOk = start < at && (start === 0 || !EMAIL_LOCAL_CHAR.test(text.charAt(start - 1)));
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = localOk ? EMAIL_DOMAIN.exec(text) : null;
    if (domain !== null && /^[A-Za-z]{2,}$/.test(domain[0].slice(domain[0].lastIndexOf(".") + 1))) {
      found.push({ type: "email", start, end: at + 1 + domain[0].length });
    }
  }
  return found;
}

function isInternationalPhone(value: string): boolean {
  const digits = digitsOf(value).length;
  return digits >= 8 && digits <= 15;
}

function isIpv6(value: string): boolean {
  return /[0-9A-Fa-f]/.test(value) && isIPv6(value);
}

function birthDates(text: string): Candidate[] {
  const cueEnds = [...matchesOf(BIRTH_CUE, text)].map((m) => m.index + m[0].length);
  if (cueEnds.length === 0) return [];
  const dates = candidates("date_of_birth", DATE, text, () => true);
  const claimed = new Set<Candidate>();
  for (const cueEnd of cueEnds) {
    const next = dates.find((date) => date.start >= cueEnd);
    if (next && next.start - cueEnd <= CUE_REACH && !text.slice(cueEnd, next.start).includes("\n")) claimed.add(next);
  }
  return [...claimed];
}

/** Nine bare digits that start within reach of an SSN cue on the same line (cues and numbers both in order: linear). */
function bareSsns(text: string): Candidate[] {
  const cueEnds = [...matchesOf(SSN_CUE, text)].map((m) => m.index + m[0].length);
  if (cueEnds.length === 0) return [];
  let cue = -1;
  return candidates("ssn", SSN_BARE, text, () => true).filter((c) => {
    while (cue + 1 < cueEnds.length && (cueEnds[cue + 1] as number) <= c.start) cue += 1;
    const cueEnd = cueEnds[cue];
    return cueEnd !== undefined && c.start - cueEnd <= SSN_CUE_REACH && !text.slice(cueEnd, c.start).includes("\n");
  });
}

function personNames(text: string): Candidate[] {
  return findPersonNames(text).map(({ start, end }) => ({ type: "person_name", start, end }));
}

/**
 * Every PII finding in `text`, in order of position and never overlapping: where findings overlap, the more
 * specific type (ENTITY_TYPES order) wins, then the longer one, so a card number is never also a phone.
 */
export function findEntities(text: string): EntitySpan[] {
  // Cheap tests first: patterns that need a digit, a "+" or two colons are not run on text without them.
  const digits = /\d/.test(text);
  const colon = text.indexOf(":");
  const all: Candidate[] = [
    ...emails(text),
    ...(digits ? candidates("credit_card", CARD, text, isCardNumber) : []),
    ...(digits ? candidates("ssn", SSN, text, () => true) : []),
    ...(digits ? bareSsns(text) : []),
    ...(digits ? candidates("ip_address", IPV4, text, () => true) : []),
    ...(colon !== -1 && text.includes(":", colon + 1) ? candidates("ip_address", IPV6_CANDIDATE, text, isIpv6) : []),
    ...birthDates(text),
    ...(digits ? candidates("phone", PHONE_NANP, text, () => true) : []),
    ...(digits && text.includes("+") ? candidates("phone", PHONE_INTL, text, isInternationalPhone) : []),
    ...personNames(text),
  ];
  const rank = (c: Candidate) => ENTITY_TYPES.indexOf(c.type);
  all.sort((a, b) => rank(a) - rank(b) || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Candidate[] = [];
  for (const c of all) {
    if (kept.every((k) => c.end <= k.start || c.start >= k.end)) kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start).map((c) => ({ ...c, value: text.slice(c.start, c.end) }));
}

// ---------------------------------------------------------------------------------------------------------------

/** Replaces every digit but the last `keep` with "*", keeping separators: "***-**-6789". */
function maskDigits(value: string, keep: number): string {
  let seen = digitsOf(value).length;
  return value.replace(/\d/g, (d) => (seen-- > keep ? "*" : d));
}

/** Keeps the first letter of each word and masks every other letter and digit: "J*** S****", "A**** **, ****". */
function maskWords(value: string): string {
  return value.replace(/[A-Za-z]+|\d/g, (word) => (/\d/.test(word) ? "*" : word[0] + "*".repeat(word.length - 1)));
}

/**
 * A masked form that keeps a hint of the value but never the value itself: "j***@e***.com", "***-**-6789",
 * "**** **** **** 1111", "(***) ***-**67", "192.*.*.*", "2001:***", "A**** **, ****", "J*** S****".
 */
export function maskEntity(type: EntityType, value: string): string {
  switch (type) {
    case "email": {
      const at = value.lastIndexOf("@");
      const domain = value.slice(at + 1);
      return `${value[0]}***@${domain[0]}***${domain.slice(domain.lastIndexOf("."))}`;
    }
    case "ssn":
    case "credit_card":
      return maskDigits(value, 4);
    case "phone":
      return maskDigits(value, 2);
    case "ip_address":
      return value.includes(":") ? `${value.slice(0, value.indexOf(":"))}:***` : `${value.split(".")[0]}.*.*.*`;
    case "date_of_birth":
    case "person_name":
      return maskWords(value);
  }
}

/** The text with every entity in `spans` (findEntities' by default, in order) replaced by its masked form. */
export function maskEntities(text: string, spans: readonly EntitySpan[] = findEntities(text)): string {
  let out = "";
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + maskEntity(span.type, span.value);
    at = span.end;
  }
  return out + text.slice(at);
}
