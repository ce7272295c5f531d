// The Federation page in a real browser: an admin registers a party and is shown its one-time token and the command
// to run; the real party process enrols through the dashboard's endpoints and states its units; every reader sees the
// party enrolled (engineers without the admin's form); a forged message is refused and changes nothing; a privacy
// officer's declarations are refused below three enrolled parties, with the reason, recording nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_URL } from "./env";
import { databaseSnapshot, seedUser, signIn } from "./helpers";

function party(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["tsx", "trainer/federation/party-cli.ts", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code: code ?? -1, stderr }));
  });
}

test("an admin registers a party; the party process enrols itself; readers see it; declarations need three parties", async ({ page, browser }) => {
  test.setTimeout(120_000);
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
});
