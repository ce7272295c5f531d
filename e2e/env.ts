// Where the end-to-end server runs and which database it uses; specs seed that database directly.
import path from "node:path";

/** Port 3100 unless E2E_PORT says otherwise (two checkouts testing side by side). */
export const E2E_URL = `http://localhost:${process.env.E2E_PORT ?? "3100"}`;
export const E2E_DATABASE = path.join(process.cwd(), "data", "e2e.db");
export const E2E_DATA_DIR = path.join(process.cwd(), "data", "e2e");
/** The one loopback address the e2e server trusts as a reverse proxy (e2e/sign-in.spec.ts connects from it). */
export const E2E_TRUSTED_PROXY = "127.0.0.3";
export const E2E_ENV = {
  NODE_ENV: "production" as const,
  NEXT_TELEMETRY_DISABLED: "1",
  DATABASE_PATH: E2E_DATABASE,
  DATA_DIR: E2E_DATA_DIR,
  NEXTAUTH_URL: E2E_URL,
  NEXTAUTH_SECRET: "e2e-only-secret-0123456789abcdefghijklmnop",
  TRUSTED_PROXIES: E2E_TRUSTED_PROXY,
};
