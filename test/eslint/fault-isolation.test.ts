import { ESLint } from "eslint";
import { ESLint as ESLint9 } from "eslint-v9";
import { describe, expect, it, vi } from "vitest";
import dropTable from "../../rules/drop-table.js";
import { defineRule, type Rule } from "../../src/engine/rule.js";
import { sql } from "../../src/eslint/language.js";
import { toEslintRule } from "../../src/eslint/rules.js";
import type * as RollbackBlockModule from "../../src/facts/rollback-block.js";

// A bug outside any rule, while linting one file: the rollback partner lookup throws for it.
vi.mock("../../src/facts/rollback-block.js", async (importOriginal) => {
  const original = await importOriginal<typeof RollbackBlockModule>();
  return {
    ...original,
    findPartner: (...args: Parameters<typeof original.findPartner>) => {
      if (args[0].includes("cursed")) throw new Error("partner lookup exploded");
      return original.findPartner(...args);
    },
  };
});

const broken: Rule = defineRule({
  meta: { id: "broken", severity: "careful", description: "Throws on SELECT.", category: "design" },
  visit: {
    SelectStmt() {
      throw new Error("rule exploded");
    },
  },
});

function plugin(rules: readonly Rule[]) {
  return { languages: { sql }, rules: Object.fromEntries(rules.map((rule) => [rule.meta.id, toEslintRule(rule, rules)])) };
}

function eslint(Eslint: typeof ESLint | typeof ESLint9, rules: readonly Rule[]) {
  const config = {
    files: ["**/*.sql"],
    plugins: { migsafe: plugin(rules) },
    language: "migsafe/sql",
    rules: Object.fromEntries(rules.map((rule) => [`migsafe/${rule.meta.id}`, "error"])),
  };
  return new Eslint({ overrideConfigFile: true, overrideConfig: [config] as never });
}

describe.each([
  ["ESLint 10", ESLint],
  ["ESLint 9", ESLint9],
] as const)("%s: a bug in migsafe never ends the ESLint run", (_name, Eslint) => {
  it("reports a throwing rule's internal error under that rule, and the other rules' findings", async () => {
    const [result] = await eslint(Eslint, [broken, dropTable]).lintText("SELECT 1;\nDROP TABLE legacy;\n", { filePath: "migrations/001.sql" });
    expect(result!.messages.map((message) => [message.ruleId, message.line, message.message.split(":")[0]])).toEqual([
      ["migsafe/broken", 1, "Internal error in rule broken at this statement"],
      ["migsafe/drop-table", 2, expect.stringContaining("DROP TABLE legacy deletes the table")],
    ]);
  });

  it("turns a bug outside any rule into one message at the file's start, and lints the next file", async () => {
    const linter = eslint(Eslint, [broken, dropTable]);
    const [cursed] = await linter.lintText("DROP TABLE legacy;\n", { filePath: "migrations/cursed.sql" });
    expect(cursed!.messages.map((message) => [message.ruleId, message.line, message.column, message.message])).toEqual([
      ["migsafe/broken", 1, 1, "migsafe: internal error while linting this file: partner lookup exploded (a bug in migsafe: please report it)"],
    ]);
    const [next] = await linter.lintText("DROP TABLE legacy;\n", { filePath: "migrations/002.sql" });
    expect(next!.messages.map((message) => message.ruleId)).toEqual(["migsafe/drop-table"]);
  });
});

describe("guardedLint", () => {
  it("reports a missing optional package as its one-line install hint, not as a bug in migsafe", async () => {
    const { guardedLint, FileProblem } = await import("../../src/eslint/file-problem.js");
    const { MissingDependencyError } = await import("../../src/optional-dependency.js");
    const problem = guardedLint(() => {
      throw new MissingDependencyError(["@typescript-eslint/typescript-estree", "typescript"], "linting TypeScript/JavaScript migrations");
    });
    expect(problem).toBeInstanceOf(FileProblem);
    expect((problem as InstanceType<typeof FileProblem>).message).toBe(
      "migsafe: linting TypeScript/JavaScript migrations needs @typescript-eslint/typescript-estree and typescript in the project: " +
        "npm install --save-dev @typescript-eslint/typescript-estree typescript",
    );
    const bug = guardedLint(() => {
      throw new TypeError("x is undefined");
    });
    expect((bug as InstanceType<typeof FileProblem>).message).toMatch(/^migsafe: internal error while linting this file: x is undefined/);
  });
});
