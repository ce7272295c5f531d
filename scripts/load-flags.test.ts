// The load benchmark's flags: each over its default, and a bad value refused naming the flag.
import { expect, it } from "vitest";
import { LOAD_SETTINGS } from "./load-bench";
import { loadSettingsFromArgs } from "./load-flags";

it("reads each flag over the defaults and refuses bad values naming the flag", () => {
  expect(loadSettingsFromArgs([])).toEqual(LOAD_SETTINGS);
  expect(LOAD_SETTINGS).toMatchObject({ engine: "sqlite", instances: 1, pgOver: "socket", warmupSeconds: 3 });
  expect(loadSettingsFromArgs(["load", "--clients", "50", "--engine", "postgres", "--pg-over", "tcp", "--instances", "2", "--seconds", "5", "--warmup", "0"])).toEqual({
    ...LOAD_SETTINGS,
    clients: 50,
    engine: "postgres",
    pgOver: "tcp",
    instances: 2,
    seconds: 5,
    warmupSeconds: 0,
  });
  expect(() => loadSettingsFromArgs(["--pg-over", "udp"])).toThrow(/--pg-over: expected socket or tcp/);
  expect(() => loadSettingsFromArgs(["--engine", "mysql"])).toThrow(/--engine/);
  expect(() => loadSettingsFromArgs(["--clients", "0"])).toThrow(/--clients/);
  expect(() => loadSettingsFromArgs(["--warmup", "-1"])).toThrow(/--warmup/);
});
