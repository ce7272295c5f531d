// Playwright: end-to-end tests in a real Chromium against a production build served on port 3100.
import fs from "node:fs";
import { chromium, defineConfig } from "@playwright/test";
import { E2E_URL } from "./e2e/env";

/** Playwright's own Chromium when it is installed, else Debian's (CI cannot download Playwright's). */
function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return fs.existsSync(chromium.executablePath()) ? undefined : "/usr/bin/chromium";
}

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./e2e/global-setup.ts",
  // One at a time: specs assert that a refused request left the whole database unchanged, which a spec running
  // beside it would break by seeding its own users.
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "reports/playwright.json" }]],
  use: {
    baseURL: E2E_URL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromiumExecutable(),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
