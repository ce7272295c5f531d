// Vitest configuration: unit and integration tests live beside the code as *.test.ts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{app,server,db,trainer,scripts}/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 30_000,
    // A valid environment for code that reads it (server/env.ts validates it as the server does at start).
    env: { NEXTAUTH_SECRET: "vitest-only-secret-0123456789abcdefghijklmnop" },
  },
});
