// Vitest configuration: unit and integration tests live beside the code as *.test.ts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{app,server,db,trainer,scripts}/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 30_000,
  },
});
