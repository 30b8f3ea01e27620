import { describe, expect, it } from "vitest";
import { lintEmbeddedSource } from "../../src/embedded/lint-embedded.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import type { LintSettings } from "../../src/engine/rule.js";

function lint(source: string, settings: Partial<LintSettings> = {}) {
  return lintEmbeddedSource(source, "migrations/1_x.ts", { rules: allRules, settings: { ...DEFAULT_SETTINGS, ...settings } });
}

function rules(source: string, settings: Partial<LintSettings> = {}): string[] {
  return lint(source, settings).findings.map((f) => `${f.ruleId} ${f.loc.start.line}`);
}

describe("embedded migrations: each migration function is a section of its own", () => {
  it("a DROP NOT NULL in up() is reported although down() sets NOT NULL again: down runs only on a rollback", () => {
    const source = [
      "export async function up(q) {",
      "  await q.query('ALTER TABLE users ALTER COLUMN email DROP NOT NULL');",
      "}",
      "export async function down(q) {",
      "  await q.query('ALTER TABLE users ALTER COLUMN email SET NOT NULL');",
      "}",
    ].join("\n");
    expect(rules(source.replace(/\bq\.query/g, "queryRunner.query"))).toContain("drop-not-null 2");
  });

  it("an enum value added in up() and used in down() is not 'in this same transaction'", () => {
    const source = [
      "export class M {",
      "  async up(queryRunner) { await queryRunner.query(`ALTER TYPE mood ADD VALUE 'happy'`); }",
      "  async down(queryRunner) { await queryRunner.query(`UPDATE people SET mood = 'happy' WHERE id = 1`); }",
      "}",
    ].join("\n");
    expect(rules(source, { assumeInTransaction: true }).filter((f) => f.startsWith("enum-add-value"))).toEqual([]);
  });

  it("names the function whose transaction the runner wraps", () => {
    const source = "export class M {\n  async up(queryRunner) { await queryRunner.query(`ALTER TYPE mood ADD VALUE 'happy'`); }\n}";
    const [finding] = lint(source, { pgVersion: 11, assumeInTransaction: true }).findings.filter((f) => f.ruleId === "enum-add-value-in-transaction");
    expect(finding!.explanation).toContain("the transaction the migration runner wraps its up function in");
  });

  it("hooks named in migrationFunctions are sections of their own; unnamed, their SQL runs with up()", () => {
    const source = [
      "export class M {",
      "  async beforeUp(queryRunner) { await queryRunner.query(`ALTER TYPE mood ADD VALUE 'happy'`); }",
      "  async up(queryRunner) { await queryRunner.query(`UPDATE people SET mood = 'happy' WHERE id = 1`); }",
      "}",
    ].join("\n");
    const uses = (settings: Partial<LintSettings>) => lint(source, { assumeInTransaction: true, ...settings }).findings.filter((f) => f.ruleId === "enum-add-value-in-transaction");
    const [use] = uses({});
    expect(use?.loc.start.line).toBe(3);
    // The line of the ADD VALUE in the TS file.
    expect(use?.message).toContain("ADD VALUE on line 2");
    expect(use?.explanation).toContain("ADD VALUE added on line 2, in this same transaction");
    expect(uses({ migrationFunctions: { up: ["beforeUp", "up"], down: ["down"] } })).toEqual([]);
  });

  it("SQL of a helper function runs in the migration function that calls it", () => {
    const source = [
      "async function dropAll(queryRunner) {",
      "  await queryRunner.query('DROP TABLE t');",
      "}",
      "export class M {",
      "  async up(queryRunner) { await queryRunner.query('CREATE TABLE t (id bigint PRIMARY KEY)'); }",
      "  async down(queryRunner) { await dropAll(queryRunner); }",
      "}",
    ].join("\n");
    // down() undoes what up() created: no drop-table finding.
    expect(rules(source).filter((f) => f.startsWith("drop-table"))).toEqual([]);
  });
});

describe("embedded migrations: lines in messages are lines of the TS/JS file", () => {
  it("names the line of the BEGIN in the source file, not in the SQL put together", () => {
    const source = [
      "export class M {",
      "  async up(queryRunner) {",
      "",
      "",
      "    await queryRunner.query('BEGIN');",
      "    await queryRunner.query('CREATE INDEX CONCURRENTLY i ON t (a)');",
      "  }",
      "}",
    ].join("\n");
    const finding = lint(source).findings.find((f) => f.ruleId === "forbidden-in-transaction");
    expect(finding?.explanation).toContain("opened by the BEGIN on line 5");
    expect(finding?.loc.start.line).toBe(6);
  });

  it("maps the line of an earlier statement of the same function through the file (transaction-nesting)", () => {
    // Knex runs a migration in a transaction unless it says otherwise: this one does, so its own BEGIN opens one.
    const source = ["exports.config = { transaction: false };", "exports.up = async (knex) => {", "  await knex.raw('SELECT 1');", "", "  await knex.raw('BEGIN');", "  await knex.raw('BEGIN');", "};"].join("\n");
    const finding = lint(source).findings.find((f) => f.ruleId === "transaction-nesting" && f.loc.start.line === 6);
    expect(finding?.message).toContain("the transaction opened at line 5");
  });
});
