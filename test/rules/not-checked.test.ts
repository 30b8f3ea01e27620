import { describe, expect, it } from "vitest";
import { lintEmbeddedSource } from "../../src/embedded/lint-embedded.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { lintSql } from "../helpers.js";

function lint(source: string) {
  const result = lintEmbeddedSource(source, "migrations/1_x.ts", { rules: allRules, settings: DEFAULT_SETTINGS });
  return {
    notChecked: result.findings.filter((f) => f.ruleId === "not-checked").map((f) => `${f.loc.start.line}:${f.loc.start.column} ${source.slice(f.range.start, f.range.end)} | ${f.message} | ${f.explanation}`),
    findings: result.findings.filter((f) => f.ruleId === "not-checked"),
    errors: result.errors.map((e) => e.message),
    messages: result.findings.map((f) => `${f.message} ${f.help}`).join("\n"),
  };
}

const up = (body: string) => `export class M {\n  async up(queryRunner) {\n    ${body}\n  }\n}\n`;

describe("not-checked", () => {
  it("reports a call whose SQL comes from a variable or a helper, at the call", () => {
    const { notChecked, errors } = lint(up("await queryRunner.query(buildSql(table));"));
    expect(notChecked).toEqual([
      "3:11 queryRunner.query(buildSql(table)) | This queryRunner.query call runs SQL built at run time, which migsafe did not check | " +
        "This SQL could not be checked: its SQL is `buildSql(table)`, computed at run time. Whatever it runs (a lock, a rewrite, a drop) migsafe cannot see. " +
        "To have it checked, write the statement out in the call, as a string or a template whose `${…}` parts are only names and values " +
        "(or constants of this file), instead of building it in a helper or a variable.",
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
    expect(messages).toContain("${table}");
    expect(messages).not.toContain("migsafe_hole");
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

  it("says in one short line which call was not checked, with a one-line help", () => {
    const [finding] = lint(up("await queryRunner.query(buildSql(table));")).findings;
    expect(finding!.message).toBe("This queryRunner.query call runs SQL built at run time, which migsafe did not check");
    expect(finding!.help).toBe("Review its SQL by hand, or write the statement out in the call: a string, or a template whose `${…}` parts are only names and values");
    const long = "x".repeat(60);
    const sources = [
      up(`await queryRunner.query(${long}.${long}(table));`),
      up(`const ${long} = buildSql();\n    await queryRunner.query(${long});`),
      up(`await queryRunner.query(\`CREATE \${${long}} INDEX ${long} ON ${long} (a)\`);`),
    ];
    for (const source of sources) {
      const { findings } = lint(source);
      expect(findings).toHaveLength(1);
      expect(findings[0]!.message.length).toBeLessThanOrEqual(100);
      expect(findings[0]!.help.length).toBeLessThanOrEqual(200);
    }
  });
});
