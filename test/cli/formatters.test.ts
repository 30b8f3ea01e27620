import path from "node:path";
import { describe, expect, it } from "vitest";
import type { FileResult } from "../../src/engine/lint.js";
import type { Finding } from "../../src/engine/rule.js";
import { escapeControl, escapeJsonControl } from "../../src/formatters/escape.js";
import { formatJson } from "../../src/formatters/json.js";
import { formatStylish } from "../../src/formatters/stylish.js";

// Synthetic results: the formatters' layout, independent of what the rules say.
const cwd = path.resolve("/project");

function finding(ruleId: string, severity: Finding["severity"], line: number, column: number, message: string): Finding {
  return {
    ruleId,
    severity,
    message,
    help: `How to avoid ${ruleId}.`,
    range: { start: 0, end: 1 },
    loc: { start: { line, column }, end: { line, column: column + 5 } },
    docsUrl: `https://example.test/${ruleId}.md`,
  };
}

const results: FileResult[] = [
  { filePath: path.join(cwd, "migrations/001_clean.sql"), findings: [], errors: [], text: "SELECT 1;\n" },
  {
    filePath: path.join(cwd, "migrations/002_mixed.sql"),
    findings: [
      finding("adding-not-null", "careful", 3, 5, "SET NOT NULL scans the whole table."),
      finding("drop-table", "dangerous", 12, 1, "DROP TABLE users deletes every row."),
    ],
    errors: [],
    text: "…",
  },
  {
    filePath: path.join(cwd, "migrations/003_broken.sql"),
    findings: [finding("drop-table", "dangerous", 1, 1, "DROP TABLE a deletes every row.")],
    errors: [
      {
        message: 'syntax error at or near "LIMIT"',
        hint: "PostgreSQL's DELETE has no LIMIT.",
        range: { start: 40, end: 45 },
        loc: { start: { line: 2, column: 23 }, end: { line: 2, column: 28 } },
      },
    ],
    text: "…",
  },
  { filePath: path.join(cwd, "../elsewhere/missing.sql"), findings: [], errors: [{ message: "file not found" }] },
];

describe("stylish", () => {
  it("aligns positions and severities per file, with help and hint lines, and a summary", () => {
    expect(formatStylish(results, { cwd, colors: false })).toMatchSnapshot();
  });

  it("says how many files were clean, and how many problems --fix fixed", () => {
    expect(formatStylish(results.slice(0, 1), { cwd, colors: false })).toBe("✔ No problems found in 1 file\n");
    expect(formatStylish([], { cwd, colors: false, fixed: { problems: 0, files: 0 } })).toBe("✔ No problems found in 0 files\n");
    expect(formatStylish(results.slice(0, 1), { cwd, colors: false, fixed: { problems: 1, files: 1 } })).toBe(
      "✔ Fixed 1 problem in 1 file\n✔ No problems found in 1 file\n",
    );
  });

  it("counts careful-only results in the summary", () => {
    const careful = [{ ...results[1]!, findings: [results[1]!.findings[0]!] }];
    expect(formatStylish(careful, { cwd, colors: false }).split("\n").slice(-2)).toEqual(["✖ 1 problem (0 dangerous, 1 careful)", ""]);
  });

  it("colours only when asked", () => {
    expect(formatStylish(results, { cwd, colors: false })).not.toContain("\u001b[");
    const colored = formatStylish(results, { cwd, colors: true });
    expect(colored).toContain("\u001b[4mmigrations/002_mixed.sql\u001b[24m");
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\u001b\[\d+m/g, "")).toBe(formatStylish(results, { cwd, colors: false }));
  });
});

describe("json", () => {
  it("is one line of JSON ending with a newline", () => {
    const output = formatJson(results);
    expect(output.endsWith("\n")).toBe(true);
    expect(output.trimEnd()).not.toContain("\n");
    const parsed = JSON.parse(output) as { filePath: string; messages: { line?: number; fatal?: boolean }[]; errorCount: number }[];
    expect(parsed.map((file) => file.filePath)).toEqual(results.map((result) => result.filePath));
    // Messages are in position order, a fatal error among the findings.
    expect(parsed[2]!.messages.map((message) => [message.line, message.fatal ?? false])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(parsed[2]!.errorCount).toBe(2);
    expect(formatJson([])).toBe("[]\n");
  });
});

describe("escaping", () => {
  it("escapes C0 and C1 control characters (not tab) and bidi controls", () => {
    expect(escapeControl("a\tb\nc\rd\u0000e\u001bf\u007fg\u0085h\u009bi\u202ej\u2066k")).toBe(
      "a\tb\\x0ac\\x0dd\\x00e\\x1bf\\x7fg\\x85h\\x9bi\\u202ej\\u2066k",
    );
    expect(escapeControl("émigré 🐘 ✔")).toBe("émigré 🐘 ✔");
  });

  it("keeps JSON valid and equal while escaping C1 and bidi characters", () => {
    const json = escapeJsonControl(JSON.stringify({ name: "a\u0085b\u202ec\u001b" }));
    expect(json).toBe('{"name":"a\\u0085b\\u202ec\\u001b"}');
    expect(JSON.parse(json)).toEqual({ name: "a\u0085b\u202ec\u001b" });
  });
});
