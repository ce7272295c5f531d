// Environment validation: defaults, and messages that name the bad variable.
import { describe, expect, it } from "vitest";
import { databaseTarget } from "../db/open";
import { parseEnv } from "./env";

const SECRET = "x".repeat(32);

describe("parseEnv", () => {
  it("fills defaults", () => {
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET })).toMatchObject({
      DATABASE_PATH: "data/epsilon-ledger.db",
      NEXTAUTH_URL: "http://localhost:3000",
      SIGN_IN_MAX_FAILURES_PER_ACCOUNT: 5,
      MAX_API_BODY_BYTES: 1024 * 1024,
    });
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET, MAX_API_BODY_BYTES: "2048" }).MAX_API_BODY_BYTES).toBe(2048);
  });

  it("reads TRUSTED_PROXIES as a list of addresses and CIDR ranges, empty by default", () => {
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET }).TRUSTED_PROXIES).toEqual([]);
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET, TRUSTED_PROXIES: " 10.0.0.0/8, ::1 ," }).TRUSTED_PROXIES).toEqual(["10.0.0.0/8", "::1"]);
    expect(() => parseEnv({ NEXTAUTH_SECRET: SECRET, TRUSTED_PROXIES: "10.0.0.1, proxy.internal" })).toThrow(
      /TRUSTED_PROXIES: "proxy.internal" is not an IP address or CIDR range/,
    );
  });

  it("names a missing or bad variable", () => {
    expect(() => parseEnv({})).toThrow(/NEXTAUTH_SECRET/);
    expect(() => parseEnv({ NEXTAUTH_SECRET: "short" })).toThrow(/NEXTAUTH_SECRET: must be at least 32 characters/);
    expect(() => parseEnv({ NEXTAUTH_SECRET: SECRET, NEXTAUTH_URL: "not a url" })).toThrow(/NEXTAUTH_URL/);
    expect(() => parseEnv({ NEXTAUTH_SECRET: SECRET, SIGN_IN_MAX_FAILURES_PER_IP: "-1" })).toThrow(/SIGN_IN_MAX_FAILURES_PER_IP/);
  });

  it("takes a PostgreSQL DATABASE_URL, and refuses any other URL without echoing it (it may hold a password)", () => {
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET }).DATABASE_URL).toBeUndefined();
    const url = "postgres://ledger:s3cret@db.internal:5432/ledger";
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: url }).DATABASE_URL).toBe(url);
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: "postgresql://db.internal/ledger" }).DATABASE_URL).toBe("postgresql://db.internal/ledger");
    expect(() => parseEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: "mysql://ledger:s3cret@db.internal/ledger" })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(() => parseEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: "mysql://ledger:s3cret@db.internal/ledger" })).not.toThrow(/s3cret/);
  });

  it("sizes the PostgreSQL pool from DATABASE_POOL_MAX, a whole number of connections", () => {
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET }).DATABASE_POOL_MAX).toBe(15);
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_POOL_MAX: "32" }).DATABASE_POOL_MAX).toBe(32);
    for (const bad of ["0", "-3", "2.5", "many"]) {
      expect(() => parseEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_POOL_MAX: bad })).toThrow(/DATABASE_POOL_MAX/);
      expect(() => databaseTarget({ DATABASE_URL: "postgres://db.internal/ledger", DATABASE_POOL_MAX: bad })).toThrow(/DATABASE_POOL_MAX must be a whole number/);
    }
    const url = "postgres://db.internal/ledger";
    expect(databaseTarget(parseEnv({ NEXTAUTH_SECRET: SECRET, DATABASE_URL: url, DATABASE_POOL_MAX: "32" }))).toEqual({ kind: "postgres", url, poolMax: 32 });
    expect(databaseTarget({ DATABASE_URL: url })).toEqual({ kind: "postgres", url });
  });

  it("enables OIDC only with issuer, client id and secret together", () => {
    expect(parseEnv({ NEXTAUTH_SECRET: SECRET }).OIDC_ISSUER).toBeUndefined();
    expect(() => parseEnv({ NEXTAUTH_SECRET: SECRET, OIDC_ISSUER: "https://id.example.com" })).toThrow(
      /OIDC_CLIENT_ID: is required when OIDC_ISSUER is set[\s\S]*OIDC_CLIENT_SECRET/,
    );
    const full = { NEXTAUTH_SECRET: SECRET, OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" };
    expect(parseEnv(full).OIDC_CLIENT_ID).toBe("a");
  });
});
