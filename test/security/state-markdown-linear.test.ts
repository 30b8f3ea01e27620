import { describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/lint.js";
import type { Rule } from "../../src/engine/rule.js";
import type { Formatter } from "../../src/formatters/format.js";
import { fromBuild } from "./state-cli.js";

const { formatMarkdown } = await fromBuild<{ formatMarkdown: Formatter }>("formatters/markdown");
const { allRules } = await fromBuild<{ allRules: readonly Rule[] }>("../rules/index");

/**
 * `files` results, each with findings that call for every checklist task, whose
 * `filePath` counts how often it is read: the work the report does per file.
 */
function countedResults(files: number): { results: FileResult[]; reads: () => number } {
  let reads = 0;
  const results = Array.from({ length: files }, (_, i): FileResult => {
    const filePath = `/project/migrations/${String(i).padStart(6, "0")}_m.sql`;
    const result: FileResult = {
      filePath,
      errors: [],
      text: "DROP TABLE users;\n",
      findings: ["require-rollback", "drop-table", "not-null-without-backfill", "adding-not-null"].map((ruleId) => ({
        ruleId,
        severity: "dangerous",
        message: `${ruleId} finding`,
        help: "help",
        range: { start: 0, end: 16 },
        loc: { start: { line: 1, column: 1 }, end: { line: 1, column: 17 } },
        docsUrl: `https://example.test/${ruleId}.md`,
      })),
    };
    Object.defineProperty(result, "filePath", { get: () => (reads++, filePath), enumerable: true });
    return result;
  });
  return { results, reads: () => reads };
}

describe("--format markdown is linear in the number of files", () => {
  it("reads each file's path a bounded number of times however many files there are (4× the files: 4× the reads)", () => {
    const context = { cwd: "/project", repoRoot: "/project", colors: false, rules: allRules, version: "0.0.0" };
    const work = (files: number) => {
      const { results, reads } = countedResults(files);
      formatMarkdown(results, context);
      return reads();
    };
    const small = work(500);
    const large = work(2000);
    // Quadratic work (each file compared with every earlier one) would read 4× more per file, ≈16× in all.
    expect(large / small).toBeLessThan(4.5);
    expect(large / 2000).toBeLessThan(50);
  });
});
