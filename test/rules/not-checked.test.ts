import { describe, expect, it } from "vitest";
import { lintEmbeddedSource } from "../../src/embedded/lint-embedded.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { lintSql } from "../helpers.js";

function lint(source: string) {
  const result = lintEmbeddedSource(source, "migrations/1_x.ts", { rules: allRules, settings: DEFAULT_SETTINGS });
  return {
    notChecked: result.findings.filter((f) => f.ruleId === "not-checked").map((f) => `${f.loc.start.line}:${f.loc.start.column} ${source.slice(f.range.start, f.range.end)} | ${f.message}`),
    errors: result.errors.map((e) => e.message),
    messages: result.findings.map((f) => `${f.message} ${f.help}`).join("\n"),
  };
}

const up = (body: string) => `export class M {\n  async up(queryRunner) {\n    ${body}\n  }\n}\n`;

describe("not-checked", () => {
  it("reports a call whose SQL comes from a variable or a helper, at the call", () => {
    const { notChecked, errors } = lint(up("await queryRunner.query(buildSql(table));"));
    expect(notChecked).toEqual([
      "3:11 queryRunner.query(buildSql(table)) | queryRunner.query(…): this SQL is built at run time and was not checked: its SQL is `buildSql(table)`, computed at run time. Whatever it runs (a lock, a rewrite, a drop) migsafe cannot see.",
    ]);
    expect(errors).toEqual([]);
  });

  it("names what a variable holding the SQL was given", () => {
    const { notChecked } = lint(up("const sql = buildSql();\n    await queryRunner.query(sql);"));
    expect(notChecked).toEqual([expect.stringContaining("its SQL is `sql = buildSql()`, computed at run time")]);
  });

  it("reports SQL whose ${} part stands where a statement or a keyword is expected, never as a fatal error or by its placeholder", () => {
    const { notChecked, errors, messages } = lint(up("await queryRunner.query(`CREATE ${unique} INDEX i ON t (a)`);"));
    expect(notChecked).toHaveLength(1);
    expect(notChecked[0]).toContain('it does not parse without the values computed at run time (syntax error at or near "${unique}")');
    expect(errors).toEqual([]);
    expect(messages).not.toMatch(/migsafe_hole|\b_\d+\b/);
  });

  it("checks SQL whose ${} parts are names and values, and shows them as written", () => {
    const { notChecked, messages } = lint(up("await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN age`);"));
    expect(notChecked).toEqual([]);
    expect(messages).toContain("Dropping column age of ${table}");
  });

  it("gives a number where SQL wants one: the statement is checked", () => {
    const source = up("for (let i = 0; i < 4; i++) await queryRunner.query(`CREATE TABLE t_${i} PARTITION OF t FOR VALUES WITH (MODULUS 4, REMAINDER ${i})`);");
    expect(lint(source).notChecked).toEqual([]);
  });

  it("a syntax error that is not at a computed part stays a fatal error of the file", () => {
    const { notChecked, errors } = lint(up("await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN x integer uuid`);"));
    expect(notChecked).toEqual([]);
    expect(errors).toEqual(['embedded SQL: syntax error at or near "uuid"']);
  });

  it("a fragment passed to another call is no statement: no finding", () => {
    expect(lint(up("await knex.schema.alterTable('t', (t) => t.timestamp('c').defaultTo(knex.raw(now)));")).notChecked).toEqual([]);
  });

  it("never reports a SQL file", () => {
    expect(lintSql("SELECT 1;").findings.filter((f) => f.ruleId === "not-checked")).toEqual([]);
  });
});
