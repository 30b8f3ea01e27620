import { describe, expect, it } from "vitest";
import rule from "../../rules/volatile-default.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { docsSqlBlocks, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

function lintWith(sql: string, settings: Partial<LintSettings>) {
  return lintSql(sql, { rules: [rule], settings });
}

/** The SQL blocks of a section of the rule's docs page. */
const docsSql = (section: string): string => docsSqlBlocks("volatile-default", section).join("\n");

describe("volatile-default", () => {
  it("reports ADD COLUMN … DEFAULT gen_random_uuid() at the action, with the rewrite and the lock", () => {
    const sql = "ALTER TABLE public.users ADD COLUMN uid uuid DEFAULT pg_catalog.gen_random_uuid();";
    expect(findingsOf(rule, sql)).toEqual([at(1, 26, 1, 82)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("ADD COLUMN uid DEFAULT pg_catalog.gen_random_uuid() rewrites public.users (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Add uid without the default, then SET DEFAULT pg_catalog.gen_random_uuid(), then fill existing rows in batches");
    expect(finding!.explanation).toMatch(/^ALTER TABLE public\.users ADD COLUMN uid uuid DEFAULT pg_catalog\.gen_random_uuid\(\) rewrites public\.users: /);
    expect(finding!.explanation).toContain("pg_catalog.gen_random_uuid(), a volatile function");
    expect(finding!.explanation).toContain("ACCESS EXCLUSIVE lock, which blocks every read and write of the table");
    expect(finding!.explanation).toContain(
      "ALTER TABLE public.users ADD COLUMN uid uuid; ALTER TABLE public.users ALTER COLUMN uid SET DEFAULT pg_catalog.gen_random_uuid();",
    );
    expect(finding!.explanation).toContain("UPDATE public.users SET uid = pg_catalog.gen_random_uuid() WHERE uid IS NULL AND id BETWEEN … AND …;");
    const steps = "ALTER TABLE public.users ADD COLUMN uid uuid; ALTER TABLE public.users ALTER COLUMN uid SET DEFAULT pg_catalog.gen_random_uuid();";
    expect(lintSql(steps, { rules: [rule] }).errors).toEqual([]);
    expect(findingsOf(rule, steps)).toEqual([]);
  });

  it("finds a volatile call anywhere in the expression, schema-qualified or not", () => {
    const sql = [
      "ALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT (random() * 10)::int;",
      "ALTER TABLE users ADD COLUMN a text DEFAULT md5(clock_timestamp()::text); ALTER TABLE users ADD COLUMN b bigint DEFAULT nextval('users_b_seq'::regclass);",
      "ALTER TABLE users ADD COLUMN c uuid DEFAULT extensions.uuid_generate_v4();",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(1, 19, 1, 73), at(2, 19, 2, 73), at(2, 93, 2, 153), at(3, 19, 3, 74)]);
    const [random, clock, nextval] = lintSql(sql, { rules: [rule] }).findings;
    expect(random!.explanation).toContain("calls random(), a volatile function");
    expect(clock!.message).toBe("ADD COLUMN a DEFAULT md5(clock_timestamp()::text) rewrites users (ACCESS EXCLUSIVE)");
    expect(clock!.explanation).toContain("calls clock_timestamp()");
    expect(nextval!.explanation).toContain("ALTER TABLE users ALTER COLUMN b SET DEFAULT nextval('users_b_seq'::regclass);");
  });

  it("reports an ALTER TABLE once, at its first such column, naming the others: one rewrite fills them all", () => {
    const sql = "ALTER TABLE users ADD COLUMN a uuid DEFAULT gen_random_uuid(), ADD COLUMN n int, ADD COLUMN b uuid DEFAULT gen_random_uuid(), ADD COLUMN c float DEFAULT random();";
    const findings = lintSql(sql, { rules: [rule] }).findings;
    expect(findings.map(located)).toEqual([at(1, 19, 1, 62)]);
    expect(findings[0]!.message).toBe("ADD COLUMN a (and 2 more) DEFAULT gen_random_uuid() rewrites users (ACCESS EXCLUSIVE)");
    expect(findings[0]!.explanation).toContain("The same rewrite fills b and c, which this ALTER TABLE adds with such a default too: do the same for them.");
  });

  it("drops NOT NULL from the added column in the help and restores it with the validated CHECK", () => {
    const [finding] = lintSql("ALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT (random() * 10)::int;", { rules: [rule] }).findings;
    expect(finding!.help).toBe("Add n without the default, then SET DEFAULT (random() * 10)::int, then fill existing rows in batches; prove NOT NULL with a validated CHECK");
    expect(finding!.explanation).toContain("ALTER TABLE users ADD COLUMN n int; ALTER TABLE users ALTER COLUMN n SET DEFAULT (random() * 10)::int;");
    expect(finding!.explanation).toContain("ALTER TABLE users ADD CONSTRAINT users_n_not_null CHECK (n IS NOT NULL) NOT VALID;");
    expect(finding!.explanation).toContain("ALTER TABLE users ALTER COLUMN n SET NOT NULL;");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_column_that_keeps_going_and_on";
    const sqls = [
      `ALTER TABLE app.${long} ADD COLUMN ${long} uuid NOT NULL DEFAULT coalesce(extensions.uuid_generate_v4(), gen_random_uuid(), '00000000-0000-0000-0000-000000000000');`,
      `ALTER TABLE ${long} ADD COLUMN ${long} float DEFAULT random(), ADD COLUMN b uuid DEFAULT gen_random_uuid();`,
    ];
    for (const sql of sqls) {
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message.length).toBeLessThanOrEqual(100);
      expect(finding!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("does not report stable or constant defaults, DEFAULT NULL, unknown functions, or SET DEFAULT", () => {
    const sql = [
      "ALTER TABLE users ADD COLUMN t1 timestamptz DEFAULT now();",
      "ALTER TABLE users ADD COLUMN t2 timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP;",
      "ALTER TABLE users ADD COLUMN t3 timestamp DEFAULT LOCALTIMESTAMP, ADD COLUMN d date DEFAULT CURRENT_DATE;",
      "ALTER TABLE users ADD COLUMN t4 timestamptz DEFAULT statement_timestamp(), ADD COLUMN t5 timestamptz DEFAULT transaction_timestamp();",
      "ALTER TABLE users ADD COLUMN x bigint DEFAULT txid_current();",
      "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free', ADD COLUMN n int DEFAULT 0, ADD COLUMN s text DEFAULT NULL;",
      "ALTER TABLE users ADD COLUMN code text DEFAULT my_random_code();",
      "ALTER TABLE users ADD COLUMN s serial, ADD COLUMN i int GENERATED ALWAYS AS IDENTITY;",
      "ALTER TABLE users ALTER COLUMN uid SET DEFAULT gen_random_uuid();",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports any non-null default before PostgreSQL 11, and not DEFAULT NULL", () => {
    const sql = "ALTER TABLE users ADD COLUMN t timestamptz DEFAULT now();\nALTER TABLE users ADD COLUMN s text DEFAULT NULL, ADD COLUMN u uuid DEFAULT gen_random_uuid();";
    expect(lintWith(sql, { pgVersion: 10 }).findings.map(located)).toEqual([at(1, 19, 1, 57), at(2, 51, 2, 94)]);
    expect(lintWith(sql, { pgVersion: 11 }).findings.map(located)).toEqual([at(2, 51, 2, 94)]);
    const [finding] = lintWith(sql, { pgVersion: 10 }).findings;
    expect(finding!.message).toBe("ADD COLUMN t DEFAULT now() rewrites users before PostgreSQL 11 (ACCESS EXCLUSIVE)");
    expect(finding!.explanation).toContain("before PostgreSQL 11 (settings.pgVersion is 10), any non-null DEFAULT is written into every existing row");
    expect(finding!.explanation).toContain("ALTER TABLE users ADD COLUMN t timestamptz; ALTER TABLE users ALTER COLUMN t SET DEFAULT now();");
  });

  it("does not report the safe alternative of the docs page, and reports its example", () => {
    expect(lintSql(docsSql("Use instead"), { rules: [rule] }).errors).toEqual([]);
    expect(findingsOf(rule, docsSql("Use instead"))).toEqual([]);
    expect(findingsOf(rule, docsSql("Example")).length).toBeGreaterThan(0);
  });

  it("does not report tables created earlier in the file, and reports a table created after", () => {
    const sql = "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN k uuid DEFAULT gen_random_uuid();";
    expect(findingsOf(rule, sql)).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE t ADD COLUMN k uuid DEFAULT gen_random_uuid();\nCREATE TABLE t (id int);")).toEqual([at(1, 15, 1, 58)]);
  });

  it("reports statements run by a DO block at their place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE t ADD COLUMN k float8 DEFAULT random();\nEND\n$$;")).toEqual([at(3, 17, 3, 53)]);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- identifiant « uid » 🎉\r\nCOMMENT ON TABLE users IS 'été';\r\nALTER TABLE users\r\n  ADD COLUMN k uuid DEFAULT gen_random_uuid();";
    expect(findingsOf(rule, sql)).toEqual([at(4, 3, 4, 46)]);
  });

  it("does not report SQL in comments and strings", () => {
    const sql = "-- ALTER TABLE t ADD COLUMN k uuid DEFAULT gen_random_uuid();\n/* ALTER TABLE t ADD COLUMN n float8 DEFAULT random(); */\nSELECT 'ALTER TABLE t ADD COLUMN k uuid DEFAULT gen_random_uuid();';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });
});
