// JSON error responses for route handlers outside tRPC, from the same AppError codes and statuses.
import { AppError, storageError } from "../errors";

export function errorResponse(thrown: unknown): Response {
  const err = storageError(thrown) ?? thrown;
  if (err instanceof AppError) return Response.json({ error: { code: err.code, message: err.message } }, { status: err.httpStatus });
  console.error("route handler failed:", err);
  return Response.json({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal error" } }, { status: 500 });
}
