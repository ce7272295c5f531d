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
