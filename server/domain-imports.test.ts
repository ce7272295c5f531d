// The server's domains (its folders) import each other in one direction only: the graph of imports between them, read
// from the source files (tests and fixtures aside), has no cycle.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SERVER = path.resolve(import.meta.dirname);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.(test|fixture)\.ts$/.test(entry.name) && entry.name !== "testing.ts" ? [full] : [];
  });
}

/** The domain a server file belongs to: its first folder under server/, or null for the shared files at the top. */
const domainOf = (file: string): string | null => {
  const parts = path.relative(SERVER, file).split(path.sep);
  return parts.length > 1 ? parts[0]! : null;
};

function domainGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SERVER)) {
    const from = domainOf(file);
    if (!from) continue;
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
      const target = path.resolve(path.dirname(file), specifier!);
      if (!target.startsWith(SERVER + path.sep)) continue;
      const to = domainOf(target);
      if (to && to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** A cycle of the graph, as the list of its domains, or null. */
function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const visit = (node: string, stack: string[]): string[] | null => {
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), node, next];
      if (!state.has(next)) {
        const found = visit(next, [...stack, node]);
        if (found) return found;
      }
    }
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node, []);
    if (found) return found;
  }
  return null;
}

describe("imports between the server's domains", () => {
  it("are read from the sources (the graph is not empty)", () => {
    expect(domainGraph().get("runs")).toContain("budgets");
  });

  it("form no cycle", () => {
    expect(findCycle(domainGraph())).toBeNull();
  });

  it("finds a cycle where there is one", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
    ]);
    expect(findCycle(graph)).toEqual(["a", "b", "c", "a"]);
  });
});
