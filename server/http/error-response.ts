// JSON error responses for route handlers outside tRPC, from the same AppError codes and statuses.
import { AppError } from "../errors";

export function errorResponse(err: unknown): Response {
  if (err instanceof AppError) return Response.json({ error: { code: err.code, message: err.message } }, { status: err.httpStatus });
  console.error("route handler failed:", err);
  return Response.json({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal error" } }, { status: 500 });
}
