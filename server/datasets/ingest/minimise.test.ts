// Tests of data minimisation: each entity and field action, the plan's refusals, and the new version's summary.
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MinimisationError, maskValue, minimisationPlanSchema, minimiseDataset, type MinimisationPlanInput } from "./minimise";
import { serialiseRecord, type NormalisedRecord } from "./records";
import { filesIn, scratchDir } from "./testing";


const RECORDS: NormalisedRecord[] = [
  { text: "Mail ann@example.com, card 4111 1111 1111 1111", subject: "s1", fields: { city: "Paris", phone: "call (555) 123-4567" } },
  { text: "Alice Smith lives here", subject: "s1", fields: { city: "Oslo" } },
  { text: "Server 10.0.0.1 is down", subject: "s2", fields: {} },
];

async function minimise(plan: MinimisationPlanInput, records: NormalisedRecord[] = RECORDS) {
  const dir = await scratchDir();
  const sourcePath = join(dir, "parent.jsonl");
  const parent = records.map(serialiseRecord).join("");
  await writeFile(sourcePath, parent);
  const destination = join(dir, "child.jsonl");
  const summary = await minimiseDataset({ sourcePath, destination, plan });
  const lines = (await readFile(destination, "utf8")).trimEnd().split("\n");
  return { summary, parent, dir, destination, records: lines.map((line) => JSON.parse(line) as NormalisedRecord) };
}

describe("minimiseDataset", () => {
  it("redacts entity types with typed placeholders and leaves the rest", async () => {
    const { records, summary } = await minimise({ entities: { email: "redact", credit_card: "redact", phone: "redact" } });
    expect(records[0]).toEqual({
      text: "Mail [EMAIL], card [CREDIT_CARD]",
      subject: "s1",
      fields: { city: "Paris", phone: "call [PHONE]" },
    });
    expect(records[1]?.text).toBe("Alice Smith lives here");
    expect(summary.changes.byType).toEqual({
      email: { redacted: 1, masked: 0, recordsDropped: 0 },
      credit_card: { redacted: 1, masked: 0, recordsDropped: 0 },
      phone: { redacted: 1, masked: 0, recordsDropped: 0 },
    });
    expect(summary.pii.byType.email.count).toBe(0);
    expect(summary.pii.byType.person_name.count).toBe(1);
  });

  it("masks entity types like the report's examples", async () => {
    const { records } = await minimise({ entities: { email: "mask", person_name: "mask", ip_address: "mask" } });
    expect(records.map((r) => r.text)).toEqual([
      "Mail a***@e***.com, card 4111 1111 1111 1111",
      "A**** S**** lives here",
      "Server 10.*.*.* is down",
    ]);
  });

  it("drops the records that hold a type, counting them per type, and keeps the subject of the rest", async () => {
    const { records, summary } = await minimise({ entities: { ip_address: "drop_record", person_name: "drop_record" } });
    expect(records.map((r) => r.subject)).toEqual(["s1"]);
    expect(summary).toMatchObject({ dropped: 2, recordCount: 1, subjectCount: 1, maxRecordsPerSubject: 1 });
    expect(summary.changes.byType).toEqual({
      ip_address: { redacted: 0, masked: 0, recordsDropped: 1 },
      person_name: { redacted: 0, masked: 0, recordsDropped: 1 },
    });
  });

  it("drops, redacts or masks fields; a field action takes precedence over entity actions inside it", async () => {
    const { records, summary } = await minimise({
      entities: { phone: "drop_record" },
      fields: { phone: "drop", city: "mask", text: "redact" },
    });
    expect(records).toEqual([
      { text: "[REDACTED]", subject: "s1", fields: { city: "P****" } },
      { text: "[REDACTED]", subject: "s1", fields: { city: "O***" } },
      { text: "[REDACTED]", subject: "s2", fields: {} },
    ]);
    expect(summary.dropped).toBe(0);
    expect(summary.fields).toEqual(["city"]);
    expect(summary.changes.byField).toEqual({
      city: { dropped: 0, masked: 2, redacted: 0 },
      phone: { dropped: 1, masked: 0, redacted: 0 },
      text: { dropped: 0, masked: 0, redacted: 3 },
    });
  });

  it("masks the entities of a masked field, or the whole value but its first character", () => {
    expect(maskValue("call (555) 123-4567 or ann@example.com")).toBe("call (***) ***-**67 or a***@e***.com");
    expect(maskValue("Paris")).toBe("P****");
    expect(maskValue("x")).toBe("*");
  });

  it("summarises the new version: parent digest as source, its own content digest and PII report", async () => {
    const { summary, parent, destination } = await minimise({ entities: { email: "redact" } });
    const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
    expect(summary.sourceDigest).toBe(sha256(parent));
    expect(summary.bytes).toBe(Buffer.byteLength(parent));
    expect(summary.contentDigest).toBe(sha256(await readFile(destination)));
    expect(summary).toMatchObject({ recordCount: 3, subjectCount: 2, maxRecordsPerSubject: 2, dropped: 0 });
    expect(summary.pii.recordsScanned).toBe(3);
  });

  it("refuses a plan that drops the text, has no action, or would drop every record, and keeps nothing", async () => {
    await expect(minimise({ fields: { text: "drop" } })).rejects.toThrow(new MinimisationError("the text field cannot be dropped"));
    await expect(minimise({ subject: "keep" })).rejects.toThrow("the plan has no action");
    const dir = await scratchDir();
    const sourcePath = join(dir, "parent.jsonl");
    await writeFile(sourcePath, RECORDS.map(serialiseRecord).join(""));
    const plan = { entities: { email: "drop_record", person_name: "drop_record", ip_address: "drop_record" } } as const;
    await expect(minimiseDataset({ sourcePath, destination: join(dir, "child.jsonl"), plan })).rejects.toThrow(
      "the plan would drop every record",
    );
    expect(await filesIn(dir)).toEqual(["parent.jsonl"]);
    await expect(minimiseDataset({ sourcePath, destination: sourcePath, plan })).rejects.toThrow("a new file");
  });

  it("refuses a source file that is not a normalised dataset version", async () => {
    const dir = await scratchDir();
    const sourcePath = join(dir, "parent.jsonl");
    await writeFile(sourcePath, '{"text":"ok","subject":null,"fields":{}}\n{"text":""}\n');
    const run = minimiseDataset({ sourcePath, destination: join(dir, "child.jsonl"), plan: { entities: { email: "mask" } } });
    await expect(run).rejects.toThrow(`${sourcePath}:2 is not a normalised record`);
    expect(await filesIn(dir)).toEqual(["parent.jsonl"]);
  });
});

describe("minimisationPlanSchema", () => {
  it("fills defaults, so a stored plan reads back the same", () => {
    const plan = minimisationPlanSchema.parse({ entities: { ssn: "redact" } });
    expect(plan).toEqual({ entities: { ssn: "redact" }, fields: {}, subject: "keep" });
    expect(minimisationPlanSchema.parse(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it("refuses unknown entity types, actions and keys", () => {
    expect(minimisationPlanSchema.safeParse({ entities: { passport: "redact" } }).success).toBe(false);
    expect(minimisationPlanSchema.safeParse({ entities: { email: "drop" } }).success).toBe(false);
    expect(minimisationPlanSchema.safeParse({ fields: { city: "drop_record" } }).success).toBe(false);
    expect(minimisationPlanSchema.safeParse({ fields: { city: "drop" }, subject: "drop" }).success).toBe(false);
    expect(minimisationPlanSchema.safeParse({ fields: { city: "drop" }, extra: 1 }).success).toBe(false);
  });
});

describe("a plan that does not fit the version", () => {
  it("is refused naming the field or entity type the version does not hold, and writes nothing", async () => {
    for (const [plan, named] of [
      [{ fields: { postcode: "drop" } }, /field "postcode", which this version does not have/],
      [{ entities: { email: "redact", ssn: "mask" } }, /entity type "ssn", which this version does not hold/],
      [{ fields: { city: "mask", zip: "drop", zap: "redact" } }, /fields "zip", "zap"/],
    ] as const) {
      const dir = await scratchDir();
      const sourcePath = join(dir, "parent.jsonl");
      await writeFile(sourcePath, RECORDS.map(serialiseRecord).join(""));
      await expect(minimiseDataset({ sourcePath, destination: join(dir, "child.jsonl"), plan })).rejects.toThrow(named);
      expect(await filesIn(dir)).toEqual(["parent.jsonl"]);
    }
  });
});
