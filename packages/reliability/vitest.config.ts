import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Child processes (flows, the CLI, store workers) and two database servers: files run
    // side by side, a few at a time, so a 2-core machine is not oversubscribed.
    maxWorkers: 3,
  },
});
