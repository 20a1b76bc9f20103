import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    // The cluster tests start worker processes: one file at a time keeps the machine calm.
    fileParallelism: false,
  },
});
