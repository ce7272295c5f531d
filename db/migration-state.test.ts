// Whether a database's migrations are this release's, in words that say what to do; and a migrated test database
// passes the engine's start check.
import { expect, it } from "vitest";
import { checkDatabase } from "./client";
import { migrationProblem, newestMigration } from "./migration-state";
import { openTestDatabase } from "./open";
import { SQLITE_MIGRATIONS_FOLDER } from "./sqlite";

const newest = newestMigration(SQLITE_MIGRATIONS_FOLDER);

it("accepts this release's schema and names what is wrong with any other", () => {
  expect(migrationProblem(newest.when, SQLITE_MIGRATIONS_FOLDER, "the database x")).toBeNull();
  expect(migrationProblem(null, SQLITE_MIGRATIONS_FOLDER, "the database x")).toBe("the database x has no tables yet: run npm run db:migrate");
  expect(migrationProblem(newest.when - 1, SQLITE_MIGRATIONS_FOLDER, "the database x")).toMatch(`is missing migrations up to ${newest.tag}: run npm run db:migrate`);
  expect(migrationProblem(newest.when + 1, SQLITE_MIGRATIONS_FOLDER, "the database x")).toMatch(/has migrations newer than this release/);
  // A running instance stays healthy while a newer release migrates (a rolling upgrade), never with an older schema.
  expect(migrationProblem(newest.when + 1, SQLITE_MIGRATIONS_FOLDER, "the database x", true)).toBeNull();
  expect(migrationProblem(newest.when - 1, SQLITE_MIGRATIONS_FOLDER, "the database x", true)).not.toBeNull();
});

it("passes a migrated database at start", async () => {
  await expect(checkDatabase(await openTestDatabase())).resolves.toBeUndefined();
});
