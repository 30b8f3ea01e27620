import { describe, expect, it } from "vitest";
import rule from "../../rules/change-column-type.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("change-column-type", () => {
  it("reports ALTER COLUMN … TYPE at the action", () => {
    expect(findingsOf(rule, "SELECT 1;\nALTER TABLE users ALTER COLUMN age TYPE bigint;")).toEqual([at(2, 19, 2, 47)]);
  });

  it("reports the SET DATA TYPE and USING forms, one finding per action", () => {
    const sql = "ALTER TABLE orders\n  ALTER COLUMN total SET DATA TYPE numeric(12, 2),\n  ALTER amount TYPE bigint USING amount::bigint,\n  ALTER COLUMN note SET DEFAULT '';";
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 50), at(3, 3, 3, 48)]);
  });

  it("names the table, column and new type, the lock, the rewrite and what breaks", () => {
    const [finding] = lintSql("ALTER TABLE public.users ALTER COLUMN tags TYPE varchar(64)[];", { rules: [rule] }).findings;
    expect(finding!.message).toBe("ALTER COLUMN tags TYPE varchar(64)[] may rewrite public.users and its indexes (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Expand/contract: add tags_new varchar(64)[], backfill in batches, switch the code over, drop tags");
    expect(finding!.explanation).toMatch(/^ALTER TABLE public\.users ALTER COLUMN tags TYPE varchar\(64\)\[\] rewrites public\.users and rebuilds its indexes under an ACCESS EXCLUSIVE lock/);
    expect(finding!.explanation).toContain("binary-compatible");
    expect(finding!.explanation).toContain("application code");
    expect(finding!.explanation).not.toContain("USING");
    expect(finding!.explanation).toContain("ALTER TABLE public.users ADD COLUMN tags_new varchar(64)[];");
    expect(finding!.explanation).toContain("relfilenode");
  });

  it("says the rewrite in one line with the real names, and the expand/contract help", () => {
    const [finding] = lintSql("ALTER TABLE users ALTER COLUMN email TYPE text USING lower(email);", { rules: [rule] }).findings;
    expect(finding!.message).toBe("ALTER COLUMN email TYPE text rewrites users and its indexes (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Expand/contract: add email_new text, backfill in batches, switch the code over, drop email");
    const [unknown] = lintSql("ALTER TABLE orders ALTER COLUMN amount TYPE bigint;", { rules: [rule] }).findings;
    expect(unknown!.message).toBe("ALTER COLUMN amount TYPE bigint rewrites orders unless binary-compatible (ACCESS EXCLUSIVE)");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_column_that_keeps_going_and_on";
    const sqls = [
      `ALTER TABLE app.${long} ALTER COLUMN ${long} TYPE numeric(20, 4) USING ${long}::numeric;`,
      `ALTER TABLE app.${long} ALTER COLUMN ${long} TYPE app.${long};`,
      `ALTER TABLE ${long} ADD COLUMN ${long} text;\nALTER TABLE ${long} ALTER COLUMN ${long} TYPE app.${long} USING 1;`,
    ];
    for (const sql of sqls) {
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message.length).toBeLessThanOrEqual(100);
      expect(finding!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("prints built-in types by their SQL names and mentions the USING expression", () => {
    const [finding] = lintSql("ALTER TABLE t ALTER c TYPE double precision USING c::float8;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("ALTER COLUMN c TYPE double precision rewrites t and its indexes (ACCESS EXCLUSIVE)");
    expect(finding!.explanation).toMatch(/^ALTER TABLE t ALTER COLUMN c TYPE double precision rewrites t/);
    expect(finding!.explanation).toContain("USING expression is evaluated for every row");
    const [custom] = lintSql('ALTER TABLE t ALTER c TYPE app."Mood";', { rules: [rule] }).findings;
    expect(custom!.message).toContain('TYPE app."Mood" rewrites');
  });

  it("does not report tables created earlier in the file", () => {
    expect(findingsOf(rule, "CREATE TABLE users (id int, age int);\nALTER TABLE users ALTER COLUMN age TYPE bigint;")).toEqual([]);
  });

  it("reports a column added earlier in the file to an existing table: every row has a value to rewrite", () => {
    const sql = "ALTER TABLE users ADD COLUMN score int;\nALTER TABLE users ALTER COLUMN score TYPE bigint, ALTER COLUMN age TYPE bigint;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 19, 2, 49), at(2, 51, 2, 79)]);
  });

  it("says that only code using a replaced column of that name can break on a new column, and helps to type it where it is added", () => {
    const sql = [
      "ALTER TABLE members ADD COLUMN role_temp text;",
      "UPDATE members SET role_temp = role::text;",
      "ALTER TABLE members DROP COLUMN role;",
      "ALTER TABLE members RENAME COLUMN role_temp TO role;",
      'ALTER TABLE members ALTER COLUMN role TYPE "ProjectRole" USING role::"ProjectRole";',
    ].join("\n");
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe('ALTER COLUMN role TYPE "ProjectRole" rewrites members and its indexes (ACCESS EXCLUSIVE)');
    expect(finding!.explanation).toMatch(/^ALTER TABLE members ALTER COLUMN role TYPE "ProjectRole" rewrites members/);
    expect(finding!.explanation).toContain("role is new in this migration, so only running code that already uses a column of that name (e.g. one it replaces) may break on the new type");
    expect(finding!.explanation).not.toContain("Running application code");
    expect(finding!.help).toBe('Give role type "ProjectRole" where this migration adds it, and cast the values as you fill it');
    expect(finding!.explanation).toContain('Give the column type "ProjectRole" where this migration adds it, and cast the values to "ProjectRole" as you fill it');
    expect(finding!.help).not.toContain("role_new");
  });

  it("does not report a binary-compatible change of a column whose type this migration set; reports the others, with the old type", () => {
    const sql = [
      "ALTER TABLE users ADD COLUMN name varchar(64), ADD COLUMN price numeric(10, 2), ADD COLUMN at timestamp(3);",
      "ALTER TABLE users ALTER COLUMN name TYPE varchar(128);",
      "ALTER TABLE users ALTER COLUMN name TYPE text USING name::text;",
      "ALTER TABLE users ALTER COLUMN price TYPE numeric(12, 2), ALTER COLUMN at TYPE timestamp;",
      "ALTER TABLE users ALTER COLUMN name TYPE varchar(32);",
      "ALTER TABLE users ALTER COLUMN price TYPE numeric(12, 2) USING round(price, 1);",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(5, 19, 5, 53), at(6, 19, 6, 79)]);
    const [narrowing, using] = lintSql(sql, { rules: [rule] }).findings;
    expect(narrowing!.message).toBe("ALTER COLUMN name TYPE varchar(32) rewrites users and its indexes (ACCESS EXCLUSIVE)");
    expect(narrowing!.explanation).toContain("for the whole rewrite: name is text (as this migration set it), and text to varchar(32) is not a binary-compatible change.");
    expect(using!.explanation).toContain("for the whole rewrite. Its USING expression is evaluated for every row");
    expect(using!.explanation).not.toContain("relfilenode");
  });

  it("does not report timestamp ↔ timestamptz after SET timezone = 'UTC' on PostgreSQL 12+, the old type known or not", () => {
    const utc = [
      "SET timezone = 'UTC';",
      "ALTER TABLE events ALTER COLUMN published TYPE timestamptz USING published;",
      "ALTER TABLE events ADD COLUMN seen timestamp;",
      "ALTER TABLE events ALTER COLUMN seen TYPE timestamptz;",
    ].join("\n");
    expect(findingsOf(rule, utc)).toEqual([]);
    expect(findingsOf(rule, utc.replace("SET timezone = 'UTC';", "SELECT set_config('timezone', 'UTC', false);"))).toEqual([]);
    expect(findingsOf(rule, utc.replace("SET timezone = 'UTC';", "SET TIME ZONE 'Etc/UTC';"))).toEqual([]);
    expect(lintSql(utc, { rules: [rule], settings: { pgVersion: 11 } }).findings).toHaveLength(2);
    expect(findingsOf(rule, utc.replace("SET timezone = 'UTC';", "SET timezone = 'Europe/Paris';"))).toHaveLength(2);
    // After the file resets it, or for a column that was a date, the change rewrites.
    expect(findingsOf(rule, `${utc}\nRESET timezone;\nALTER TABLE events ALTER COLUMN edited TYPE timestamptz;`)).toEqual([at(6, 20, 6, 56)]);
    expect(findingsOf(rule, "SET timezone = 'UTC';\nALTER TABLE events ADD COLUMN day date;\nALTER TABLE events ALTER COLUMN day TYPE timestamptz;")).toEqual([at(3, 20, 3, 53)]);
  });

  it("says, when the old type is unknown, which current types make the change metadata-only", () => {
    const message = (type: string) => lintSql(`ALTER TABLE t ALTER COLUMN c TYPE ${type};`, { rules: [rule] }).findings[0]!.explanation;
    expect(message("varchar(512)")).toContain(
      "unless the change is binary-compatible, which it is only if c, whose current type comes from an earlier migration, is already a varchar(m) with m ≤ 512: then PostgreSQL changes only the catalog.",
    );
    expect(message("text")).toContain("is already a varchar of any length, or text: then");
    expect(message("timestamptz")).toContain("or a timestamp while the session TimeZone is UTC, on PostgreSQL 12+ (SET timezone = 'UTC' before it)");
    expect(message("bigint")).toContain("is already bigint: then");
  });

  it("reports a column of the same name added to another table", () => {
    expect(findingsOf(rule, "ALTER TABLE accounts ADD COLUMN age int;\nALTER TABLE users ALTER COLUMN age TYPE bigint;")).toEqual([at(2, 19, 2, 47)]);
  });

  it("does not report other ALTER TABLE actions, ALTER TYPE, or SQL in comments and strings", () => {
    const sql = [
      "ALTER TABLE users ALTER COLUMN age SET DEFAULT 0, ADD COLUMN c text;",
      "ALTER TYPE mood ALTER ATTRIBUTE a TYPE text;",
      "-- ALTER TABLE users ALTER COLUMN age TYPE bigint;",
      "/* ALTER TABLE users ALTER COLUMN age TYPE bigint; */",
      "SELECT 'ALTER TABLE users ALTER COLUMN age TYPE bigint';",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports a type change run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE users ALTER COLUMN age TYPE bigint;\nEND\n$$;")).toEqual([at(3, 21, 3, 49)]);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- 年齢を bigint に 🚀\r\nALTER TABLE users\r\n  ALTER COLUMN age TYPE bigint;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 3, 31)]);
  });
});
