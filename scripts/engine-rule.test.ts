// The engine rule (db/client.ts): code outside db/ queries only through what SQLite and PostgreSQL share, so that
// `DATABASE_URL` alone switches the engine: no SQLite-only synchronous `.get()`, `.all()`, `.run()` or `.values()`,
// no drizzle `db.transaction` (db/client's `transaction()` serialises and retries), no raw driver handle ($client).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const SOURCE = /\.(ts|tsx|mts)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => SOURCE.test(f) && !f.endsWith(".d.ts") && !f.endsWith("engine-rule.test.ts"))
    .map((f) => path.posix.join(dir, f.split(path.sep).join("/")));
}

/** SQLite-only or engine-bypassing calls, with what to use instead. */
const FORBIDDEN: [RegExp, string][] = [
  [/\.get\(\)/, "await first(query)"],
  [/\.all\(\)/, "await query"],
  [/\.run\(\)/, "await query"],
  [/\.transaction\(/, "transaction(db, async (tx) => …) from db/client"],
  [/\$client\b/, "an Engine method in db/"],
];

/** Lines of server-side code that break the rule: `file:line: code (use …)`. */
function violations(files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    readFileSync(path.join(root, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        for (const [pattern, instead] of FORBIDDEN) if (pattern.test(line)) out.push(`${file}:${i + 1}: ${line.trim()} (use ${instead})`);
      });
  }
  return out;
}

describe("the engine rule", () => {
  it("server/, app/, e2e/ and scripts/ use no SQLite-only query call and no raw driver handle", () => {
    const files = ["server", "app", "e2e", "scripts"].flatMap(sourceFiles).filter((f) => !f.includes("/.next/"));
    expect(files.length).toBeGreaterThan(100);
    expect(violations(files)).toEqual([]);
  });

  it("sees a violation when there is one", () => {
    expect(violations(["db/sqlite.ts"]).length).toBeGreaterThan(0);
  });
});
