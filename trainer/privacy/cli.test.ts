// End-to-end test of the dp CLI: spawns it through tsx as `npm run dp` does, and checks its JSON and exit codes.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dp = (...args: string[]) =>
  spawnSync("node_modules/.bin/tsx", ["trainer/privacy/cli.ts", ...args], { cwd: root, encoding: "utf8", timeout: 30_000 });

describe("dp CLI", () => {
  it("prints epsilon as one JSON object", () => {
    const run = dp("epsilon", "--sampling-rate", "0.04", "--noise-multiplier", "1.5", "--steps", "2250", "--delta", "1e-5", "--accountant", "rdp", "--json");
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout) as { epsilon: number; delta: number; accountant: string };
    expect(Object.keys(output)).toEqual(["epsilon", "delta", "accountant"]);
    expect(output.epsilon).toBeCloseTo(7.32911117143, 9);
    expect(output).toMatchObject({ delta: 1e-5, accountant: "rdp" });
  });

  it("prints calibrate and rdp results as JSON", () => {
    const calibrate = dp("calibrate", "--target-epsilon", "2", "--delta", "1e-5", "--sampling-rate", "0.01", "--steps", "1000", "--json");
    expect(calibrate.status).toBe(0);
    const { noise_multiplier, epsilon } = JSON.parse(calibrate.stdout) as { noise_multiplier: number; epsilon: number };
    expect(noise_multiplier).toBeGreaterThan(0);
    expect(epsilon).toBeLessThanOrEqual(2);
    const rdp = dp("rdp", "--sampling-rate", "1", "--noise-multiplier", "2", "--orders", "1.5,2,4,8", "--json");
    expect(JSON.parse(rdp.stdout)).toEqual({ orders: [1.5, 2, 4, 8], rdp: [1.5 / 8, 2 / 8, 4 / 8, 8 / 8] });
  });

  it("prints a readable line without --json", () => {
    const run = dp("rdp", "--sampling-rate", "1", "--noise-multiplier", "2", "--orders", "2");
    expect(run.stdout.trim()).toBe("RDP of one step at sampling rate 1, noise multiplier 2: order 2: 0.250000");
  });

  it("exits non-zero naming the bad argument", () => {
    const run = dp("epsilon", "--sampling-rate", "2", "--noise-multiplier", "1", "--steps", "10", "--delta", "1e-5", "--json");
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/--sampling-rate must be a number in \(0, 1\], got '2'/);
  });
});
