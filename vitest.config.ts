import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    // Hooks build and remove whole projects (pre-commit installs migsafe with its node_modules): 10 s is too short on a loaded 2-core machine.
    hookTimeout: 120_000,
  },
});
