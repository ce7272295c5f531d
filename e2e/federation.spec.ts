// The Federation page in a real browser: an admin registers a party and is shown its one-time token and the command
// to run; the real party process enrols through the dashboard's endpoints and states its units; every reader sees the
// party enrolled (engineers without the admin's form); a forged message is refused and changes nothing; a privacy
// officer's declarations are refused below three enrolled parties, with the reason, recording nothing, and recorded
// with three; an engineer launches a federated run from the form (no party answers, so it fails having spent
// nothing) and "Launch again with these settings" fills the federated form with its settings.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { eq } from "drizzle-orm";
import { first } from "../db/client";
import { datasets, runs } from "../db/schema";
import { setBudget } from "../server/budgets/service";
import { E2E_URL } from "./env";
import { databaseSnapshot, seedUser, signIn, withDb } from "./helpers";

function party(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["tsx", "trainer/federation/party-cli.ts", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code: code ?? -1, stderr }));
  });
}

test("an admin registers a party; the party process enrols itself; readers see it; declarations need three parties", async ({ page, browser }) => {
  test.setTimeout(240_000);
  const admin = await seedUser("admin");
  await signIn(page, admin);
  await page.goto("/federation");
  const name = `Hospital ${Date.now()}`;
  const form = page.getByRole("form", { name: "Register a party" });
  await form.getByLabel("Institution").fill(name);
  await form.getByRole("button", { name: "Register" }).click();
  const issued = page.getByTestId("enrolment-token");
  await expect(issued).toContainText("npm run party -- --coordinator");
  const command = await issued.locator("pre").innerText();
  const token = /--token (\S+)/.exec(command)![1]!;
  await expect(page.getByTestId(`party-${name}`)).toContainText("invited: waiting for enrolment");

  const dir = mkdtempSync(path.join(tmpdir(), "e2e-party-"));
  const data = path.join(dir, "records.jsonl");
  writeFileSync(data, [{ text: "a", subject: "x" }, { text: "b", subject: "y" }, { text: "c", subject: "x" }].map((r) => JSON.stringify(r)).join("\n"));
  const run = await party(["--coordinator", E2E_URL, "--token", token, "--data", data, "--key", path.join(dir, "key.json"), "--once"]);
  expect(run).toEqual({ code: 0, stderr: "" });

  const engineer = await seedUser("engineer");
  const eng = await browser.newPage();
  await signIn(eng, engineer);
  await eng.goto("/federation");
  const row = eng.getByTestId(`party-${name}`);
  await expect(row).toContainText("enrolled");
  await expect(row.locator("td").nth(3)).toHaveText("2");
  await expect(eng.getByRole("form", { name: "Register a party" })).toHaveCount(0);

  // A message signed by no enrolled key: refused, and nothing but the refusal's audit entry is written.
  const before = await databaseSnapshot();
  const forged = await eng.request.post("/api/federation/messages", {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({ message: { party: "00000000-0000-4000-8000-000000000000", seq: 1, sent_at: new Date().toISOString(), type: "status", body: { stated_units: 5 } }, signature: `${"A".repeat(86)}==` }),
  });
  expect(forged.status()).toBe(401);
  expect(await forged.json()).toEqual({ error: { code: "UNAUTHORIZED", message: "The party is not enrolled." } });
  const after = await databaseSnapshot();
  expect(after.federation_parties).toEqual(before.federation_parties);

  // A privacy officer sees the federation's lineage; recording declarations needs three enrolled parties, and a
  // refusal says so and records nothing.
  const officer = await seedUser("privacy_officer");
  const off = await browser.newPage();
  await signIn(off, officer);
  await off.goto("/federation");
  const cohort = off.getByTestId("cohort");
  await expect(cohort).toContainText("Federated parties");
  const unchanged = await databaseSnapshot();
  await cohort.getByRole("button", { name: "Record the enrolled parties' declarations" }).click();
  await expect(cohort).toContainText(/enrolled; a federated run needs at least 3, so that no party can learn another's update from the sum/);
  const later = await databaseSnapshot();
  expect([later.dataset_versions, later.federation_declarations, later.audit_log]).toEqual([unchanged.dataset_versions, unchanged.federation_declarations, unchanged.audit_log]);
  await expect(off.getByTestId("rounds")).toContainText("Rounds");

  // Two more parties enrol; with three, the officer records their declarations, sets the federation's party-level
  // budget and grants the engineer the lineage.
  for (const more of ["Clinic", "Bank"]) {
    const moreName = `${more} ${Date.now()}`;
    await form.getByLabel("Institution").fill(moreName);
    await form.getByRole("button", { name: "Register" }).click();
    await expect(page.getByTestId(`party-${moreName}`)).toContainText("invited");
    const moreToken = /--token (\S+)/.exec(await issued.locator("pre").innerText())![1]!;
    expect(moreToken).not.toBe(token);
    const enrolled = await party(["--coordinator", E2E_URL, "--token", moreToken, "--data", data, "--key", path.join(dir, `${more}.json`), "--once"]);
    expect(enrolled).toEqual({ code: 0, stderr: "" });
  }
  await cohort.getByRole("button", { name: "Record the enrolled parties' declarations" }).click();
  await expect(cohort).toContainText("Recorded as version 1.");
  await expect(cohort.getByTestId("declarations")).toContainText("3 parties");
  const datasetId = await withDb(async (db) => (await first(db.select().from(datasets).where(eq(datasets.federation, true))))!.id);
  await withDb((db) => setBudget(db, { id: officer.id, email: officer.email, role: "privacy_officer" }, { datasetId, epsilon: 30, delta: 1e-5, privacyUnit: "party", renewsOn: "2099-01-01" }));
  await off.goto(`/datasets/${datasetId}`);
  const grant = off.getByRole("form", { name: "Grant access" });
  await grant.getByLabel("Engineer").selectOption({ label: engineer.email });
  await grant.getByRole("button", { name: "Grant access" }).click();
  await expect(off.getByTestId(`access-${engineer.email}`)).toContainText(`granted by ${officer.email}`);

  // The engineer launches a federated run from the form, with the server's projection; no party process is running,
  // so every round is abandoned for want of answers and the run fails, having spent nothing. "Launch again with these
  // settings" opens the federated form, filled with the run's settings.
  await eng.goto("/federation");
  const launch = eng.getByRole("form", { name: "Launch a federated run" });
  await launch.getByLabel("Rounds").fill("3");
  await launch.getByLabel("Seconds to wait for each answer").fill("5");
  await launch.getByRole("combobox", { name: /^Noise/ }).selectOption("distributed");
  await expect(eng.getByTestId("federated-projection")).toContainText("With distributed noise each round is charged as the Gaussian of the same zCDP");
  await launch.getByRole("button", { name: "Launch" }).click();
  await expect(eng).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = eng.url().split("/").at(-1)!;
  await expect(eng.getByTestId("run-federated")).toBeVisible();
  await expect(eng.getByTestId("run-status")).toHaveText("failed", { timeout: 90_000 });
  expect((await withDb((db) => first(db.select().from(runs).where(eq(runs.id, runId)))))!.chargedSteps).toBe(0);
  await expect(eng.getByTestId("failure-reason")).toHaveText("Too few parties answered: several rounds in a row were abandoned.");
  await eng.getByRole("link", { name: "Launch again with these settings" }).click();
  await expect(eng).toHaveURL(`/federation?from=${runId}`);
  await expect(eng.getByTestId("cloned-from")).toContainText(`Settings copied from run ${runId.slice(0, 8)}, on the latest declarations (version 1)`);
  await expect(launch.getByLabel("Rounds")).toHaveValue("3");
  await expect(launch.getByLabel("Seconds to wait for each answer")).toHaveValue("5");
  await expect(launch.getByRole("combobox", { name: /^Noise/ })).toHaveValue("distributed");
  await expect(eng.getByTestId("rounds")).toContainText("abandoned");
});
