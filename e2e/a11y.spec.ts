// Accessibility and narrow screens in a real Chromium: the home page (each role's to-do list), the inbox, every page
// that each role's navigation offers, and the detail pages (a dataset, a run, a model version's own page, its
// disclosure report, its Synthetic data and Red team tabs, an incident), pass axe-core with no serious or critical violation, at desktop width and at
// 390 px, where no page scrolls sideways; the favicon answers.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import type { Role } from "../db/schema";
import { MAY, may } from "../server/auth/access";
import { signIn } from "./helpers";
import { seedBudgetRequest, worldOnce, type World } from "./world";

const WIDTHS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;
const ROLES: Role[] = ["engineer", "privacy_officer", "auditor", "admin"];

let world: World;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await browser.newPage();
  world = await worldOnce(page, "a11y", seedBudgetRequest);
  await page.close();
});

/** The sections the signed-in user's navigation offers (read from the links, hidden behind Menu or not). */
function navigationHrefs(page: Page): Promise<string[]> {
  return page.getByRole("navigation", { name: "Sections", includeHidden: true }).locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
}

/** Every page a user of this role can reach: home, the inbox, each section, and the world's detail pages in them. */
async function pagesOf(page: Page, role: Role): Promise<string[]> {
  const sections = await navigationHrefs(page);
  const redTeam = may(role, MAY.oversee) ? [`/models/${world.versionId}/red-team`] : [];
  const details: Record<string, string[]> = {
    "/datasets": [`/datasets/${world.datasetId}`],
    "/runs": [`/runs/${world.runId}`],
    "/models": [`/models/${world.versionId}`, `/models/${world.versionId}/disclosure`, `/models/${world.versionId}/synthetic`, ...redTeam],
    "/incidents": [`/incidents/${world.incidentId}`],
  };
  return ["/", "/inbox", ...sections.flatMap((s) => [s, ...(details[s] ?? [])])];
}

interface Finding {
  page: string;
  rule: string;
  impact: string;
  targets: string[];
  help: string;
}

/** Opens `path` and reports its serious and critical axe violations and whether it scrolls sideways. */
async function check(page: Page, path: string, width: number): Promise<{ findings: Finding[]; scrollWidth: number }> {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.waitForLoadState("networkidle");
  const result = await new AxeBuilder({ page }).analyze();
  const findings = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ page: path, rule: v.id, impact: v.impact!, targets: v.nodes.map((n) => n.target.join(" ")), help: v.help }));
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect.soft(scrollWidth, `${path} scrolls sideways at ${width}px`).toBeLessThanOrEqual(width);
  return { findings, scrollWidth };
}

async function newPageAt(browser: Browser, size: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
  return context.newPage();
}

for (const role of ROLES) {
  for (const size of WIDTHS) {
    test(`${role}, ${size.name} (${size.width}px): every page passes axe (no serious or critical) and fits the width`, async ({ browser }, info) => {
      test.setTimeout(240_000);
      const page = await newPageAt(browser, size);
      await signIn(page, world.users[role]);
      const paths = await pagesOf(page, role);
      const findings: Finding[] = [];
      const visited: string[] = [];
      for (const path of paths) {
        const result = await check(page, path, size.width);
        visited.push(`${path} (scrollWidth ${result.scrollWidth})`);
        findings.push(...result.findings);
      }
      await info.attach("pages", { body: visited.join("\n"), contentType: "text/plain" });
      await info.attach("axe findings", { body: JSON.stringify(findings, null, 2), contentType: "application/json" });
      expect(paths).toEqual(expect.arrayContaining(["/", "/inbox", ...(role === "admin" ? [] : [`/models/${world.versionId}`])]));
      expect(findings).toEqual([]);
      await page.context().close();
    });
  }
}

for (const size of WIDTHS) {
  test(`signed out, ${size.name} (${size.width}px): the sign-in page passes axe and fits the width`, async ({ browser }) => {
    const page = await newPageAt(browser, size);
    const result = await check(page, "/sign-in", size.width);
    expect(result.findings).toEqual([]);
    await page.context().close();
  });
}

test("at 390 px the sections fold behind a Menu button that opens and closes them; a skip link comes first", async ({ browser }) => {
  const page = await newPageAt(browser, WIDTHS[1]);
  await signIn(page, world.users.privacy_officer);
  // The first Tab offers to skip the navigation.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  const nav = page.getByRole("navigation", { name: "Sections" });
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(nav).toBeVisible();
  await expect(page.getByRole("button", { name: "Close menu" })).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByTestId("signed-in-role")).toHaveText("Privacy officer");
  await nav.getByRole("link", { name: "Budgets" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Budgets");
  await expect(nav).toBeHidden();
  // A wide table scrolls inside its card, not the page.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.context().close();
});

test("the favicon the pages link to answers 200 with an image", async ({ page }) => {
  await page.goto("/sign-in");
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await page.request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/");
});
