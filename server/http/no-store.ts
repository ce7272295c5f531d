// Authenticated API answers are per user: they carry Cache-Control: no-store so no browser or proxy keeps them.
export const NO_STORE = "no-store";

/** Marks an answer as never to be stored (the same Response, for chaining). */
export function noStore(res: Response): Response {
  res.headers.set("cache-control", NO_STORE);
  return res;
}
