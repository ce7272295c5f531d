// Storage that cannot take a write is named as such, whether the driver's error comes bare (SQLite) or wrapped by the
// query builder (PostgreSQL's, as the cause of drizzle's query error).
import { describe, expect, it } from "vitest";
import { storageError } from "./errors";

const withCode = (code: string) => Object.assign(new Error(code), { code });
const wrapped = (cause: Error) => Object.assign(new Error("Failed query: insert into ..."), { cause });

describe("storageError", () => {
  it("names a full or read-only storage from SQLite's codes, errno names and PostgreSQL's SQLSTATEs", () => {
    for (const code of ["SQLITE_FULL", "ENOSPC", "53100"]) expect(storageError(withCode(code))?.message).toMatch(/storage is full/);
    for (const code of ["SQLITE_READONLY", "EROFS", "25006"]) expect(storageError(withCode(code))?.message).toMatch(/storage is read-only/);
    expect(storageError(wrapped(withCode("53100")))).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });

  it("leaves every other error alone", () => {
    expect(storageError(withCode("SQLITE_CONSTRAINT_UNIQUE"))).toBeNull();
    expect(storageError(wrapped(withCode("23505")))).toBeNull();
    expect(storageError(new Error("no code"))).toBeNull();
    expect(storageError(null)).toBeNull();
  });
});
