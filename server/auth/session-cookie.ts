// The signed-in session of a request, read straight from next-auth's session cookie: the cookie (reassembled when
// next-auth split it into chunks) decoded with the session key; no session when it is absent, expired, altered or
// from another secret. next-auth's getServerSession reaches the same answer by running its whole session endpoint on
// a synthetic request and encrypting a new token that a route handler cannot even send back; this is the request's
// hot path, so it reads the cookie instead.
import { z } from "zod";
import { ROLES } from "../../db/schema";
import { decodeSessionToken } from "./session-token";

export interface RequestCookie {
  name: string;
  value: string;
}

/** next-auth's session cookie name: __Secure- prefixed when the dashboard is served over HTTPS. */
export function sessionCookieName(secure: boolean): string {
  return `${secure ? "__Secure-" : ""}next-auth.session-token`;
}

/** A request's cookies: its Cookie header's `name=value` pairs (values as sent; ours need no decoding). */
export function requestCookies(req: Request): RequestCookie[] {
  return (req.headers.get("cookie") ?? "")
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair.indexOf("=") > 0)
    .map((pair) => ({ name: pair.slice(0, pair.indexOf("=")).trim(), value: pair.slice(pair.indexOf("=") + 1).trim() }));
}

/** What a session must carry to be honoured (what next-auth's session callback requires to name a user). */
const claims = z.object({ sub: z.string().min(1), role: z.enum(ROLES), sessionVersion: z.number().int() });
export type SessionClaims = z.infer<typeof claims>;

/** The cookie's value: whole, or its chunks `name.0`, `name.1`, … joined in order (as next-auth writes a large one). */
export function sessionCookieValue(cookies: readonly RequestCookie[], name: string): string | null {
  const whole = cookies.find((c) => c.name === name);
  if (whole) return whole.value;
  const chunks = cookies
    .map((c) => ({ index: c.name.startsWith(`${name}.`) ? c.name.slice(name.length + 1) : "", value: c.value }))
    .filter((c) => /^\d+$/.test(c.index))
    .sort((a, b) => Number(a.index) - Number(b.index));
  return chunks.length > 0 ? chunks.map((c) => c.value).join("") : null;
}

/** The session's claims, or null when the request carries no session that this secret issued and that has not expired. */
export async function sessionFromCookies(
  cookies: readonly RequestCookie[],
  settings: { secret: string; secure: boolean },
): Promise<SessionClaims | null> {
  const token = sessionCookieValue(cookies, sessionCookieName(settings.secure));
  if (!token) return null;
  try {
    const parsed = claims.safeParse(await decodeSessionToken({ token, secret: settings.secret }));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // altered, expired or another secret's: as next-auth, no session
  }
}
