import { configDefaults, defineConfig } from "vitest/config";

// Test files that replace a module (vi.mock) need a module graph of their own; every other file shares its
// worker's, which spares a process start, a TypeScript transform and a parser load per file (a third of the suite's time).
const needsIsolation = ["test/engine/fault-isolation.test.ts", "test/eslint/fault-isolation.test.ts"];

export default defineConfig({
  test: {
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    // Hooks build and remove whole projects (pre-commit installs migsafe with its node_modules): 10 s is too short on a loaded 2-core machine.
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "isolated", include: needsIsolation, isolate: true } },
      { extends: true, test: { name: "shared", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...needsIsolation], isolate: false } },
    ],
  },
});
