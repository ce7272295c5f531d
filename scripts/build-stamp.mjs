// Whether the Next build in .next is the build of the sources as they are: a SHA-256 over every file that can go into
// the build (paths and contents), the installed packages and the environment Next inlines, stamped into .next after a
// build. `npm start` builds only when the stamp is missing or differs, so a restart never serves a stale build; any
// other `next build` (e2e, by hand) removes the stamp, since Next empties .next (but its cache) before it builds.
// Plain Node (no dependencies), since it runs before anything is built.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Top-level directories that are never inputs of the build: outputs, run-time data, dependencies (their lock file counts), the end-to-end specs.
 * Anything else counts, docs included (a page may read a file while it is built): a needless build is only slow. */
const SKIPPED_DIRECTORIES = new Set([".git", ".next", "node_modules", "data", "test-results", "playwright-report", "reports", "e2e"]);
/** Files that the build itself writes (next-env.d.ts, tsbuildinfo) and unit tests, which no page imports. */
const SKIPPED_FILE = /(^next-env\.d\.ts$|\.tsbuildinfo$|\.test\.tsx?$)/;
/** The installed packages, as npm records them after `npm ci` (package-lock.json is hashed with the sources). */
const INSTALLED = path.join("node_modules", ".package-lock.json");

export const STAMP_FILE = path.join(".next", "source-digest");

/** Relative paths of the build's source files under `root`, sorted. */
function sourceFiles(root, dir = "") {
  const files = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (dir !== "" || !SKIPPED_DIRECTORIES.has(entry.name)) files.push(...sourceFiles(root, relative));
    } else if (entry.isFile() && !SKIPPED_FILE.test(entry.name)) {
      files.push(relative);
    }
  }
  return files.sort();
}

/** The digest of what the build in `root` would be made from (with `env`, whose NEXT_PUBLIC_* Next inlines). */
export function sourceDigest(root, env = process.env) {
  const hash = createHash("sha256");
  const add = (name, bytes) => hash.update(`${name}\0${bytes.length}\0`).update(bytes);
  for (const file of sourceFiles(root)) add(file, fs.readFileSync(path.join(root, file)));
  if (fs.existsSync(path.join(root, INSTALLED))) add(INSTALLED, fs.readFileSync(path.join(root, INSTALLED)));
  const inlined = Object.keys(env).filter((k) => k.startsWith("NEXT_PUBLIC_") || k === "NODE_ENV").sort();
  add("env", Buffer.from(JSON.stringify(inlined.map((k) => [k, env[k]]))));
  add("node", Buffer.from(process.version));
  return hash.digest("hex");
}

/** Whether .next holds a finished build stamped with `digest`. */
export function isBuilt(root, digest) {
  const stamp = path.join(root, STAMP_FILE);
  return fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8").trim() === digest;
}

/**
 * Runs `build` (which must throw or exit on failure) unless .next is the build of the current sources, then stamps
 * it: with the digest taken before the build, and only if the sources did not change while it ran.
 */
export function ensureBuilt(root, env, build) {
  const before = sourceDigest(root, env);
  if (isBuilt(root, before)) {
    console.log("The build in .next is up to date with the sources (skipping next build).");
    return false;
  }
  fs.rmSync(path.join(root, STAMP_FILE), { force: true });
  build();
  if (sourceDigest(root, env) === before) fs.writeFileSync(path.join(root, STAMP_FILE), `${before}\n`);
  else console.log("The sources changed during the build: the next start builds again.");
  return true;
}
