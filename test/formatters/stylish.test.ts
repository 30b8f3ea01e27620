import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/lint.js";
import type { Rule } from "../../src/engine/rule.js";
import { formatRuleSummary, formatStylish, formatStylishSummary, RuleTally } from "../../src/formatters/stylish.js";
import { totalsOf } from "../../src/formatters/messages.js";
import { SYNTHETIC_CWD, SYNTHETIC_RESULTS, syntheticFinding } from "./synthetic-results.js";

const cwd = SYNTHETIC_CWD;

function rule(id: string, description: string): Rule {
  return { meta: { id, severity: "dangerous", description, category: "locking" } } as Rule;
}

const rules = [
  rule("drop-table", "DROP TABLE deletes a table and every row in it."),
  rule("adding-not-null", "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, which blocks every query."),
  rule("require-lock-timeout", "A statement that locks a table without a lock_timeout."),
];

function file(name: string, findings: FileResult["findings"], text = "SELECT 1;\n"): FileResult {
  return { filePath: path.join(cwd, "migrations", name), findings, errors: [], text };
}

const many: FileResult[] = [
  file("001.sql", [syntheticFinding("adding-not-null", "careful", 1, 1, "a"), syntheticFinding("adding-not-null", "careful", 1, 1, "b")]),
  file("002.sql", [syntheticFinding("require-lock-timeout", "careful", 1, 1, "c")]),
  file("003.sql", [syntheticFinding("drop-table", "dangerous", 1, 1, "d")]),
  file("004.sql", []),
];

function summaryOf(results: readonly FileResult[], options: { columns?: number } = {}): string {
  const tally = new RuleTally();
  for (const result of results) tally.add(result);
  return formatRuleSummary(tally, results.length, { colors: false, rules, ...options });
}

describe("stylish summary per rule", () => {
  it("lists each rule with findings, dangerous first then by count, with its description, and the files with findings", () => {
    expect(summaryOf(many)).toBe(
      [
        "  1  dangerous  drop-table            DROP TABLE deletes a table and every row in it.",
        "  2  careful    adding-not-null       SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE…",
        "  1  careful    require-lock-timeout  A statement that locks a table without a lock_timeout.",
        "3 files with findings of 4 linted",
        "",
        "",
      ].join("\n"),
    );
  });

  it("fits descriptions in the terminal's width, cut at a word", () => {
    const lines = summaryOf(many, { columns: 60 }).split("\n");
    for (const line of lines) expect(line.length).toBeLessThan(60);
    expect(summaryOf(many).split("\n")[1]!.length).toBeLessThan(100);
    expect(lines[1]).toBe("  2  careful    adding-not-null       SET NOT NULL scans…");
  });

  it("is left out for a short report in one file, and counted the same when results come one by one", () => {
    expect(summaryOf([many[0]!])).toBe("");
    expect(summaryOf([])).toBe("");
    const six = file("005.sql", Array.from({ length: 6 }, (_, i) => syntheticFinding("drop-table", "dangerous", i + 1, 1, "x")));
    expect(summaryOf([six])).toBe("  6  dangerous  drop-table  DROP TABLE deletes a table and every row in it.\n1 file with findings of 1 linted\n\n");
  });

  it("comes before the totals line of the whole report", () => {
    const report = formatStylish(many, { cwd, colors: false, rules });
    expect(report.endsWith(`${summaryOf(many)}✖ 4 problems (1 dangerous, 3 careful)\n`)).toBe(true);
    // A rule that is not in the run (a stale cache, a custom rule) still gets its row.
    expect(formatStylish(many, { cwd, colors: false })).toContain("  1  dangerous  drop-table\n");
  });

  it("says how many careful findings --quiet left out", () => {
    const totals = totalsOf(many.slice(2));
    expect(formatStylishSummary(totals, { colors: false, hiddenCareful: 3 })).toBe("✖ 1 problem (1 dangerous, 0 careful; 3 careful findings hidden by --quiet)\n");
    expect(formatStylishSummary(totalsOf([many[3]!]), { colors: false, hiddenCareful: 1 })).toBe("✔ No problems found in 1 file (1 careful finding hidden by --quiet)\n");
    expect(formatStylishSummary(totalsOf([many[3]!]), { colors: false, hiddenCareful: 0 })).toBe("✔ No problems found in 1 file\n");
  });
});

describe("stylish code frames", () => {
  const text = "SELECT 1;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n\nDROP TABLE users;\n";
  const result = file("010.sql", [
    { ...syntheticFinding("adding-not-null", "careful", 2, 15, "SET NOT NULL scans t."), loc: { start: { line: 2, column: 15 }, end: { line: 2, column: 42 } } },
    { ...syntheticFinding("drop-table", "dangerous", 4, 1, "DROP TABLE users."), loc: { start: { line: 4, column: 1 }, end: { line: 4, column: 17 } } },
  ], text);

  it("shows the source under each finding, when asked", () => {
    expect(formatStylish([result], { cwd, colors: false, codeFrame: true, rules }).split("\n").slice(0, 12)).toEqual([
      "migrations/010.sql",
      "  2:15  careful    SET NOT NULL scans t.  adding-not-null",
      "        > 2 | ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      "            |               ^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "        help: How to avoid adding-not-null.",
      "",
      "  4:1   dangerous  DROP TABLE users.  drop-table",
      "        > 4 | DROP TABLE users;",
      "            | ^^^^^^^^^^^^^^^^",
      "        help: How to avoid drop-table.",
      "",
      "✖ 2 problems (1 dangerous, 1 careful)",
    ]);
    expect(formatStylish([result], { cwd, colors: false, rules })).not.toContain(" | ");
  });

  it("gives the same text with colours, and none for a file that could not be read or an error without a position", () => {
    const colored = formatStylish([result], { cwd, colors: true, codeFrame: true });
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\u001b\[\d+m/g, "")).toBe(formatStylish([result], { cwd, colors: false, codeFrame: true }));
    const unread = SYNTHETIC_RESULTS[3]!;
    expect(formatStylish([unread], { cwd, colors: false, codeFrame: true })).toBe(formatStylish([unread], { cwd, colors: false }));
  });

  it("frames syntax errors too", () => {
    const broken: FileResult = {
      filePath: path.join(cwd, "migrations/011.sql"),
      text: "SELECT 1;\nDELETE FROM t LIMIT 1;\n",
      findings: [],
      errors: [{ message: 'syntax error at or near "LIMIT"', range: { start: 24, end: 29 }, loc: { start: { line: 2, column: 15 }, end: { line: 2, column: 20 } } }],
    };
    expect(formatStylish([broken], { cwd, colors: false, codeFrame: true })).toContain("        > 2 | DELETE FROM t LIMIT 1;\n            |               ^^^^^\n");
  });
});

describe("stylish hints", () => {
  it("shows a hint once when the file's syntax errors repeat it, and again when another comes between", () => {
    const at = (line: number) => ({ range: { start: 0, end: 1 }, loc: { start: { line, column: 1 }, end: { line, column: 2 } } });
    const template = "This looks like a template: render it first.";
    const backticks = "Backticks quote identifiers in MySQL.";
    const templated: FileResult = {
      filePath: path.join(cwd, "migrations/012.sql"),
      text: "x\n",
      findings: [],
      errors: [
        { message: 'syntax error at or near "{"', hint: template, ...at(1) },
        { message: 'syntax error at or near "{"', hint: template, ...at(2) },
        { message: 'syntax error at or near "`"', hint: backticks, ...at(3) },
        { message: 'syntax error at or near "{"', hint: template, ...at(4) },
      ],
    };
    const hints = formatStylish([templated], { cwd, colors: false }).split("\n").filter((line) => line.includes("hint:")).map((line) => line.trim());
    expect(hints).toEqual([`hint: ${template}`, `hint: ${backticks}`, `hint: ${template}`]);
  });
});
