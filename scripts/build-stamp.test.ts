// `npm start` builds only when the sources changed since the last build: the digest follows every source file and
// the environment Next inlines, ignores outputs, data and unit tests, and a build is stamped only when it finished
// on sources that did not change while it ran.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ensureBuilt, isBuilt, sourceDigest } from "./build-stamp.mjs";

let root: string;
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
};
/** What next build leaves behind that matters here: .next/BUILD_ID (and next-env.d.ts, which it rewrites). */
const fakeBuild = () => {
  write(".next/BUILD_ID", "build");
  write("next-env.d.ts", `// ${Math.random()}`);
};

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "ledger-stamp-"));
  write("app/page.tsx", "export default function Page() {}");
  write("package-lock.json", "{}");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it("changes with a source file, a new file, the installed packages and NEXT_PUBLIC_ variables", () => {
  const digest = sourceDigest(root, {});
  expect(sourceDigest(root, {})).toBe(digest);
  const changes: (() => void)[] = [
    () => write("app/page.tsx", "export default function Page() { return null; }"),
    () => write("server/data/rules.ts", "export {};"), // a folder named data below the top level is a source
    () => write("node_modules/.package-lock.json", "{}"),
    () => write("docs/guide.md", "# read at build time, perhaps"),
  ];
  let previous = digest;
  for (const change of changes) {
    change();
    const next = sourceDigest(root, {});
    expect(next).not.toBe(previous);
    previous = next;
  }
  expect(sourceDigest(root, { NEXT_PUBLIC_FLAG: "1" })).not.toBe(previous);
  expect(sourceDigest(root, { NEXTAUTH_SECRET: "not inlined by Next" })).toBe(previous);
});

it("ignores outputs, run-time data, dependencies' files, end-to-end specs and unit tests", () => {
  const digest = sourceDigest(root, {});
  write(".next/server/page.js", "built");
  write("next-env.d.ts", "// written by next build");
  write("data/epsilon-ledger.db", "rows");
  write("node_modules/left-pad/index.js", "module.exports = 1");
  write("e2e/home.spec.ts", "test()");
  write("app/page.test.ts", "it()");
  write("tsconfig.tsbuildinfo", "{}");
  expect(sourceDigest(root, {})).toBe(digest);
});

it("builds once, skips while nothing changed, and builds again after a change", () => {
  let builds = 0;
  const build = () => {
    builds += 1;
    fakeBuild();
  };
  expect(ensureBuilt(root, {}, build)).toBe(true);
  expect(ensureBuilt(root, {}, build)).toBe(false);
  expect(builds).toBe(1);
  write("app/page.tsx", "export default function Page() { return 1; }");
  expect(ensureBuilt(root, {}, build)).toBe(true);
  expect(builds).toBe(2);
  rmSync(path.join(root, ".next", "BUILD_ID"));
  expect(ensureBuilt(root, {}, build)).toBe(true); // a stamp without a build is no build
});

it("stamps no build whose sources changed while it ran, nor one that failed", () => {
  ensureBuilt(root, {}, () => {
    fakeBuild();
    write("app/page.tsx", "edited during the build");
  });
  expect(isBuilt(root, sourceDigest(root, {}))).toBe(false);
  ensureBuilt(root, {}, fakeBuild);
  expect(isBuilt(root, sourceDigest(root, {}))).toBe(true);
  write("app/page.tsx", "edited again");
  expect(() =>
    ensureBuilt(root, {}, () => {
      throw new Error("next build failed");
    }),
  ).toThrow("next build failed");
  expect(isBuilt(root, sourceDigest(root, {}))).toBe(false);
});
