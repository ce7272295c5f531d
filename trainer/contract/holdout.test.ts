// The hold-out as a neighbour sees it: the CLI (`trainer -- holdout`) on a file and on the same file less one line
// changes the membership of that one unit only; ids do not depend on position or formatting; about the fraction is
// held out; the key decides; bad arguments and malformed files are refused.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";
import { HOLDOUT_FRACTION, holdoutOfFile, isHeldOut, recordUnitId, unitOf } from "./holdout";
import type { NormalisedRecord } from "./normalised-record";

const root = path.resolve(import.meta.dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "holdout-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const KEY = randomBytes(32).toString("hex");

function records(n: number, subjects: number): NormalisedRecord[] {
  return Array.from({ length: n }, (_, i) => ({ text: `mail ${i}: ${randomBytes(6).toString("hex")}`, subject: `person-${i % subjects}`, fields: { label: i % 2 ? "spam" : "ham" } }));
}

function writeFile(name: string, rows: readonly NormalisedRecord[]): string {
  const file = path.join(work, name);
  writeFileSync(file, rows.map((r) => `${JSON.stringify({ text: r.text, subject: r.subject, fields: r.fields })}\n`).join(""));
  return file;
}

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "trainer/cli.ts", "holdout", ...args], { cwd: root, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Summary {
  held_out: string[];
  training_units: number;
  held_out_units: number;
}

/** Every unit whose side (held out, training, absent) differs between two summaries of files with the given ids. */
function changed(a: Summary, aIds: Set<string>, b: Summary, bIds: Set<string>): string[] {
  const side = (s: Summary, ids: Set<string>, id: string) => (!ids.has(id) ? "absent" : s.held_out.includes(id) ? "held out" : "training");
  return [...new Set([...aIds, ...bIds])].filter((id) => side(a, aIds, id) !== side(b, bIds, id));
}

describe("trainer holdout CLI", () => {
  for (const unit of ["record", "subject"] as const) {
    it(`removing one ${unit} from the file changes the membership of that ${unit} only`, () => {
      // Records: 600 of their own. Subjects: 300 people with two records each, interleaved in the file.
      const rows = unit === "record" ? records(600, 600) : records(600, 300);
      const full = writeFile(`${unit}-full.jsonl`, rows);
      const ids = new Set(rows.map((r) => unitOf(r, unit).id));
      const a = JSON.parse(cli(["--input", full, "--unit", unit, "--key", KEY, "--json"]).stdout) as Summary;
      expect(a.training_units + a.held_out_units).toBe(ids.size);
      expect(a.held_out_units).toBe(a.held_out.length);
      expect(a.held_out_units).toBeGreaterThan(0);

      // Remove every line of one unit (for a subject: all its records) from the middle of the file, where a
      // position- or rank-based cut would have moved others; once with a held-out unit and once with a trained one.
      for (const removed of [a.held_out[0]!, [...ids].find((id) => !a.held_out.includes(id))!]) {
        const less = rows.filter((r) => unitOf(r, unit).id !== removed);
        expect(less.length).toBeLessThan(rows.length);
        const lessIds = new Set(less.map((r) => unitOf(r, unit).id));
        const run = cli(["--input", writeFile(`${unit}-less.jsonl`, less), "--unit", unit, "--key", KEY, "--json"]);
        expect(run.code).toBe(0);
        const b = JSON.parse(run.stdout) as Summary;
        expect(changed(a, ids, b, lessIds)).toEqual([removed]);
        expect(b.training_units + b.held_out_units).toBe(ids.size - 1);
      }
    }, 120_000);
  }

  it("refuses bad arguments with a message naming them (exit 2) and a malformed file (exit 1)", () => {
    const file = writeFile("small.jsonl", records(5, 5));
    const bad = [
      [["--input", file, "--unit", "person", "--key", KEY], "--unit"],
      [["--input", file, "--unit", "record", "--key", "abc"], "--key"],
      [["--input", file, "--unit", "record", "--key", KEY, "--fraction", "1.5"], "--fraction"],
      [["--input", path.join(work, "missing.jsonl"), "--unit", "record", "--key", KEY], "--input"],
      [["--unit", "record", "--key", KEY], "--input"],
      [["--input", file, "--unit", "record", "--key", KEY, "--colour", "red"], "--colour"],
    ] as const;
    for (const [args, named] of bad) {
      const run = cli([...args]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain(named);
      expect(run.stdout).toBe("");
    }
    const broken = path.join(work, "broken.jsonl");
    writeFileSync(broken, '{"text":"a","subject":null,"fields":{}}\nnot json\n');
    const run = cli(["--input", broken, "--unit", "record", "--key", KEY, "--json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("broken.jsonl:2");
    expect(run.stdout).toBe("");
  }, 120_000); // seven trainer processes, each starting tsx
});

describe("hold-out membership", () => {
  it("a record's id is the SHA-256 of its canonical JSON: independent of position, key order and whitespace", async () => {
    const record = { text: "hello", subject: null, fields: { b: "2", a: "1" } };
    expect(recordUnitId(record)).toBe(recordUnitId({ fields: { a: "1", b: "2" }, subject: null, text: "hello" }));
    const file = path.join(work, "formats.jsonl");
    writeFileSync(file, `{"text":"x","subject":null,"fields":{}}\n{ "fields": {"b":"2","a":"1"}, "subject": null, "text": "hello" }\n`);
    const summary = await holdoutOfFile(file, { unit: "record", key: KEY, fraction: 0.999999 });
    expect(summary.held_out).toContain(recordUnitId(record));
    expect(recordUnitId(record)).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson(record)).toBe('{"fields":{"a":"1","b":"2"},"subject":null,"text":"hello"}');
  });

  it("holds out about the fraction, independently per unit, and the key decides which", () => {
    const n = 20_000;
    const key = Buffer.from(KEY, "hex");
    const other = randomBytes(32);
    let a = 0;
    let both = 0;
    for (let i = 0; i < n; i++) {
      const unit = { kind: "subject" as const, id: `s${i}` };
      const x = isHeldOut(key, unit);
      a += Number(x);
      both += Number(x && isHeldOut(other, unit));
    }
    // Binomial(n, 0.1): standard deviation about 42, so 6 of them either side.
    expect(Math.abs(a - n * HOLDOUT_FRACTION)).toBeLessThan(6 * Math.sqrt(n * 0.09));
    // Another key picks a near-independent set: overlap about n * 0.01.
    expect(Math.abs(both - n * 0.01)).toBeLessThan(6 * Math.sqrt(n * 0.0099));
  });

  it("a record without a subject is its own unit at subject level", () => {
    const record = { text: "no one", subject: null, fields: {} };
    expect(unitOf(record, "subject")).toEqual({ kind: "record", id: recordUnitId(record) });
    expect(unitOf({ ...record, subject: "p1" }, "subject")).toEqual({ kind: "subject", id: "p1" });
  });
});
