// The shared text fields: control characters and bidirectional overrides are refused; ordinary text passes trimmed.
import { describe, expect, it } from "vitest";
import { uploadParams } from "./datasets/upload";
import { callerAs, refusal, snapshot, worldWithDataset } from "./testing";
import { lineText, proseText } from "./validation";

const UNSAFE = ["\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u009b", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"];

describe("lineText", () => {
  it("refuses every control and bidi override, naming it", () => {
    for (const c of [...UNSAFE, "\n", "\r", "\t"]) {
      const r = lineText().max(200).safeParse(`invoice${c}fdp.exe`);
      expect(r.success, JSON.stringify(c)).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/control or bidirectional-override characters \(U\+[0-9A-F]{4} at position 8\)/);
    }
  });

  it("passes ordinary and non-Latin text, trimmed, and keeps the caller's bounds", () => {
    expect(lineText().parse("  Müller – 東京 🙂 ")).toBe("Müller – 東京 🙂");
    expect(lineText().min(1).safeParse("   ").success).toBe(false);
    expect(lineText().max(3).safeParse("abcd").success).toBe(false);
  });
});

describe("proseText", () => {
  it("allows line breaks but no other controls", () => {
    expect(proseText().parse("first line\r\nsecond line\n")).toBe("first line\r\nsecond line");
    for (const c of [...UNSAFE, "\t"]) expect(proseText().safeParse(`a${c}b`).success, JSON.stringify(c)).toBe(false);
  });
});

describe("every name, title and free-text input", () => {
  it("refuses NUL and U+202E as a bad request and writes nothing", async () => {
    const { world, datasetId } = await worldWithDataset("names");
    const admin = callerAs(world.db, world.users.admin);
    const officer = callerAs(world.db, world.users.privacy_officer);
    const engineer = callerAs(world.db, world.users.engineer);
    const before = await snapshot(world.db);
    // Each call made only when awaited, so that none is refused before anything listens.
    const calls = (bad: string) => [
      () => admin.users.create({ email: "x@test.example", name: `Eve${bad}`, role: "auditor" }),
      () => officer.incidents.open({ title: `Leak${bad}ed`, severity: "low" }),
      () => officer.incidents.open({ title: "A leak", description: `line${bad}`, severity: "low" }),
      () => engineer.budgets.request({ datasetId, epsilon: 1, reason: `more${bad}please` }),
    ];
    for (const bad of ["\u0000", "\u202e"]) {
      for (const call of calls(bad)) expect(await refusal(call())).toMatchObject({ code: "BAD_REQUEST" });
      for (const params of [{ name: `data${bad}set` }, { name: "ok", textField: `te${bad}xt` }]) {
        expect(uploadParams.safeParse({ format: "jsonl", textField: "text", ...params }).success).toBe(false);
      }
    }
    expect(await snapshot(world.db)).toEqual(before);
  });
});
