// End-to-end test of `npm run verify`: spawns the CLI through tsx on export files and checks its output and exit codes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildBundle } from "./bundle";
import { exampleInput } from "./testing";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "provenance-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = buildBundle(exampleInput());
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const good = file("good.json", text);
const tampered = file("tampered.json", text.replace('"tree_size":8', '"tree_size":9'));
const weights = file("weights.safetensors", "fine-tuned weights");

const verify = (...args: string[]) =>
  spawnSync("node", ["--import", "tsx", "server/provenance/verify-cli.ts", ...args], { cwd: root, encoding: "utf8", timeout: 30_000 });

describe("verify CLI", () => {
  it("exits 0 and prints every check as passed for a valid export, with its weights", () => {
    const run = verify(good, "--weights", weights);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.slice(0, -1).every((line) => line.startsWith("PASS "))).toBe(true);
    expect(lines).toContain("PASS envelope signature: Ed25519 over the DSSE PAE, by the public key");
    expect(lines.at(-1)).toBe(`verified: ${lines.length - 1} checks passed`);
  });

  it("exits 1 and names the failed checks for a changed export, also as JSON", () => {
    const run = verify(tampered);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAIL tree head signature: /m);
    expect(run.stdout.trim().split("\n").at(-1)).toMatch(/^NOT verified: \d+ of \d+ checks failed$/);
    const json = verify(tampered, "--json");
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toContain("tree head signature");
  });

  it("exits 1 for other weights, and 2 for bad arguments or an unreadable file", () => {
    expect(verify(good, "--weights", file("other.safetensors", "other")).status).toBe(1);
    for (const args of [[], [good, "--colour"], [join(dir, "missing.json")]]) {
      const run = verify(...args);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/usage: npm run verify/);
    }
  });
});
