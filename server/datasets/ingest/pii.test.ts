// Tests of the PII scan: what counts as each entity type and what does not, masking, and the streaming report.
import { describe, expect, it } from "vitest";
import { COMMON_WORD_NAMES, FIRST_NAMES } from "./names";
import { findEntities, luhnValid, maskEntity, type EntityType } from "./pii";
import { createPiiScanner, piiReportSchema } from "./pii-report";

const found = (text: string) => findEntities(text).map(({ type, value }) => [type, value]);
const valuesOf = (type: EntityType, text: string) => findEntities(text).filter((e) => e.type === type).map((e) => e.value);

/** For each type: texts whose finding is exactly the given value, and texts where nothing of that type may be found. */
const CASES: Record<EntityType, { positive: [string, string][]; negative: string[] }> = {
  email: {
    positive: [
      ["write to john.doe+news@mail.example.co.uk today", "john.doe+news@mail.example.co.uk"],
      ["(a_b@example.org)", "a_b@example.org"],
    ],
    negative: ["user@localhost", "an @ sign", "x@y.1", "ends with @example.com", `${"a".repeat(65)}@example.com`],
  },
  credit_card: {
    positive: [
      ["card 4111 1111 1111 1111 exp 12/29", "4111 1111 1111 1111"],
      ["4111-1111-1111-1111", "4111-1111-1111-1111"],
      ["paid with 5555555555554444.", "5555555555554444"],
      ["amex 3782 822463 10005", "3782 822463 10005"],
    ],
    negative: [
      "card 4111 1111 1111 1112",
      "4111 1111-1111 1111",
      "0000 0000 0000 0000",
      "1 2 3 4 5 6 7 8 9 0 1 2 3 0",
      "order 41111111111111110",
    ],
  },
  ssn: {
    positive: [
      ["SSN 123-45-6789.", "123-45-6789"],
      ["ssn: 078 05 1120", "078 05 1120"],
    ],
    negative: ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "123-45 6789", "123456789", "1123-45-6789"],
  },
  ip_address: {
    positive: [
      ["from 192.168.1.23, then", "192.168.1.23"],
      ["host 2001:db8::8a2e:370:7334 up", "2001:db8::8a2e:370:7334"],
      ["loopback ::1", "::1"],
      ["mapped ::ffff:192.0.2.1", "::ffff:192.0.2.1"],
    ],
    negative: ["256.1.1.1", "1.2.3", "1.2.3.4.5", "at 12:30:45", "f :: Int", "MAC 00:1A:2B:3C:4D:5E", "std::vector"],
  },
  date_of_birth: {
    positive: [
      ["Date of birth: 12/04/1990", "12/04/1990"],
      ["DOB 1990-04-12", "1990-04-12"],
      ["I was born in London on 3 March 1985.", "3 March 1985"],
      ["my birthday is May 3rd", "May 3rd"],
      ["D.O.B.: Apr. 12, 1979", "Apr. 12, 1979"],
      ["born 4-12-90", "4-12-90"],
      ["DOB: 1990-04-12. Meeting on 2024-01-05.", "1990-04-12"],
    ],
    negative: [
      "The meeting is on 12/04/1990.",
      "Invoice dated 1990-04-12",
      "born in a small town far away from everything we knew, on 3 March 1985",
      "born\n12/04/1990",
      "birthday 13/13/2020",
    ],
  },
  phone: {
    positive: [
      ["call (555) 123-4567 now", "(555) 123-4567"],
      ["555.123.4567", "555.123.4567"],
      ["+1 555 123 4567", "+1 555 123 4567"],
      ["London +44 20 7946 0958", "+44 20 7946 0958"],
      ["+442079460958", "+442079460958"],
    ],
    negative: ["5551234567", "order 123-4567", "2024-01-15 10:30", "version 1.2.3.4", "+12 34", "555-123-45678"],
  },
  person_name: {
    positive: [
      ["Alice went home.", "Alice"],
      ["I met Anne-Marie O'Brien there", "Anne-Marie O'Brien"],
      ["Will Smith arrived", "Will Smith"],
      ["ask Mrs. May", "May"],
      ["Hi Alice Smith, welcome", "Alice Smith"],
      ["Dr Grace", "Grace"],
      ["Thanks, Jo Baker", "Jo Baker"],
    ],
    negative: [
      "May I come in?",
      "Will you help?",
      "Mark the date.",
      "We met in May.",
      "Grace under pressure",
      "alice went home",
      "ALICE WENT HOME",
      "Hope The Best",
    ],
  },
};

describe("findEntities", () => {
  for (const [type, { positive, negative }] of Object.entries(CASES) as [EntityType, (typeof CASES)[EntityType]][]) {
    it.each(positive)(`finds ${type} in %j`, (text, value) => {
      expect(valuesOf(type, text)).toEqual([value]);
    });
    it.each(negative)(`finds no ${type} in %j`, (text) => {
      expect(valuesOf(type, text)).toEqual([]);
    });
  }

  it("keeps findings apart: the most specific type wins an overlap and offsets point at the value", () => {
    const text = "Alice <alice.smith@example.com> card 4111 1111 1111 1111 from 10.0.0.1";
    expect(found(text)).toEqual([
      ["person_name", "Alice"],
      ["email", "alice.smith@example.com"],
      ["credit_card", "4111 1111 1111 1111"],
      ["ip_address", "10.0.0.1"],
    ]);
    for (const entity of findEntities(text)) expect(text.slice(entity.start, entity.end)).toBe(entity.value);
  });

  it("stays linear on long runs that almost match", async () => {
    const started = performance.now();
    findEntities(`${"a".repeat(200_000)}@`);
    findEntities(`+${"1".repeat(200_000)}`);
    findEntities(":".repeat(200_000));
    findEntities("1 ".repeat(100_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("luhnValid", () => {
  it("accepts valid numbers and refuses a changed digit", () => {
    expect(["4111111111111111", "5555555555554444", "378282246310005", "79927398713"].map(luhnValid)).toEqual([true, true, true, true]);
    expect(["4111111111111112", "79927398710"].map(luhnValid)).toEqual([false, false]);
  });
});

describe("maskEntity", () => {
  it.each([
    ["email", "john.doe@example.com", "j***@e***.com"],
    ["ssn", "123-45-6789", "***-**-6789"],
    ["credit_card", "4111 1111 1111 1111", "**** **** **** 1111"],
    ["phone", "(555) 123-4567", "(***) ***-**67"],
    ["ip_address", "192.168.1.23", "192.*.*.*"],
    ["ip_address", "2001:db8::1", "2001:***"],
    ["date_of_birth", "April 12, 1990", "A**** **, ****"],
    ["person_name", "John Smith", "J*** S****"],
    ["person_name", "Al", "A*"],
  ] as [EntityType, string, string][])("masks %s %j as %j", (type, value, masked) => {
    expect(maskEntity(type, value)).toBe(masked);
  });

  it("never contains the value it masks, for every positive case", () => {
    for (const [type, { positive }] of Object.entries(CASES) as [EntityType, (typeof CASES)[EntityType]][]) {
      for (const [, value] of positive) expect(maskEntity(type, value)).not.toContain(value);
    }
  });
});

describe("createPiiScanner", () => {
  it("counts occurrences and records per type and field, with at most three distinct masked examples", () => {
    const scanner = createPiiScanner();
    const emails = ["ann@example.com", "bob@example.org", "cy@example.net", "dee@example.io"];
    for (const email of emails) {
      scanner.scanRecord({ text: `mail ${email} or ${email}`, subject: null, fields: { note: "SSN 123-45-6789" } });
    }
    scanner.scanRecord({ text: "nothing here", subject: "s", fields: {} });
    const report = piiReportSchema.parse(scanner.report());
    expect(report).toMatchObject({ version: 1, recordsScanned: 5, recordsWithPii: 4 });
    expect(report.byType.email).toEqual({ count: 8, records: 4, examples: ["a***@e***.com", "b***@e***.org", "c***@e***.net"] });
    expect(report.byType.ssn).toEqual({ count: 4, records: 4, examples: ["***-**-6789"] });
    expect(report.byType.phone).toEqual({ count: 0, records: 0, examples: [] });
    expect(report.byField).toEqual({ note: { ssn: 4 }, text: { email: 8 } });
    const json = JSON.stringify(report);
    for (const raw of [...emails, "123-45-6789"]) expect(json).not.toContain(raw);
  });

  it("does not scan the subject id", () => {
    const scanner = createPiiScanner();
    scanner.scanRecord({ text: "hello", subject: "ann@example.com", fields: {} });
    expect(scanner.report().recordsWithPii).toBe(0);
  });
});

describe("name lists", () => {
  it("come from the installed packages and mark ordinary words", () => {
    expect(FIRST_NAMES.size).toBeGreaterThan(8000);
    for (const name of ["May", "Will", "Mark", "Grace", "June", "Bill"]) expect(COMMON_WORD_NAMES.has(name)).toBe(true);
    for (const name of ["Alice", "John", "Priya"].filter((n) => FIRST_NAMES.has(n))) expect(COMMON_WORD_NAMES.has(name)).toBe(false);
    for (const name of COMMON_WORD_NAMES) expect(FIRST_NAMES.has(name), name).toBe(true);
  });
});
