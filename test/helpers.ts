import path from "node:path";
import os from "node:os";
import fs from "node:fs";
import { lintSource, type FileAccess } from "../src/engine/lint-source.js";
import type { FileResult, RuleSetting } from "../src/engine/lint.js";
import { expect } from "vitest";
import type { Finding, Fix, LintSettings, Rule } from "../src/engine/rule.js";
import { allRules } from "../rules/index.js";
import { DEFAULT_SETTINGS } from "../src/config/settings.js";

export interface LintSqlOptions {
  /** Rules to run; all rules by default. */
  rules?: readonly Rule[];
  /** Path of the linted file (names its rollback partner). */
  filePath?: string;
  /** Other files that exist, by path: rollback partners. */
  files?: Record<string, string>;
  severities?: Record<string, RuleSetting>;
  settings?: Partial<LintSettings>;
}

export function lintSql(sql: string, options: LintSqlOptions = {}): FileResult {
  const files = options.files ?? {};
  const access: FileAccess = { exists: (path) => path in files, read: (path) => files[path] };
  const lintOptions = { rules: options.rules ?? allRules, severities: options.severities, settings: { ...DEFAULT_SETTINGS, ...options.settings } };
  return lintSource(sql, options.filePath ?? "migrations/001_test.sql", lintOptions, access);
}

/** Findings of one rule, as plain positions: what a rule test asserts. */
export interface Located {
  ruleId: string;
  severity: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function located(finding: Finding): Located {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    line: finding.loc.start.line,
    column: finding.loc.start.column,
    endLine: finding.loc.end.line,
    endColumn: finding.loc.end.column,
  };
}

/** Lints `sql` with one rule and returns its findings' positions. */
export function findingsOf(rule: Rule, sql: string, options: Omit<LintSqlOptions, "rules"> = {}): Located[] {
  return lintSql(sql, { ...options, rules: [rule] }).findings.map(located);
}

/** The SQL blocks of one section ("Example", "Use instead") of a rule's docs page. */
export function docsSqlBlocks(ruleId: string, section: string): string[] {
  const page = fs.readFileSync(new URL(`../docs/rules/${ruleId}.md`, import.meta.url), "utf8");
  const body = page.split(`\n## ${section}\n`)[1]?.split("\n## ")[0] ?? "";
  return [...body.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The text with one fix applied. */
export function applyFix(text: string, fix: Fix): string {
  return text.slice(0, fix.range.start) + fix.text + text.slice(fix.range.end);
}

/** The rule reports every SQL block of its docs page's Example, and none of its Use instead, which parses. */
export function expectDocsExamples(rule: Rule): void {
  const example = docsSqlBlocks(rule.meta.id, "Example");
  const instead = docsSqlBlocks(rule.meta.id, "Use instead");
  expect(example.length).toBeGreaterThan(0);
  expect(instead.length).toBeGreaterThan(0);
  for (const sql of example) expect(lintSql(sql, { rules: [rule] }).findings.length).toBeGreaterThan(0);
  for (const sql of instead) {
    const result = lintSql(sql, { rules: [rule] });
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
  }
}

/** What every rule test builds from its rule: `at(…)` for an expected finding, settings-dependent runs, and its docs page's SQL. */
/**
 * Every finding `rule` reports on each statement fits on a line: a message of at most 100 characters that is never
 * cut at its end (long names may lose their middle to "…"), and a help of at most 200, neither with a line break.
 */
export function expectFitsOnALine(rule: Rule, statements: readonly string[]): void {
  for (const sql of statements) {
    const findings = lintSql(sql, { rules: [rule] }).findings;
    expect(findings.length, sql).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.message.length).toBeLessThanOrEqual(100);
      expect(finding.message).not.toMatch(/…$/);
      expect(finding.help.length).toBeLessThanOrEqual(200);
      expect(finding.message + finding.help).not.toMatch(/[\r\n]/);
    }
  }
}

export function ruleTestKit(rule: Rule) {
  return {
    at: (line: number, column: number, endLine: number, endColumn: number): Located => ({
      ruleId: rule.meta.id,
      severity: rule.meta.severity,
      line,
      column,
      endLine,
      endColumn,
    }),
    withSettings: (sql: string, settings: Partial<LintSettings>): Located[] => lintSql(sql, { rules: [rule], settings }).findings.map(located),
    docsSql: (section: string): string[] => docsSqlBlocks(rule.meta.id, section),
  };
}

/** Writes the files (path relative to the folder → text) into a new temporary folder; returns the folder. */
export function tempTree(files: Record<string, string>, prefix = "migsafe-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
