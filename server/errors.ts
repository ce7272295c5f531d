// One error type for rules the services enforce, with codes that map to tRPC errors and HTTP statuses.
import { TRPCError } from "@trpc/server";

export const APP_ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return APP_ERROR_CODES[this.code];
  }

  toTRPCError(): TRPCError {
    return new TRPCError({ code: this.code, message: this.message, cause: this });
  }
}

// SQLite's codes and errno names, and PostgreSQL's SQLSTATEs: 53100 disk_full, 25006 read_only_sql_transaction.
const FULL = new Set(["ENOSPC", "EFBIG", "EDQUOT", "SQLITE_FULL", "53100"]);
const READ_ONLY = new Set(["EROFS", "SQLITE_READONLY", "SQLITE_READONLY_DBMOVED", "SQLITE_READONLY_DIRECTORY", "SQLITE_READONLY_RECOVERY", "25006"]);

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/**
 * The clear error for storage that cannot take a write (disk full, file too large, read-only file system or
 * database); null for any other error. What was being written was rolled back or removed by its writer. The driver's
 * error may come wrapped by the query builder (PostgreSQL's, as the cause of drizzle's query error).
 */
export function storageError(err: unknown): AppError | null {
  let code = codeOf(err);
  if (typeof code !== "string") code = codeOf((err as { cause?: unknown } | null)?.cause);
  if (typeof code !== "string") return null;
  if (FULL.has(code)) return new AppError("SERVICE_UNAVAILABLE", "The server's storage is full; nothing was saved. Try again once space is freed.");
  if (READ_ONLY.has(code)) return new AppError("SERVICE_UNAVAILABLE", "The server's storage is read-only; nothing was saved.");
  return null;
}
