// Personal data at rest is readable by its owner only: private folders (0700) and files (0600) whatever the umask,
// and the walk that brings an existing data directory (dataset versions, run copies, checkpoints, keys) to those modes.
import { chmodSync, lstatSync, mkdirSync, openSync, closeSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and missing parents) owner-only; an existing `dir` is made owner-only too. Parents that existed keep their mode. */
export function mkdirPrivate(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is masked by the umask: set it again on each folder this call created, and on `dir` itself.
  if (first !== undefined) {
    for (let d = path.resolve(dir); d.length >= path.resolve(first).length; d = path.dirname(d)) chmodSync(d, PRIVATE_DIR_MODE);
  }
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes a whole file owner-only (created with the mode, then chmod, since the umask may have narrowed the mode only). */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
}

/** Creates an empty owner-only file (or makes an existing one owner-only), e.g. before a stream appends to it. */
export function touchPrivateFile(file: string): void {
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * Makes everything under `root` owner-only: folders 0700, files 0600 (symbolic links are not followed). Returns how
 * many modes it changed. A missing root is left alone.
 */
export function lockDownTree(root: string): number {
  let changed = 0;
  const fix = (p: string, mode: number, current: number) => {
    if ((current & 0o777) !== mode) {
      chmodSync(p, mode);
      changed += 1;
    }
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        fix(p, PRIVATE_DIR_MODE, lstatSync(p).mode);
        walk(p);
      } else if (entry.isFile()) {
        fix(p, PRIVATE_FILE_MODE, lstatSync(p).mode);
      }
    }
  };
  let stat;
  try {
    stat = lstatSync(root);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return 0;
  fix(root, PRIVATE_DIR_MODE, stat.mode);
  walk(root);
  return changed;
}
