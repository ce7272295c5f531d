// Tests for the dp CLI's argument parsing (a pure function).
import { describe, expect, it } from "vitest";
import { CliUsageError, parseCliArgs } from "./cli-args";

const EPSILON = ["epsilon", "--sampling-rate", "0.04", "--noise-multiplier", "1.5", "--steps", "2250", "--delta", "1e-5"];

describe("parseCliArgs", () => {
  it("parses the epsilon command with defaults", () => {
    expect(parseCliArgs(EPSILON)).toEqual({
      command: "epsilon",
      json: false,
      samplingRate: 0.04,
      noiseMultiplier: 1.5,
      steps: 2250,
      delta: 1e-5,
      accountant: "rdp",
    });
  });

  it("accepts --name=value, --json anywhere, and the PLD options", () => {
    expect(parseCliArgs([...EPSILON, "--json", "--accountant=pld", "--discretisation-interval", "1e-3"])).toMatchObject({
      json: true,
      accountant: "pld",
      discretisationInterval: 1e-3,
    });
  });

  it("parses calibrate and rdp", () => {
    expect(
      parseCliArgs(["calibrate", "--target-epsilon", "8", "--delta", "1e-5", "--sampling-rate", ".04", "--steps", "2250", "--json"]),
    ).toEqual({
      command: "calibrate",
      json: true,
      targetEpsilon: 8,
      delta: 1e-5,
      samplingRate: 0.04,
      steps: 2250,
      accountant: "rdp",
    });
    expect(parseCliArgs(["rdp", "--sampling-rate", "0.04", "--noise-multiplier", "1.5", "--orders", "1.5, 2,4,8"])).toEqual({
      command: "rdp",
      json: false,
      samplingRate: 0.04,
      noiseMultiplier: 1.5,
      orders: [1.5, 2, 4, 8],
    });
  });

  it("returns help for no command or help", () => {
    expect(parseCliArgs([])).toEqual({ command: "help" });
    expect(parseCliArgs(["--help"])).toEqual({ command: "help" });
  });

  it.each([
    [["frob"], /unknown command 'frob'/],
    [EPSILON.slice(0, -2), /missing --delta/],
    [[...EPSILON, "--steps", "3"], /--steps given more than once/],
    [[...EPSILON, "--seed", "1"], /unknown option --seed/],
    [[...EPSILON, "extra"], /unexpected argument 'extra'/],
    [[...EPSILON.slice(0, 2), "abc", ...EPSILON.slice(3)], /--sampling-rate must be a number in \(0, 1\], got 'abc'/],
    [[...EPSILON.slice(0, 2), "1.5", ...EPSILON.slice(3)], /--sampling-rate must be a number in \(0, 1\], got '1.5'/],
    [[...EPSILON.slice(0, 6), "10.5", ...EPSILON.slice(7)], /--steps must be a whole number >= 1, got '10.5'/],
    [[...EPSILON.slice(0, 8), "1"], /--delta must be a number in \(0, 1\), got '1'/],
    [[...EPSILON, "--accountant", "moments"], /--accountant must be rdp or pld, got 'moments'/],
    [["epsilon", "--sampling-rate"], /--sampling-rate needs a value/],
    [["rdp", "--sampling-rate", "0.1", "--noise-multiplier", "1", "--orders", "0.5,2"], /--orders must be a comma-separated list of numbers > 1/],
    [["rdp", "--sampling-rate", "0.1", "--noise-multiplier", "Infinity", "--orders", "2"], /--noise-multiplier must be a number > 0/],
  ])("refuses %j, naming the argument", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
