import path from "node:path";
import type { FileResult } from "../../src/engine/lint.js";
import type { Finding } from "../../src/engine/rule.js";

// Synthetic results: the formatters' layout, independent of what the rules say.
export const SYNTHETIC_CWD = path.resolve("/project");

export function syntheticFinding(ruleId: string, severity: Finding["severity"], line: number, column: number, message: string): Finding {
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

/** A clean file, one with a careful and a dangerous finding, one with a syntax error, and one that could not be read. */
export const SYNTHETIC_RESULTS: FileResult[] = [
  { filePath: path.join(SYNTHETIC_CWD, "migrations/001_clean.sql"), findings: [], errors: [], text: "SELECT 1;\n" },
  {
    filePath: path.join(SYNTHETIC_CWD, "migrations/002_mixed.sql"),
    findings: [
      syntheticFinding("adding-not-null", "careful", 3, 5, "SET NOT NULL scans the whole table."),
      syntheticFinding("drop-table", "dangerous", 12, 1, "DROP TABLE users deletes every row."),
    ],
    errors: [],
    text: "…",
  },
  {
    filePath: path.join(SYNTHETIC_CWD, "migrations/003_broken.sql"),
    findings: [syntheticFinding("drop-table", "dangerous", 1, 1, "DROP TABLE a deletes every row.")],
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
  { filePath: path.join(SYNTHETIC_CWD, "../elsewhere/missing.sql"), findings: [], errors: [{ message: "file not found" }] },
];

/** A file PostgreSQL cannot parse (with a hint) and one that could not be read, under a repository `root`. */
export function unparsableAndUnreadable(root: string): FileResult[] {
  return [
    {
      filePath: path.join(root, "db/migrations/002_b.sql"),
      text: "SELECT 1;\nDELETE FROM t LIMIT 1;\n",
      findings: [],
      errors: [
        {
          message: 'syntax error at or near "LIMIT"',
          hint: "DELETE has no LIMIT.",
          range: { start: 24, end: 29 },
          loc: { start: { line: 2, column: 15 }, end: { line: 2, column: 20 } },
        },
      ],
    },
    { filePath: path.join(root, "../elsewhere/gone.sql"), findings: [], errors: [{ message: "file not found" }] },
  ];
}
