import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The machines are shared and noisy: tests assert behaviour, never timing.
    testTimeout: 30_000,
    pool: "forks",
  },
});
