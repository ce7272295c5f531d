// CSRF defence for state-changing API requests: JSON only, and from our own origin when the browser says where from.
import { AppError } from "../errors";

/**
 * Refuses a POST that a cross-site page could have sent: a body other than JSON (forms cannot send it without a
 * CORS preflight, which we never grant) or an Origin header that is not one of ours.
 */
export function assertSameOriginJson(req: Request, allowedOrigins: readonly string[]): void {
  if (req.method !== "POST") return;
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new AppError("FORBIDDEN", "State-changing requests must send application/json.");
  }
  const origin = req.headers.get("origin");
  if (origin !== null && !allowedOrigins.includes(origin)) {
    throw new AppError("FORBIDDEN", `Requests from ${origin} are not allowed.`);
  }
}

/** Our origins: the configured public URL and the one the request itself was addressed to. */
export function ownOrigins(req: Request, publicUrl: string): string[] {
  return [new URL(publicUrl).origin, new URL(req.url).origin];
}
