// CSRF defence for state-changing requests: they must carry something a cross-site form cannot send (a JSON body,
// or our upload header), and come from our own origin when the browser says where from.
import { AppError } from "../errors";

/** Header the dashboard sets on uploads; a cross-site page cannot set it without a CORS preflight we never grant. */
export const UPLOAD_HEADER = "x-epsilon-upload";

function assertOwnOrigin(req: Request, allowedOrigins: readonly string[]): void {
  const origin = req.headers.get("origin");
  if (origin !== null && !allowedOrigins.includes(origin)) {
    throw new AppError("FORBIDDEN", `Requests from ${origin} are not allowed.`);
  }
}

/** For the tRPC endpoint: POSTs must be application/json from one of our origins. */
export function assertSameOriginJson(req: Request, allowedOrigins: readonly string[]): void {
  if (req.method !== "POST") return;
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new AppError("FORBIDDEN", "State-changing requests must send application/json.");
  }
  assertOwnOrigin(req, allowedOrigins);
}

/** For streaming uploads: the upload header, from one of our origins. */
export function assertSameOriginUpload(req: Request, allowedOrigins: readonly string[]): void {
  if (req.headers.get(UPLOAD_HEADER) !== "1") throw new AppError("FORBIDDEN", `Uploads must send the ${UPLOAD_HEADER} header.`);
  assertOwnOrigin(req, allowedOrigins);
}

/** Our origins: the configured public URL and the one the request itself was addressed to. */
export function ownOrigins(req: Request, publicUrl: string): string[] {
  return [new URL(publicUrl).origin, new URL(req.url).origin];
}
