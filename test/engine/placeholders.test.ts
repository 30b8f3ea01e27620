import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import dropTable from "../../rules/drop-table.js";
import missingIfNotExists from "../../rules/missing-if-not-exists.js";
import renameColumn from "../../rules/rename-column.js";
import { validateConfig } from "../../src/config/schema.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import type { LintOptions } from "../../src/engine/lint.js";
import { Substitution, type Placeholder } from "../../src/engine/placeholders.js";
import { allRules } from "../../rules/index.js";
import { located } from "../helpers.js";

const noFiles: FileAccess = { exists: () => false, read: () => undefined };
const GO_NAMESPACE: Placeholder = { pattern: String.raw`\{\{\s*index \.Options "Namespace"\s*\}\}`, replacement: "auth" };

function lint(text: string, placeholders: Placeholder[], rules: LintOptions["rules"] = [dropTable, renameColumn, missingIfNotExists]) {
  return lintSource(text, "migrations/001.sql", { settings: DEFAULT_SETTINGS, rules, placeholders }, noFiles);
}

describe("placeholders", () => {
  it("makes a Go-templated migration lintable, with findings at their places in the original file", () => {
    const text = 'SELECT 1;\nALTER TABLE "{{ index .Options "Namespace" }}"."users" RENAME COLUMN a TO b; DROP TABLE {{ index .Options "Namespace" }}.old;\n';
    expect(lint(text, []).errors.map((error) => error.message)).toEqual(['syntax error at or near "Namespace"', 'syntax error at or near "{"']);
    const result = lint(text, [GO_NAMESPACE], [dropTable, renameColumn]);
    expect(result.errors).toEqual([]);
    expect(result.text).toBe(text);
    expect(result.findings.map(located)).toEqual([
      { ruleId: "rename-column", severity: "careful", line: 2, column: 1, endLine: 2, endColumn: 76 },
      { ruleId: "drop-table", severity: "dangerous", line: 2, column: 78, endLine: 2, endColumn: 125 },
    ]);
    expect(result.findings[1]!.message).toMatch(/^DROP TABLE auth\.old /);
    expect(text.slice(result.findings[1]!.range.start, result.findings[1]!.range.end)).toBe('DROP TABLE {{ index .Options "Namespace" }}.old');
  });

  it("keeps positions right in a file with a BOM and lines after a longer replacement", () => {
    const text = '\uFEFFSELECT {{x}};\nDROP TABLE t;';
    const result = lint(text, [{ pattern: String.raw`\{\{x\}\}`, replacement: "a_much_longer_name" }], [dropTable]);
    expect(result.hasBom).toBe(true);
    expect(result.findings.map(located)).toEqual([{ ruleId: "drop-table", severity: "dangerous", line: 2, column: 1, endLine: 2, endColumn: 13 }]);
    expect(result.findings[0]!.range).toEqual({ start: 14, end: 26 });
  });

  it("keeps a fix away from the template, with its range in the original text, and drops a fix that would edit one", () => {
    const text = "CREATE TABLE {{t}} (id int);\nCREATE TABLE {{ns}}_log (id int);\nCREATE TABLE plain (id int);\nINSERT INTO plain VALUES (1);\n";
    const result = lint(text, [{ pattern: String.raw`\{\{\w+\}\}`, replacement: "x" }], [missingIfNotExists]);
    expect(result.findings.map((finding) => [finding.loc.start.line, finding.fix])).toEqual([
      [1, { range: { start: 12, end: 12 }, text: " IF NOT EXISTS" }],
      [2, { range: { start: 41, end: 41 }, text: " IF NOT EXISTS" }],
      [3, { range: { start: 75, end: 75 }, text: " IF NOT EXISTS" }],
    ]);
    // The template stands for "CREATE TABLE t": IF NOT EXISTS would go inside it, so there is no fix.
    const inside = lint("{{ct}} (id int);\nINSERT INTO t VALUES (1);\n", [{ pattern: String.raw`\{\{ct\}\}`, replacement: "CREATE TABLE t" }], [missingIfNotExists]);
    expect(inside.findings.map((finding) => [finding.ruleId, finding.fix])).toEqual([["missing-if-not-exists", undefined]]);
  });

  it("maps a syntax error that remains back into the original text", () => {
    const text = "SELECT {{a}} FROM WHERE;\n";
    const result = lint(text, [{ pattern: String.raw`\{\{a\}\}`, replacement: "column_a" }]);
    expect(result.errors.map((error) => [error.message, error.loc])).toEqual([
      ['syntax error at or near "WHERE"', { start: { line: 1, column: 19 }, end: { line: 1, column: 24 } }],
    ]);
  });

  const supabaseAuth = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus/sql/supabase-auth");
  // The corpus sits beside the repository (../shared), not in it: a clone elsewhere has none.
  it.skipIf(!fs.existsSync(supabaseAuth))("lints every supabase-auth Go-template migration of the corpus without a syntax error", () => {
    const folder = supabaseAuth;
    const templated = fs.readdirSync(folder).filter((name) => fs.readFileSync(path.join(folder, name), "utf8").includes("{{"));
    expect(templated.length).toBeGreaterThan(60);
    const placeholders = [{ pattern: String.raw`\{\{\s*index \.Options "Namespace"\s*\}\}`, replacement: "auth" }];
    const failures = templated.filter((name) => {
      const text = fs.readFileSync(path.join(folder, name), "utf8");
      return lintSource(text, path.join(folder, name), { settings: DEFAULT_SETTINGS, rules: allRules, placeholders }, noFiles).errors.length > 0;
    });
    expect(failures).toEqual([]);
  });
});

describe("Substitution", () => {
  it("maps ranges inside a replacement to the whole template, and others by the shift before them", () => {
    const substitution = Substitution.of("a {{x}} b {{y}} c", [{ pattern: String.raw`\{\{\w\}\}`, replacement: "NAME" }])!;
    expect(substitution.text).toBe("a NAME b NAME c");
    expect(substitution.originalRange({ start: 0, end: 1 })).toEqual({ start: 0, end: 1 });
    expect(substitution.originalRange({ start: 2, end: 6 })).toEqual({ start: 2, end: 7 });
    expect(substitution.originalRange({ start: 3, end: 4 })).toEqual({ start: 2, end: 7 });
    expect(substitution.originalRange({ start: 7, end: 8 })).toEqual({ start: 8, end: 9 });
    expect(substitution.originalRange({ start: 14, end: 15 })).toEqual({ start: 16, end: 17 });
  });

  it("lets an earlier placeholder win where matches overlap, and is undefined when nothing matches", () => {
    const substitution = Substitution.of("{{a}}", [
      { pattern: String.raw`\{\{a\}\}`, replacement: "first" },
      { pattern: String.raw`\{\{\w`, replacement: "second" },
    ]);
    expect(substitution?.text).toBe("first");
    expect(Substitution.of("SELECT 1;", [GO_NAMESPACE])).toBeUndefined();
  });
});

describe("placeholders in the configuration", () => {
  const ids = new Set(allRules.map((rule) => rule.meta.id));
  it.each([
    [{ placeholders: ["x"] }, '"placeholders" must be an object of regular expression → replacement'],
    [{ placeholders: { "{{": 1 } }, '"placeholders.{{" must be a string (the SQL the match is replaced with), not 1'],
    [{ placeholders: { "(": "x" } }, '"placeholders.(": not a valid regular expression (Invalid regular expression: /(/u: Unterminated group)'],
    [{ placeholders: { "a*": "x" } }, '"placeholders.a*": the regular expression matches empty text'],
  ])("refuses %j", (config, message) => {
    expect(validateConfig(config, ids)).toEqual({ ok: false, message });
  });

  it("accepts patterns with their replacements", () => {
    const config = { placeholders: { [GO_NAMESPACE.pattern]: "auth" } };
    expect(validateConfig(config, ids)).toEqual({ ok: true, config, settings: DEFAULT_SETTINGS });
  });
});
