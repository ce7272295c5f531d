// Helpers for the end-to-end specs: seed users straight into the e2e database (through the services), sign in.
import { randomUUID } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { openDatabase, type Db } from "../db/client";
import type { Role } from "../db/schema";
import { SYSTEM_ACTOR } from "../server/audit/service";
import { snapshot } from "../db/snapshot";
import { createUser, setDisabled } from "../server/users/service";
import { E2E_DATABASE } from "./env";

export const E2E_PASSWORD = "an e2e password, long enough";

export interface SeededUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  password: string;
}

async function withDb<T>(use: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openDatabase(E2E_DATABASE);
  try {
    return await use(db);
  } finally {
    db.$client.close();
  }
}

/** A new active user with a unique email, so that tests running in parallel never share one. */
export function seedUser(role: Role): Promise<SeededUser> {
  const email = `${role}-${randomUUID().slice(0, 8)}@e2e.example`;
  return withDb(async (db) => {
    const u = await createUser(db, SYSTEM_ACTOR, { email, name: `E2E ${role}`, role, password: E2E_PASSWORD });
    return { id: u.id, email: u.email, name: u.name, role: u.role, password: E2E_PASSWORD };
  });
}

export function disableUser(userId: string): Promise<void> {
  return withDb((db) => void setDisabled(db, SYSTEM_ACTOR, { userId, disabled: true }));
}

export function databaseSnapshot() {
  return withDb(snapshot);
}

export async function fillSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function signIn(page: Page, user: SeededUser): Promise<void> {
  await fillSignIn(page, user.email, user.password);
  await expect(page.getByTestId("signed-in-user")).toContainText(user.email);
}

/** Our error messages (Next.js has a role="alert" route announcer of its own, which this leaves out). */
export function errorAlert(page: Page) {
  return page.locator(".error[role=alert]");
}

/** Follows a link in the sidebar's navigation. */
export async function openSection(page: Page, label: string): Promise<void> {
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: label }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(label);
}
