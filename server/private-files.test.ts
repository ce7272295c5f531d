// Owner-only files and folders: created so whatever the umask, and an existing tree (files 0644 in 0755 folders) is
// brought to 0600 and 0700 without following symbolic links.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { lockDownTree, mkdirPrivate, touchPrivateFile, writePrivateFile } from "./private-files";

let dir: string;
let umask: number;
const modeOf = (p: string) => statSync(p).mode & 0o777;

beforeEach(() => {
  umask = process.umask(0); // the loosest umask: modes must not rely on it
  dir = mkdtempSync(path.join(tmpdir(), "ledger-private-"));
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

it("creates folders 0700 (each one it made, not the parents that existed) and files 0600", () => {
  const deep = path.join(dir, "a", "b", "c");
  mkdirPrivate(deep);
  expect([modeOf(path.join(dir, "a")), modeOf(path.join(dir, "a", "b")), modeOf(deep)]).toEqual([0o700, 0o700, 0o700]);
  expect(modeOf(dir)).toBe(0o700); // mkdtemp's own mode, untouched
  writePrivateFile(path.join(deep, "f.json"), "{}");
  touchPrivateFile(path.join(deep, "log"));
  expect([modeOf(path.join(deep, "f.json")), modeOf(path.join(deep, "log"))]).toEqual([0o600, 0o600]);
});

it("brings an existing tree to owner-only modes and counts what it changed; links are not followed", () => {
  const outside = mkdtempSync(path.join(tmpdir(), "ledger-outside-"));
  writeFileSync(path.join(outside, "other"), "x", { mode: 0o644 });
  mkdirSync(path.join(dir, "runs", "r1"), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(dir, "runs", "r1", "train.jsonl"), "{}", { mode: 0o644 });
  writeFileSync(path.join(dir, "db"), "x", { mode: 0o600 });
  symlinkSync(path.join(outside, "other"), path.join(dir, "link"));
  chmodSync(dir, 0o755);
  expect(lockDownTree(dir)).toBe(4); // dir, runs, runs/r1, train.jsonl
  expect([modeOf(dir), modeOf(path.join(dir, "runs")), modeOf(path.join(dir, "runs", "r1")), modeOf(path.join(dir, "runs", "r1", "train.jsonl"))]).toEqual([0o700, 0o700, 0o700, 0o600]);
  expect(modeOf(path.join(outside, "other"))).toBe(0o644);
  expect(lockDownTree(dir)).toBe(0);
  expect(lockDownTree(path.join(dir, "missing"))).toBe(0);
  rmSync(outside, { recursive: true, force: true });
});
