// Whether a database's applied migrations are this release's: the newest one drizzle recorded against the newest one
// in the release's migrations folder, in words that say what to do.
import fs from "node:fs";
import path from "node:path";

interface JournalEntry {
  when: number;
  tag: string;
}

/** The newest migration of a drizzle migrations folder. */
export function newestMigration(folder: string): JournalEntry {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: JournalEntry[] };
  const newest = journal.entries.at(-1);
  if (!newest) throw new Error(`${folder} has no migrations`);
  return newest;
}

/**
 * Null when the newest applied migration (drizzle's created_at, the journal's `when`) is the folder's newest, or newer
 * when `allowNewer` (an instance already running while a newer release migrates, until it is replaced); else what is
 * wrong: none applied, an older release's schema, or a newer release's.
 */
export function migrationProblem(appliedWhen: number | null, folder: string, where: string, allowNewer = false): string | null {
  const newest = newestMigration(folder);
  if (appliedWhen === newest.when || (allowNewer && appliedWhen !== null && appliedWhen > newest.when)) return null;
  if (appliedWhen === null) return `${where} has no tables yet: run npm run db:migrate`;
  if (appliedWhen < newest.when) return `${where} is missing migrations up to ${newest.tag}: run npm run db:migrate with this release`;
  return `${where} has migrations newer than this release (its newest is ${newest.tag}): run the release that migrated it`;
}
