import { describe, expect, it } from "vitest";
import rule from "../../rules/prefer-text.js";
import { expectDocsExamples, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

/** The ```sql blocks of the rule's docs page, under "## Example" and under "## Use instead". */
describe("prefer-text", () => {
  it("is a strict-preset design rule", () => {
    expect(rule.meta).toMatchObject({ recommended: false, category: "design", severity: "careful" });
  });

  it("reports each varchar(n) and char(n) column of a CREATE TABLE at its definition", () => {
    const sql = [
      "CREATE TABLE users (",
      "  id bigint PRIMARY KEY,",
      "  name varchar(100) NOT NULL,",
      "  email character varying(255) UNIQUE,",
      "  country char(2) DEFAULT 'FR',",
      "  flag character,",
      "  tags varchar(10)[] DEFAULT ARRAY['a', 'b'],",
      "  code nchar(3) CHECK (code IN ('a', 'b'))",
      ");",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 3, 29), at(4, 3, 4, 38), at(5, 3, 5, 31), at(6, 3, 6, 17), at(7, 3, 7, 45), at(8, 3, 8, 43)]);
  });

  it("reports ADD COLUMN and ALTER COLUMN … TYPE at the action", () => {
    const sql = "ALTER TABLE users\n  ADD COLUMN nickname varchar(30),\n  ALTER COLUMN code TYPE char(3),\n  ADD COLUMN bio text;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 34), at(3, 3, 3, 33)]);
  });

  it("explains varchar(n): same storage as text, and the lock taken to change its limit", () => {
    const [finding] = lintSql("CREATE TABLE public.users (name varchar(100) NOT NULL);", { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^Column name of public\.users is varchar\(100\)\. In PostgreSQL, varchar\(n\) is stored and performs exactly like text/);
    expect(finding!.explanation).toContain("ACCESS EXCLUSIVE lock, which blocks every read and write of the table");
    expect(finding!.explanation).toContain("catalog-only (no rewrite) since PostgreSQL 9.2");
    expect(finding!.explanation).toContain("lowering it rewrites public.users");
    expect(finding!.explanation).toContain("declare the column as name text CONSTRAINT users_name_length CHECK (char_length(name) <= 100) in CREATE TABLE public.users");
    expect(finding!.explanation).toContain("ALTER TABLE public.users DROP CONSTRAINT users_name_length, ADD CONSTRAINT users_name_length CHECK (char_length(name) <= …) NOT VALID;");
    expect(finding!.explanation).toContain("VALIDATE CONSTRAINT users_name_length;");
  });

  it("explains char(n) padding, and that char without a length is char(1)", () => {
    const [fixed, single] = lintSql("CREATE TABLE t (c char(3), f character);", { rules: [rule] }).findings;
    expect(fixed!.explanation).toMatch(/^Column c of t is char\(3\)\. char\(n\) pads every value with spaces to 3 characters/);
    expect(fixed!.explanation).toContain("rewrites t and its indexes");
    expect(single!.explanation).toMatch(/^Column f of t is char, which is char\(1\)\. char\(n\) pads every value with spaces to 1 character:/);
    expect(single!.explanation).toContain("f text CONSTRAINT t_f_length CHECK (char_length(f) <= 1)");
  });

  it("gives runnable SQL for ADD COLUMN, ALTER COLUMN … TYPE and arrays", () => {
    const [add, retype, array] = lintSql('ALTER TABLE "Users" ADD COLUMN nick varchar(30), ALTER COLUMN code TYPE varchar(3), ADD COLUMN tags varchar(10)[];', { rules: [rule] }).findings;
    expect(add!.explanation).toContain('ALTER TABLE "Users" ADD COLUMN nick text CONSTRAINT "Users_nick_length" CHECK (char_length(nick) <= 30);');
    expect(retype!.explanation).toMatch(/^ALTER TABLE "Users" ALTER COLUMN code TYPE varchar\(3\) gives code the type varchar\(3\)\./);
    expect(retype!.explanation).toContain(
      'ALTER TABLE "Users" ALTER COLUMN code TYPE text; ALTER TABLE "Users" ADD CONSTRAINT "Users_code_length" CHECK (char_length(code) <= 3) NOT VALID; ALTER TABLE "Users" VALIDATE CONSTRAINT "Users_code_length";',
    );
    expect(array!.explanation).toMatch(/^Column tags of "Users" is varchar\(10\)\[\]/);
    expect(array!.explanation).toContain('Use text[]: ALTER TABLE "Users" ADD COLUMN tags text[];');
  });

  it("says in one short line what the type costs, with a one-line help", () => {
    const [name, country] = lintSql("CREATE TABLE public.users (name varchar(100) NOT NULL, country char(2));", { rules: [rule] }).findings;
    expect(name!.message).toBe("Column public.users.name is varchar(100): a new limit locks public.users (ACCESS EXCLUSIVE)");
    expect(name!.help).toBe("Use name text CONSTRAINT users_name_length CHECK (char_length(name) <= 100) in CREATE TABLE public.users");
    expect(country!.message).toBe("Column country is char(2): space-padded; a new limit rewrites public.users (ACCESS EXCLUSIVE)");
    const [add, retype, array] = lintSql('ALTER TABLE "Users" ADD COLUMN nick varchar(30), ALTER COLUMN code TYPE varchar(3), ADD COLUMN tags varchar(10)[];', { rules: [rule] }).findings;
    expect(add!.help).toBe('Use ALTER TABLE "Users" ADD COLUMN nick text CONSTRAINT "Users_nick_length" CHECK (char_length(nick) <= 30)');
    expect(retype!.message).toBe('ALTER COLUMN code TYPE varchar(3): a new limit locks "Users" (ACCESS EXCLUSIVE)');
    expect(retype!.help).toBe('Use TYPE text, then ADD CONSTRAINT "Users_code_length" CHECK (char_length(code) <= 3) NOT VALID and VALIDATE it');
    expect(array!.help).toBe('Use text[]: ALTER TABLE "Users" ADD COLUMN tags text[], and check each element\'s length where values are written');
  });

  it("keeps messages within 100 characters with long names", () => {
    const n = "n".repeat(60);
    const sqls = [
      `CREATE TABLE ${n}.${n} (${n} varchar(100), ${n}_b char, ${n}_c varchar(3)[]);`,
      `ALTER TABLE ${n}.${n} ADD COLUMN ${n} varchar(30), ALTER COLUMN ${n} TYPE char(3);`,
    ];
    for (const sql of sqls) {
      for (const finding of lintSql(sql, { rules: [rule] }).findings) {
        expect(finding.message.length).toBeLessThanOrEqual(100);
        expect(finding.help.length).toBeLessThanOrEqual(200);
      }
    }
  });

  it("reports tables created earlier in the same file: the advice is about the schema being designed", () => {
    expect(findingsOf(rule, "CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN name varchar(50);")).toEqual([at(2, 15, 2, 42)]);
  });

  it("reports statements run by DO blocks", () => {
    const sql = "DO $$\nBEGIN\n  ALTER TABLE t ADD COLUMN name varchar(50);\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 17, 3, 44)]);
  });

  it("does not report the safe alternative, unlimited types, or other types", () => {
    const sql = [
      "CREATE TABLE users (",
      "  name text CONSTRAINT users_name_length CHECK (char_length(name) <= 100),",
      "  note varchar,",
      "  raw bpchar,",
      '  kind "char",',
      "  bits bit(3),",
      "  other public.varchar(3),",
      "  amount numeric(10, 2)",
      ");",
      "ALTER TABLE users ALTER COLUMN name TYPE text, ADD COLUMN n character varying;",
      "ALTER TABLE users DROP CONSTRAINT users_name_length, ADD CONSTRAINT users_name_length CHECK (char_length(name) <= 200) NOT VALID;",
      "ALTER TABLE users VALIDATE CONSTRAINT users_name_length;",
      "CREATE TYPE pair AS (a varchar(3), b char(2));",
      "CREATE DOMAIN code AS varchar(3);",
      "SELECT 'x'::varchar(10);",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report temporary tables", () => {
    expect(findingsOf(rule, "CREATE TEMP TABLE scratch (name varchar(10));")).toEqual([]);
  });

  it("does not report rollbacks, which restore the schema as it was", () => {
    const files = { "db/003_rename.sql": "ALTER TABLE users DROP COLUMN legacy;" };
    expect(findingsOf(rule, "ALTER TABLE users ADD COLUMN legacy varchar(20);", { filePath: "db/003_rename.down.sql", files })).toEqual([]);
    expect(findingsOf(rule, "-- +goose Up\nALTER TABLE users DROP COLUMN legacy;\n-- +goose Down\nALTER TABLE users ADD COLUMN legacy varchar(20);")).toEqual([]);
  });

  it("does not report SQL in comments and strings", () => {
    const sql = "-- CREATE TABLE t (name varchar(10));\n/* ALTER TABLE t ADD COLUMN c char(2); */\nSELECT 'CREATE TABLE t (name varchar(10))';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports the docs page's example and not its safe alternative", () => {
    expectDocsExamples(rule);
  });
});
