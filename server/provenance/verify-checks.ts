// A verifier's check, named, passed or failed with what it found; and running one so that an exception becomes a
// failed check (the offline verifier never throws).

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs `check` and turns an exception into a failed check, so that one bad value cannot stop the report. */
export function attempt(name: string, check: () => Omit<Check, "name">): Check {
  try {
    return { name, ...check() };
  } catch (cause) {
    return { name, ok: false, detail: `could not be checked: ${(cause as Error).message}` };
  }
}

export const pass = (detail: string) => ({ ok: true, detail });
export const fail = (detail: string) => ({ ok: false, detail });
