import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The browser tests and the server tests share little; one file at a time keeps CI's 2 cores calm.
    fileParallelism: false,
  },
});
