// Records in a real browser: the audit log and incidents show names with working links, the audit log exports the
// filtered rows as CSV and JSON lines; the admin's role change says it was saved, Disable asks first and is not on
// one's own row, a disabled user is told why at sign-in; a wrong text field lists the file's fields and the errors
// by kind; a privacy officer minimises a dataset. Refusals change nothing.
import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { E2E_URL } from "./env";
import { databaseSnapshot, errorAlert, fillSignIn, openSection, seedUser, signIn, type SeededUser } from "./helpers";

const UPLOAD_HEADERS = { "x-epsilon-upload": "1", origin: E2E_URL, "content-type": "application/octet-stream" };

/** An engineer (signed in on `page`) uploads a small dataset with an email address in it; returns its ids. */
async function uploadAs(page: Page, engineer: SeededUser, name: string) {
  await signIn(page, engineer);
  const records = Array.from({ length: 6 }, (_, i) => JSON.stringify({ text: `Note ${i}: write to pat${i}@example.com`, patient: `p${i % 3}` }));
  const res = await page.request.post(`/api/datasets/upload?name=${name}&format=jsonl&textField=text&subjectField=patient`, { headers: UPLOAD_HEADERS, data: records.join("\n") });
  expect(res.status()).toBe(201);
  return (await res.json()) as { datasetId: string; versionId: string };
}

test("the audit log and incidents show names with working links, and the audit log exports the filtered rows", async ({ page: asEngineer, browser }) => {
  const engineer = await seedUser("engineer");
  const name = `ward-notes-${randomUUID().slice(0, 8)}`;
  const { datasetId } = await uploadAs(asEngineer, engineer, name);

  // A privacy officer opens an incident about the dataset: the list and the incident name it, linked.
  const officer = await browser.newPage();
  await signIn(officer, await seedUser("privacy_officer"));
  await openSection(officer, "Incidents");
  const form = officer.getByRole("form", { name: "Open an incident" });
  const title = `Emails in ${name}`;
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Affected dataset").selectOption({ label: name });
  await form.getByRole("button", { name: "Open incident" }).click();
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(officer.getByTestId("incident-links")).toContainText(`dataset ${name}`);
  await expect(officer.getByTestId("incident-links")).not.toContainText(datasetId);
  await openSection(officer, "Incidents");
  const row = officer.getByTestId("incident-row").filter({ hasText: title });
  await row.getByTestId("incident-affects").getByRole("link", { name }).click();
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(officer).toHaveURL(`${E2E_URL}/datasets/${datasetId}`);

  // The auditor sees the upload by the engineer's name and the dataset version's, and follows the link.
  const page = await browser.newPage();
  await signIn(page, await seedUser("auditor"));
  await openSection(page, "Audit");
  const filter = page.getByRole("form", { name: "Filter the audit log" });
  await filter.getByLabel("Action starts with").fill("dataset.upload");
  await filter.getByLabel("Actor email").fill(engineer.email);
  await filter.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
  const upload = page.getByTestId("audit-row");
  await expect(upload.getByTestId("audit-actor")).toContainText(`${engineer.name} · ${engineer.email}`);
  await expect(upload.getByTestId("audit-entity")).toHaveText(`dataset version ${name} v1`);

  // The export links carry the filter: the CSV and the JSON lines hold exactly the filtered row.
  const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
  expect(csvDownload.suggestedFilename()).toMatch(/^audit-log-\d{8}T\d{6}Z\.csv$/);
  const csv = (await readFile(await csvDownload.path())).toString("utf8").split("\r\n");
  expect(csv[0]).toBe("seq,at,actor_id,actor_email,actor_name,actor_role,action,entity_type,entity_id,entity_name,input_digest,prev_hash,hash");
  expect(csv).toHaveLength(3);
  expect(csv[1]).toContain(`,${engineer.id},${engineer.email},${engineer.name},engineer,dataset.upload,dataset_version,`);
  expect(csv[1]).toContain(`,${name} v1,`);

  const jsonlHref = await page.getByRole("link", { name: "JSON lines" }).getAttribute("href");
  const jsonl = await page.request.get(jsonlHref!);
  expect(jsonl.status()).toBe(200);
  expect(jsonl.headers()["content-type"]).toBe("application/x-ndjson; charset=utf-8");
  expect(jsonl.headers()["content-disposition"]).toMatch(/^attachment; filename="audit-log-\d{8}T\d{6}Z\.jsonl"$/);
  const lines = (await jsonl.text()).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ actorId: engineer.id, actorEmail: engineer.email, actorName: engineer.name, action: "dataset.upload", entityType: "dataset_version", entityName: `${name} v1` });
  expect(String(csv[1]).split(",")[0]).toBe(String(lines[0]!.seq));

  // The incident's entry names the incident and links to it.
  await filter.getByLabel("Action starts with").fill("incident.open");
  await filter.getByLabel("Actor email").fill("");
  await filter.getByRole("button", { name: "Filter" }).click();
  await page.getByTestId("audit-row").getByRole("link", { name: title }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);

  // Back on the audit log, the dataset version's link opens the dataset.
  await openSection(page, "Audit");
  await filter.getByLabel("Entity type").fill("dataset_version");
  await filter.getByLabel("Actor email").fill(engineer.email);
  await filter.getByRole("button", { name: "Filter" }).click();
  await page.getByTestId("audit-entity").getByRole("link", { name: `${name} v1` }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);

  // Roles that do not read the audit log get 403 from the export; anonymous callers 401.
  const before = await databaseSnapshot();
  const refused = await asEngineer.request.get("/api/audit/export?format=csv");
  expect(refused.status()).toBe(403);
  expect((await asEngineer.request.get("/api/audit/export?format=xml")).status()).toBe(403);
  const anonymous = await browser.newPage();
  expect((await anonymous.request.get("/api/audit/export?format=jsonl")).status()).toBe(401);
  expect(await databaseSnapshot()).toEqual(before);
});

test("an admin's role change says saved; Disable asks first and is not offered on one's own row; the disabled user sees why", async ({ page, browser }) => {
  const admin = await seedUser("admin");
  const user = await seedUser("engineer");
  const theirs = await browser.newPage();
  await signIn(theirs, user);
  await signIn(page, admin);
  await openSection(page, "Admin");

  const row = page.getByTestId(`user-row-${user.email}`);
  await row.getByLabel(`Role of ${user.email}`).selectOption("auditor");
  await expect(row.getByRole("status")).toHaveText("Saved: now Auditor");

  // No Disable on the admin's own row, and the server refuses a forged one.
  const own = page.getByTestId(`user-row-${admin.email}`);
  await expect(own).toContainText("you");
  await expect(own.getByRole("button", { name: "Disable" })).toHaveCount(0);
  const before = await databaseSnapshot();
  const forged = await page.request.post("/api/trpc/users.setDisabled", { headers: { origin: E2E_URL }, data: { json: { userId: admin.id, disabled: true } } });
  expect(forged.status()).toBe(400);
  expect((await forged.json()).error.json.message).toBe("You cannot disable your own account.");
  expect(await databaseSnapshot()).toEqual(before);

  // Disable asks first; "Keep it" changes nothing.
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByRole("group", { name: `Disable ${user.email}? Their sessions end at once.` })).toBeVisible();
  await row.getByRole("button", { name: "Keep it" }).click();
  await expect(row).toContainText("active");
  expect(await databaseSnapshot()).toEqual(before);
  await row.getByRole("button", { name: "Disable" }).click();
  await row.getByRole("button", { name: "Yes, disable" }).click();
  await expect(row).toContainText("disabled");

  // The disabled user, signed out on their next request, is told why; so is their sign-in with the right password.
  await theirs.reload();
  await expect(theirs).toHaveURL(/\/sign-in$/);
  await expect(errorAlert(theirs)).toHaveText("This account was disabled by an administrator.");
  const again = await browser.newPage();
  await fillSignIn(again, user.email, user.password);
  await expect(errorAlert(again)).toHaveText("This account was disabled by an administrator.");
  await expect(again).toHaveURL(/\/sign-in$/);
  // Without the password nobody learns it: the same answer as for an email that does not exist.
  const stranger = await browser.newPage();
  await stranger.goto("/sign-in");
  await expect(errorAlert(stranger)).toHaveCount(0);
  await fillSignIn(stranger, user.email, "not the password at all");
  await expect(errorAlert(stranger)).toHaveText("Wrong email or password.");
  await fillSignIn(stranger, `nobody-${randomUUID().slice(0, 8)}@e2e.example`, "not the password at all");
  await expect(errorAlert(stranger)).toHaveText("Wrong email or password.");
});

test("an upload with a wrong text field lists the file's fields and one line per kind of error; the form keeps its settings", async ({ page }) => {
  await signIn(page, await seedUser("engineer"));
  await openSection(page, "Datasets");
  const name = `visits-${randomUUID().slice(0, 8)}`;
  const form = page.getByRole("form", { name: "Upload a dataset" });
  const file = {
    name: "visits.jsonl",
    mimeType: "application/json",
    buffer: Buffer.from([...Array.from({ length: 12 }, (_, i) => JSON.stringify({ body: `visit ${i}`, patient: `p${i % 4}` })), "not json"].join("\n")),
  };
  await form.getByLabel("New dataset name").fill(name);
  await form.getByLabel("Subject id field (optional)").fill("patient");
  await form.getByLabel("File").setInputFiles(file);
  const before = await databaseSnapshot();
  await form.getByRole("button", { name: "Upload" }).click();
  await expect(errorAlert(page)).toContainText('No record has the text field "text". The file\'s fields are: body, patient.');
  const kinds = page.getByTestId("upload-error-kind");
  await expect(kinds).toHaveText(['the text field "text" is missing: 12 lines (1, 2, 3, 4, 5, …)', "not valid JSON: 1 line (13)"]);
  expect(await databaseSnapshot()).toEqual(before);

  // The settings stay after the refusal and after the upload; the next upload goes into the new dataset.
  await expect(form.getByLabel("New dataset name")).toHaveValue(name);
  await form.getByLabel("Text field").fill("body");
  await form.getByLabel("File").setInputFiles({ ...file, buffer: Buffer.from(file.buffer.toString("utf8").replace("\nnot json", "")) });
  await form.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByText("Uploaded visits.jsonl as version 1.")).toBeVisible();
  await expect(form.getByLabel("Text field")).toHaveValue("body");
  await expect(form.getByLabel("Subject id field (optional)")).toHaveValue("patient");
  await expect(form.getByLabel("Format")).toHaveValue("jsonl");
  await expect(form.getByLabel("Into").locator("option:checked")).toHaveText(`a new version of ${name}`);
  await form.getByLabel("File").setInputFiles({ ...file, buffer: Buffer.from(file.buffer.toString("utf8").replace("\nnot json", "")) });
  await form.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByText("Uploaded visits.jsonl as version 2.")).toBeVisible();
});

test("a privacy officer minimises a dataset; an auditor may not", async ({ page: asEngineer, browser }) => {
  const name = `inbox-${randomUUID().slice(0, 8)}`;
  const { datasetId, versionId } = await uploadAs(asEngineer, await seedUser("engineer"), name);
  const officer = await seedUser("privacy_officer");
  const page = await browser.newPage();
  await signIn(page, officer);
  await page.goto(`/datasets/${datasetId}`);
  const v1 = page.getByTestId("version-1");
  await expect(v1.getByTestId("pii-email")).toBeVisible();
  await v1.getByRole("button", { name: "Create minimised version" }).click();
  const v2 = page.getByTestId("version-2");
  await expect(v2).toContainText("minimised from v1");
  await expect(v2.getByTestId("pii-none")).toBeVisible();

  const auditor = await browser.newPage();
  await signIn(auditor, await seedUser("auditor"));
  await auditor.goto(`/datasets/${datasetId}`);
  await expect(auditor.getByTestId("version-2")).toBeVisible();
  await expect(auditor.getByRole("button", { name: "Create minimised version" })).toHaveCount(0);
  const before = await databaseSnapshot();
  const forged = await auditor.request.post("/api/trpc/datasets.minimise", {
    headers: { origin: E2E_URL },
    data: { json: { versionId, plan: { entities: { email: "redact" }, fields: {}, subject: "keep" } } },
  });
  expect(forged.status()).toBe(403);
  expect(await databaseSnapshot()).toEqual(before);

  // The audit log records the officer as the one who minimised.
  await auditor.goto("/audit");
  const filter = auditor.getByRole("form", { name: "Filter the audit log" });
  await filter.getByLabel("Action starts with").fill("dataset.minimise");
  await filter.getByLabel("Actor email").fill(officer.email);
  await filter.getByRole("button", { name: "Filter" }).click();
  await expect(auditor.getByTestId("audit-row")).toHaveCount(1);
  await expect(auditor.getByTestId("audit-entity")).toHaveText(`dataset version ${name} v2`);
});
