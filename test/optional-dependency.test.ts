import { describe, expect, it } from "vitest";
import { loadOptional, MissingDependencyError, requireOptional } from "../src/optional-dependency.js";

const PURPOSE = "migsafe verify";

describe("optional peer dependencies", () => {
  it("name the missing package and the npm command that installs it, in one line", async () => {
    const missing = loadOptional(["migsafe-no-such-package"], PURPOSE, () => import("migsafe-no-such-package" as string));
    await expect(missing).rejects.toThrow(new MissingDependencyError(["migsafe-no-such-package"], PURPOSE));
    await expect(missing).rejects.toThrow(/^migsafe verify needs migsafe-no-such-package in the project: npm install --save-dev migsafe-no-such-package$/);
    expect(() => requireOptional(["migsafe-no-such-package", "typescript"], PURPOSE)).toThrow(
      "migsafe verify needs migsafe-no-such-package and typescript in the project: npm install --save-dev migsafe-no-such-package typescript",
    );
  });

  it("load what is installed", async () => {
    expect(requireOptional<{ version: string }>(["typescript"], PURPOSE).version).toMatch(/^\d/);
    expect((await loadOptional(["pg"], PURPOSE, () => import("pg"))).default.Client).toBeTypeOf("function");
  });

  it("let other errors through: a module that is found but fails, or that misses something else", async () => {
    const broken = new Error("boom");
    await expect(loadOptional(["pg"], PURPOSE, () => Promise.reject(broken))).rejects.toBe(broken);
    await expect(loadOptional(["pg"], PURPOSE, () => import("migsafe-other-package" as string))).rejects.not.toBeInstanceOf(MissingDependencyError);
  });
});
