// The load benchmark's flags (`npm run bench -- load --clients N --seconds S --engine sqlite|postgres --instances N
// --pg-over socket|tcp --warmup S`),
// over its defaults.
import { LOAD_SETTINGS, type LoadSettings } from "./load-bench";

/** Flags that take a value, which scripts/bench.ts leaves out of the section names. */
export const LOAD_FLAGS = ["--clients", "--seconds", "--engine", "--instances", "--pg-over", "--warmup"] as const;

export function loadSettingsFromArgs(args: readonly string[]): LoadSettings {
  const settings: LoadSettings = { ...LOAD_SETTINGS };
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const whole = (flag: string, given: string) => {
    const n = Number(given);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag}: expected a whole number >= 1, got ${given}`);
    return n;
  };
  const clients = value("--clients");
  if (clients !== undefined) settings.clients = whole("--clients", clients);
  const seconds = value("--seconds");
  if (seconds !== undefined) settings.seconds = whole("--seconds", seconds);
  const instances = value("--instances");
  if (instances !== undefined) settings.instances = whole("--instances", instances);
  const engine = value("--engine");
  if (engine !== undefined) {
    if (engine !== "sqlite" && engine !== "postgres") throw new Error(`--engine: expected sqlite or postgres, got ${engine}`);
    settings.engine = engine;
  }
  const warmup = value("--warmup");
  if (warmup !== undefined) {
    const n = Number(warmup);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--warmup: expected a whole number of seconds >= 0, got ${warmup}`);
    settings.warmupSeconds = n;
  }
  const pgOver = value("--pg-over");
  if (pgOver !== undefined) {
    if (pgOver !== "socket" && pgOver !== "tcp") throw new Error(`--pg-over: expected socket or tcp, got ${pgOver}`);
    settings.pgOver = pgOver;
  }
  return settings;
}
