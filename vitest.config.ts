// Vitest configuration: unit and integration tests live beside the code as *.test.ts.
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  // "@/x" is the repository root's x, as tsconfig.json's paths say (Next and tsx read them there).
  resolve: { alias: [{ find: /^@\//, replacement: fileURLToPath(new URL("./", import.meta.url)) }] },
  test: {
    include: ["{app,server,db,trainer,scripts}/**/*.test.ts"],
    // *.pg.test.ts: what only PostgreSQL has (roles and grants, the job queue's schema), in the PostgreSQL pass.
    exclude: [...configDefaults.exclude, ...(process.env.TEST_ENGINE === "postgres" ? [] : ["**/*.pg.test.ts"])],
    environment: "node",
    pool: "forks",
    // TEST_ENGINE=postgres runs the tests on a throwaway PostgreSQL server (server/postgres-test-setup.ts starts it).
    globalSetup: ["server/postgres-test-setup.ts"],
    testTimeout: 30_000,
    // A valid environment for code that reads it (server/env.ts validates it as the server does at start).
    env: { NEXTAUTH_SECRET: "vitest-only-secret-0123456789abcdefghijklmnop" },
  },
});
