// Tests of the PII detector's goals on its labelled evaluation set, names across cultures and cases, and minimising leaving none.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { minimiseDataset } from "./minimise";
import { ENTITY_TYPES, findEntities, type EntityType } from "./pii";
import { evaluateShippedSet, parseGoldSet } from "./pii-evaluation";
import { MEASURED_RECALL, recallLowerBound } from "./pii-recall";
import { serialiseRecord, type NormalisedRecord } from "./records";
import { scratchDir } from "./testing";

const valuesOf = (type: EntityType, text: string) => findEntities(text).filter((e) => e.type === type).map((e) => e.value);

describe("the evaluation set", () => {
  const evaluation = evaluateShippedSet();

  it("has several hundred records and gold spans of every type", () => {
    expect(evaluation.records).toBeGreaterThanOrEqual(300);
    for (const type of ENTITY_TYPES) expect(evaluation.byType[type].gold, type).toBeGreaterThanOrEqual(30);
  });

  it.each(ENTITY_TYPES)("meets the goals for %s: recall and precision at least 0.95", (type) => {
    const score = evaluation.byType[type];
    expect(score.recall, JSON.stringify(evaluation.mismatches.slice(0, 5))).toBeGreaterThanOrEqual(0.95);
    expect(score.precision, JSON.stringify(evaluation.mismatches.slice(0, 5))).toBeGreaterThanOrEqual(0.95);
  });

  it("is what pii-recall.ts states, so the reports quote the measured recall", () => {
    for (const type of ENTITY_TYPES) {
      expect(MEASURED_RECALL[type], type).toEqual({
        recall: Math.round(evaluation.byType[type].recall * 1000) / 1000,
        gold: evaluation.byType[type].gold,
      });
    }
  });

  it("refuses a malformed labelled line, naming it", () => {
    expect(() => parseGoldSet('{"text": "a", "entities": []}\n{"text": 1}')).toThrow(/line 2/);
    expect(() => parseGoldSet('{"text": "ab", "entities": [{"type": "email", "start": 0, "end": 5}]}')).toThrow(/line 1/);
  });
});

describe("recallLowerBound", () => {
  it("is below the measured recall and closer to it with more labels", () => {
    expect(recallLowerBound(1, 50)).toBeLessThan(1);
    expect(recallLowerBound(1, 500)).toBeGreaterThan(recallLowerBound(1, 50));
    expect(recallLowerBound(0.9, 100)).toBeLessThan(0.9);
  });
});

describe("person names across cultures and cases", () => {
  it.each([
    ["José García called yesterday", "José García"],
    ["Zhang Wei will join", "Zhang Wei"],
    ["Dr. Müller is on leave", "Müller"],
    ["ask Ms. Nguyen", "Nguyen"],
    ["Sra. López firmó", "López"],
    ["M. Dupont est arrivé", "Dupont"],
    ["Herr Schröder kommt", "Schröder"],
    ["Ludwig van Beethoven", "Ludwig van Beethoven"],
    ["Nguyen Van An paid", "Nguyen Van An"],
    ["Kim Min-jun joined", "Kim Min-jun"],
    ["Fatima Al-Farsi", "Fatima Al-Farsi"],
    ["Chinedu Okafor", "Chinedu Okafor"],
    ["I spoke to Siddharth Rao today", "Siddharth Rao"],
    ["PATIENT: JOHN SMITH", "JOHN SMITH"],
    ["my name is mary jones", "mary jones"],
    ["My name is Oluwadamilare Ogunbanjo.", "Oluwadamilare Ogunbanjo"],
    ["Best regards,\nThandeka Mabuza", "Thandeka Mabuza"],
    ["From: Bolormaa Batbayar <b@example.com>", "Bolormaa Batbayar"],
    ["dear sun lan, see you", "sun lan"],
    ["hi priya", "priya"],
  ])("finds the name in %j", (text, name) => {
    expect(valuesOf("person_name", text)).toEqual([name]);
  });

  it.each([
    "Hong Kong is expensive",
    "Long Beach has great weather",
    "Dear Customer, your parcel is on its way",
    "Regards,\nAcme Corporation",
    "The Patient Care Unit moved",
    "Saint Lucia is an island",
    "Sao Paulo and Rio",
    "New York Times",
    "Red Cross volunteers",
    "dear will, thanks",
    "To: All Staff",
    "my name is not important",
  ])("finds no name in %j", (text) => {
    expect(valuesOf("person_name", text)).toEqual([]);
  });

  it("takes nine bare digits as an SSN only after a cue, and zero-padded IPv4", () => {
    expect(valuesOf("ssn", "SSN 123456789")).toEqual(["123456789"]);
    expect(valuesOf("ssn", "social security number: 078051120.")).toEqual(["078051120"]);
    expect(valuesOf("ssn", "order 123456789")).toEqual([]);
    expect(valuesOf("ssn", "SSN\n123456789")).toEqual([]);
    expect(valuesOf("ip_address", "from 010.001.002.003 today")).toEqual(["010.001.002.003"]);
    expect(valuesOf("ip_address", "host 2001:db8::8a2e:370:7334.")).toEqual(["2001:db8::8a2e:370:7334"]);
  });

  it("stays linear on long runs of names, cues and honorifics", () => {
    const started = performance.now();
    findEntities("Dear José García, ".repeat(20_000));
    findEntities("Dr. ".repeat(50_000));
    findEntities("SSN 123456789 ".repeat(20_000));
    findEntities("A ".repeat(100_000));
    expect(performance.now() - started).toBeLessThan(4000);
  });
});

describe("minimising with every type redacted", () => {
  it("leaves no name of the issue's examples, and the new version's report says so with the measured recall", async () => {
    const texts = [
      "José García wrote to Zhang Wei",
      "Dr. Müller saw Ms. Nguyen",
      "PATIENT: JOHN SMITH, SSN 123456789, from 010.001.002.003",
      "my name is mary jones",
    ];
    const dir = await scratchDir();
    const sourcePath = join(dir, "parent.jsonl");
    const records: NormalisedRecord[] = texts.map((text) => ({ text, subject: null, fields: {} }));
    await writeFile(sourcePath, records.map(serialiseRecord).join(""));
    const entities = { person_name: "redact", ssn: "redact", ip_address: "redact" } as const;
    const summary = await minimiseDataset({ sourcePath, destination: join(dir, "child.jsonl"), plan: { entities } });
    const written = await readFile(join(dir, "child.jsonl"), "utf8");
    for (const name of ["José", "García", "Zhang", "Müller", "Nguyen", "JOHN", "mary", "123456789", "010.001"]) {
      expect(written).not.toContain(name);
    }
    expect(summary.changes.byType.person_name?.redacted).toBe(6);
    expect(summary.pii.recordsWithPii).toBe(0);
    expect(summary.pii.detectorRecall?.person_name).toEqual(MEASURED_RECALL.person_name);
  });
});
