import { createHash } from "node:crypto";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import type { ReportContext } from "../../src/formatters/format.js";
import { formatGitlab, type CodeQualityIssue } from "../../src/formatters/gitlab.js";
import { formatSarif } from "../../src/formatters/sarif.js";
import { unparsableAndUnreadable } from "./synthetic-results.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const root = path.resolve("/repo");
const context: ReportContext = { cwd: path.join(root, "db"), repoRoot: root, colors: false, rules: allRules, version: "1.2.3" };
const noPartners: FileAccess = { exists: () => false, read: () => undefined };

function lint(sql: string, relativePath: string): FileResult {
  return lintSource(sql, path.join(root, relativePath), { settings: DEFAULT_SETTINGS, rules: allRules }, noPartners);
}

function issuesOf(results: readonly FileResult[]): CodeQualityIssue[] {
  return JSON.parse(formatGitlab(results, context)) as CodeQualityIssue[];
}

function fingerprint(ruleId: string, relativePath: string, snippet: string, occurrence = 0): string {
  return createHash("sha256").update(JSON.stringify([ruleId, relativePath, snippet, occurrence])).digest("hex");
}

const docs = "https://github.com/migsafe/migsafe/blob/main/docs/rules/";
const results: FileResult[] = [
  { filePath: path.join(root, "db/migrations/000_clean.sql"), findings: [], errors: [], text: "SELECT 1;\n" },
  {
    filePath: path.join(root, "db/migrations/001 a é.sql"),
    text: "DROP TABLE users;\nCREATE INDEX i ON t (c);\n",
    errors: [],
    findings: [
      {
        ruleId: "drop-table",
        severity: "dangerous",
        message: "DROP TABLE users deletes every row.",
        help: "Rename it first.",
        range: { start: 0, end: 16 },
        loc: { start: { line: 1, column: 1 }, end: { line: 1, column: 17 } },
        docsUrl: `${docs}drop-table.md`,
      },
      {
        ruleId: "require-concurrent-index",
        severity: "careful",
        message: "CREATE INDEX blocks writes on t.",
        help: "Use CONCURRENTLY.",
        range: { start: 18, end: 42 },
        loc: { start: { line: 2, column: 1 }, end: { line: 3, column: 1 } },
        docsUrl: `${docs}require-concurrent-index.md`,
      },
    ],
  },
  ...unparsableAndUnreadable(root),
];

describe("gitlab", () => {
  it("writes one Code Quality issue per message, paths relative to the repository root", () => {
    expect(issuesOf(results)).toEqual([
      {
        description: "DROP TABLE users deletes every row.",
        check_name: "drop-table",
        fingerprint: fingerprint("drop-table", "db/migrations/001 a é.sql", "DROP TABLE users"),
        severity: "critical",
        location: { path: "db/migrations/001 a é.sql", lines: { begin: 1, end: 1 } },
        content: { body: `Rename it first.\n\n[Documentation](${docs}drop-table.md)` },
      },
      {
        description: "CREATE INDEX blocks writes on t.",
        check_name: "require-concurrent-index",
        fingerprint: fingerprint("require-concurrent-index", "db/migrations/001 a é.sql", "CREATE INDEX i ON t (c);"),
        severity: "major",
        location: { path: "db/migrations/001 a é.sql", lines: { begin: 2, end: 3 } },
        content: { body: `Use CONCURRENTLY.\n\n[Documentation](${docs}require-concurrent-index.md)` },
      },
      {
        description: 'syntax error at or near "LIMIT"',
        check_name: "parse-error",
        fingerprint: fingerprint("parse-error", "db/migrations/002_b.sql", "LIMIT"),
        severity: "blocker",
        location: { path: "db/migrations/002_b.sql", lines: { begin: 2, end: 2 } },
        content: { body: "DELETE has no LIMIT." },
      },
      {
        description: "file not found",
        check_name: "parse-error",
        fingerprint: fingerprint("parse-error", "../elsewhere/gone.sql", ""),
        severity: "blocker",
        location: { path: "../elsewhere/gone.sql", lines: { begin: 1, end: 1 } },
      },
    ]);
  });

  it("is one line of JSON ending with a newline; an empty array when all is clean", () => {
    expect(formatGitlab(results.slice(0, 1), context)).toBe("[]\n");
    expect(formatGitlab([], context)).toBe("[]\n");
    const hostile = "DROP TABLE \u202eevil\u2066 \u0085\n";
    const output = formatGitlab([{ ...results[1]!, findings: [{ ...results[1]!.findings[0]!, message: hostile }] }], context);
    expect(output.endsWith("\n")).toBe(true);
    expect(output.trimEnd()).not.toContain("\n");
    expect(output).toContain('"description":"DROP TABLE \\u202eevil\\u2066 \\u0085\\n"');
    expect((JSON.parse(output) as CodeQualityIssue[])[0]!.description).toBe(hostile);
  });

  it("gives every issue of a real report its own fingerprint, the same one SARIF gives it", () => {
    const real = [
      lint("DROP TABLE accounts;\nDROP TABLE accounts;\nCREATE INDEX users_email ON users (email);\n", "db/migrations/010.sql"),
      lint("DROP TABLE accounts;\n", "db/migrations/011.sql"),
      lint("SELECT 1;\nDELETE FROM t LIMIT 1;\nDELETE FROM t LIMIT 1;\n", "db/migrations/012.sql"),
    ];
    const issues = issuesOf(real);
    const fingerprints = issues.map((issue) => issue.fingerprint);
    expect(issues.length).toBeGreaterThan(6);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(fingerprints.every((value) => /^[0-9a-f]{64}$/.test(value))).toBe(true);
    expect(new Set(issues.map((issue) => issue.severity))).toEqual(new Set(["critical", "major", "blocker"]));
    expect(new Set(issues.map((issue) => issue.location.path))).toEqual(new Set(["db/migrations/010.sql", "db/migrations/011.sql", "db/migrations/012.sql"]));

    const sarif = JSON.parse(formatSarif(real, context)) as { runs: { results: { partialFingerprints: Record<string, string> }[] }[] };
    expect(sarif.runs[0]!.results.map((result) => result.partialFingerprints["migsafe/v1"])).toEqual(fingerprints);
  });

  it("keeps a finding's fingerprint when lines are added above it", () => {
    const dropFingerprint = (sql: string) => issuesOf([lint(sql, "db/migrations/013.sql")]).find((issue) => issue.check_name === "drop-table")!;
    const before = dropFingerprint("DROP TABLE accounts;\n");
    const after = dropFingerprint("-- Reviewed.\nCREATE TABLE notes (id bigint PRIMARY KEY);\n\nDROP TABLE accounts;\n");
    expect([before.location.lines.begin, after.location.lines.begin]).toEqual([1, 4]);
    expect(after.fingerprint).toBe(before.fingerprint);
  });
});
