// The governed path in a real browser: an engineer uploads and minimises data with PII, a privacy officer sets the
// budget, an overspending run is refused before training, more budget is requested and approved, and an engineer
// without access cannot see the dataset.
import { expect, test } from "@playwright/test";
import { E2E_URL } from "./env";
import { databaseSnapshot, errorAlert, openSection, seedUser, signIn } from "./helpers";

const RECORDS = [
  { text: "Patient Alice Smith, alice.smith@example.com, asked about her bill", patient: "p1" },
  { text: "Please call me back on 555-867-5309", patient: "p1" },
  { text: "My card 4111 1111 1111 1111 was charged twice", patient: "p2" },
  { text: "Thanks for the quick answer", patient: "p3" },
];

test("upload, minimise, budget, refused overspend, request and approval, and access", async ({ browser }) => {
  const name = `support-${Date.now()}`;
  const engineer = await seedUser("engineer");
  const officer = await seedUser("privacy_officer");
  const outsider = await seedUser("engineer");
  const eng = await browser.newPage();
  const off = await browser.newPage();

  // The engineer uploads a JSONL file with PII and sees the scan.
  await signIn(eng, engineer);
  await openSection(eng, "Datasets");
  const upload = eng.getByRole("form", { name: "Upload a dataset" });
  await upload.getByLabel("New dataset name").fill(name);
  await upload.getByLabel("Subject id field (optional)").fill("patient");
  await upload.getByLabel("File").setInputFiles({
    name: "support.jsonl",
    mimeType: "application/json",
    buffer: Buffer.from(RECORDS.map((r) => JSON.stringify(r)).join("\n")),
  });
  await upload.getByRole("button", { name: "Upload" }).click();
  await expect(eng.getByText("Uploaded support.jsonl as version 1.")).toBeVisible();
  await eng.getByRole("link", { name }).click();
  const v1 = eng.getByTestId("version-1");
  await expect(v1).toContainText("4 records · 3 subjects · at most 2 records of one subject");
  await expect(v1.getByTestId("pii-email")).toContainText("1");
  await expect(v1.getByTestId("pii-credit_card")).toBeVisible();
  await expect(eng.locator("body")).not.toContainText("alice.smith@example.com");

  // A malformed upload is refused with its kinds of error, each with a count and line numbers, and nothing is kept.
  await openSection(eng, "Datasets");
  const before = await databaseSnapshot();
  await upload.getByLabel("New dataset name").fill(`${name}-bad`);
  await upload.getByLabel("File").setInputFiles({ name: "bad.jsonl", mimeType: "application/json", buffer: Buffer.from('{"text": "ok"}\n{"text": \n') });
  await upload.getByRole("button", { name: "Upload" }).click();
  await expect(errorAlert(eng)).toContainText("The file was refused; nothing of it was kept.");
  await expect(errorAlert(eng)).toContainText("not valid JSON: 1 line (2)");
  expect(await databaseSnapshot()).toEqual(before);

  // Minimise: redact every PII type the scan found; version 2 is linked to version 1 and clean.
  await eng.getByRole("link", { name }).click();
  await v1.getByRole("button", { name: "Create minimised version" }).click();
  const v2 = eng.getByTestId("version-2");
  await expect(v2).toContainText("minimised from v1");
  await expect(v2.getByTestId("pii-none")).toBeVisible();

  // The privacy officer sets a small subject-level budget.
  await signIn(off, officer);
  await openSection(off, "Budgets");
  const card = off.getByTestId(`budget-${name}`);
  await card.getByLabel("Epsilon", { exact: true }).fill("1");
  await card.getByLabel("Renews on").fill("2099-12-31");
  await card.getByRole("button", { name: "Set budget" }).click();
  await expect(card.getByTestId("budget-spend")).toContainText(/left ε = 1(?![\d.])/);

  // A run that would overspend is refused before any training, in the form and at the API.
  await openSection(eng, "Runs");
  const launch = eng.getByRole("form", { name: "Launch a run" });
  await launch.getByLabel("Target epsilon", { exact: true }).fill("5");
  await expect(eng.getByTestId("projection").getByRole("alert")).toContainText("This run would exceed the budget");
  await expect(launch.getByRole("button", { name: "Launch" })).toBeDisabled();
  const snapshot = await databaseSnapshot();
  const options = (await (await eng.request.get("/api/trpc/runs.options")).json()) as {
    result: { data: { json: { datasetVersions: { versionId: string; datasetName: string }[]; modelVersions: { id: string }[] } } };
  };
  const { datasetVersions, modelVersions } = options.result.data.json;
  const forced = await eng.request.post("/api/trpc/runs.launch", {
    headers: { origin: E2E_URL },
    data: {
      json: {
        datasetVersionId: datasetVersions.find((v) => v.datasetName === name)!.versionId,
        baseModelVersionId: modelVersions[0]!.id,
        privacyUnit: "subject",
        privacy: { mode: "noise_multiplier", noiseMultiplier: 0.5 },
        batch: { by: "sampling_rate", samplingRate: 0.5 },
        length: { by: "steps", steps: 100 },
        fineTuning: { method: "lora", rank: 2 },
      },
    },
  });
  expect(forced.status()).toBe(409);
  expect(await databaseSnapshot()).toEqual(snapshot);

  // The engineer asks for more; the officer approves with a reason.
  await openSection(eng, "Budgets");
  const engCard = eng.getByTestId(`budget-${name}`);
  await engCard.getByLabel("New limit (epsilon)").fill("6");
  await engCard.getByLabel("Reason").fill("second fine-tune for the support bot");
  await engCard.getByRole("button", { name: "Request more budget" }).click();
  await off.reload();
  const request = off.getByTestId(`budget-${name}`).getByTestId("budget-request");
  await request.getByLabel("Decision reason").fill("justified by the DPIA");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(off.getByTestId(`budget-${name}`)).toContainText("Limit ε = 6");

  // A tiny run within the budget trains in the trainer subprocess and its model version carries the server's epsilon.
  await openSection(eng, "Runs");
  await launch.getByLabel("Target epsilon", { exact: true }).fill("1");
  await launch.getByLabel("Steps", { exact: true }).fill("5");
  await expect(eng.getByTestId("projection")).toContainText("left ε = 6;");
  await expect(launch.getByRole("button", { name: "Launch" })).toBeEnabled();
  await launch.getByRole("button", { name: "Launch" }).click();
  await expect(eng).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(eng.getByTestId("run-status")).toHaveText("finished", { timeout: 60_000 });
  await expect(eng.getByTestId("run-progress")).toContainText("5 of 5 steps charged");
  const charged = (await eng.getByTestId("run-epsilon").textContent())!.match(/ε = ([\d.]+)/)![1]!;
  expect(Number(charged)).toBeLessThanOrEqual(1);
  await openSection(eng, "Models");
  await eng.getByTestId(`model-epsilon-gpt-moby-dick/${name}-v1`).getByRole("link", { name: "Details" }).click();
  await expect(eng.getByTestId("guarantee")).toContainText(`On ${name} (subject-level): ε = ${charged}`);

  // An engineer without access sees neither the dataset nor its page.
  const out = await browser.newPage();
  await signIn(out, outsider);
  await openSection(out, "Datasets");
  await expect(out.getByTestId(`dataset-${name}`)).toHaveCount(0);
  await eng.goto("/datasets");
  const href = await eng.getByRole("link", { name }).getAttribute("href");
  await out.goto(href!);
  await expect(errorAlert(out)).toHaveText("No such dataset.");
});
