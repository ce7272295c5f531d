// Authenticated API answers are per user: they carry Cache-Control: no-store so no browser or proxy keeps them, and
// no-transform, so that the server spends no CPU compressing them (a proxy in front may; BENCHMARKS.md, "load").
export const NO_STORE = "no-store, no-transform";

/** Marks an answer as never to be stored (the same Response, for chaining). */
export function noStore(res: Response): Response {
  res.headers.set("cache-control", NO_STORE);
  return res;
}
