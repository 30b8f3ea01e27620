import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import type { Finding } from "../../src/engine/rule.js";
import { formatCompact } from "../../src/formatters/compact.js";
import type { ReportContext } from "../../src/formatters/format.js";

const cwd = path.resolve("/project");
const context: ReportContext = { cwd, repoRoot: cwd, colors: true, rules: [], version: "1.2.3" };

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
  },
  { filePath: path.join(cwd, "../elsewhere/missing.sql"), findings: [], errors: [{ message: "file not found" }] },
];

describe("compact", () => {
  it("writes one line per message, `path:line:col: severity rule-id message`, without colour or summary", () => {
    expect(formatCompact(results, context)).toBe(
      [
        "migrations/002_mixed.sql:3:5: careful adding-not-null SET NOT NULL scans the whole table.",
        "migrations/002_mixed.sql:12:1: dangerous drop-table DROP TABLE users deletes every row.",
        "migrations/003_broken.sql:1:1: dangerous drop-table DROP TABLE a deletes every row.",
        'migrations/003_broken.sql:2:23: error parse-error syntax error at or near "LIMIT"',
        "../elsewhere/missing.sql: error parse-error file not found",
        "",
      ].join("\n"),
    );
  });

  it("writes nothing when no file has a message", () => {
    expect(formatCompact(results.slice(0, 1), context)).toBe("");
    expect(formatCompact([], context)).toBe("");
  });

  it("keeps each message on one line whatever the file name or message holds", () => {
    const hostile: FileResult = {
      filePath: path.join(cwd, "evil\nmigrations/x.sql:1:1: careful fake-rule injected.sql"),
      findings: [finding("drop-table", "dangerous", 2, 3, "DROP TABLE \"a\nb\";\r\n\u001b[2J\u202ereversed\u0085")],
      errors: [],
    };
    expect(formatCompact([hostile], context)).toBe(
      'evil\\x0amigrations/x.sql:1:1: careful fake-rule injected.sql:2:3: dangerous drop-table DROP TABLE "a\\x0ab";\\x0d\\x0a\\x1b[2J\\u202ereversed\\x85\n',
    );
  });

  it("reports real findings at their positions", () => {
    const files: FileAccess = { exists: () => false, read: () => undefined };
    const result = lintSource("BEGIN;\nSET lock_timeout = '5s';\n  DROP TABLE accounts;\nCOMMIT;\n", path.join(cwd, "db/007_drop.sql"), { rules: allRules }, files);
    const lines = formatCompact([result], context).trimEnd().split("\n");
    const drop = result.findings.find((found) => found.ruleId === "drop-table")!;
    expect(lines.filter((line) => line.includes(" drop-table "))).toEqual([`db/007_drop.sql:3:3: dangerous drop-table ${drop.message}`]);
    expect(lines).toHaveLength(result.findings.length);
  });
});
