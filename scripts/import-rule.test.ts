// The import rule (README "Layout"): app/, server/ and db/ take from the trainer only trainer/privacy/ (the DP maths)
// and trainer/contract/ (what the server shares with the trainer), and those two import no other trainer code and no
// TensorFlow, so that what the server imports (and Next bundles) never loads the model.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;
const SHARED = /^trainer\/(privacy|contract)(\/|$)/;

/** The source files under a folder of the repository (repository paths). */
function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => SOURCE.test(f) && !f.endsWith(".d.ts"))
    .map((f) => path.posix.join(dir, f.split(path.sep).join("/")));
}

/** A file's import specifiers (static, dynamic and require), ours as repository paths, packages as written. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), "utf8"), true, true);
  return importedFiles.map(({ fileName: spec }) => {
    if (spec.startsWith(".")) return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    if (spec.startsWith("@/")) return path.posix.normalize(spec.slice(2)); // tsconfig's alias for the root
    return spec;
  });
}

const imports = (dirs: string[], filter: (file: string) => boolean = () => true) =>
  dirs.flatMap(sourceFiles).filter(filter).flatMap((file) => importsOf(file).map((target) => ({ file, target })));

describe("the import rule", () => {
  it("app/, server/ and db/ import from trainer/ only its privacy/ and contract/ folders", () => {
    const fromTrainer = imports(["app", "server", "db"]).filter(({ target }) => target.startsWith("trainer/") || target === "trainer");
    expect(fromTrainer.filter(({ target }) => !SHARED.test(target))).toEqual([]);
    // The scan sees the imports it checks.
    expect(fromTrainer.some(({ target }) => target.startsWith("trainer/privacy"))).toBe(true);
    expect(fromTrainer.some(({ target }) => target.startsWith("trainer/contract/"))).toBe(true);
  });

  it("trainer/privacy/ and trainer/contract/ import only each other, zod and node's modules (tests aside)", () => {
    const shared = imports(["trainer/privacy", "trainer/contract"], (file) => !file.endsWith(".test.ts"));
    const allowed = (target: string) => SHARED.test(target) || target === "zod" || target.startsWith("node:");
    expect(shared.filter(({ target }) => !allowed(target))).toEqual([]);
    expect(shared.length).toBeGreaterThan(10);
  });
});
