import { describe, expect, it } from "vitest";
import { lintEmbeddedSource } from "../../src/embedded/lint-embedded.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import rule from "../../rules/not-null-without-backfill.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

const SET_NOT_NULL = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;";

describe("not-null-without-backfill", () => {
  it("reports SET NOT NULL without backfill or validated CHECK at the action", () => {
    expect(findingsOf(rule, `SELECT 1;\n${SET_NOT_NULL}`)).toEqual([at(2, 19, 2, 50)]);
  });

  it("explains the failure, the lock and the scan, and gives the CHECK NOT VALID sequence", () => {
    const [finding] = lintSql("ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;", { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE public\.users ALTER COLUMN email SET NOT NULL fails if any row of public\.users has email NULL/);
    expect(finding!.explanation).toContain("ACCESS EXCLUSIVE");
    expect(finding!.explanation).toContain("no rewrite");
    expect(finding!.explanation).toContain("CHECK (email IS NOT NULL)");
    expect(finding!.explanation).toContain("ALTER TABLE public.users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;");
    expect(finding!.explanation).toContain("ALTER TABLE public.users VALIDATE CONSTRAINT users_email_not_null;");
    expect(finding!.explanation).toContain("SHARE UPDATE EXCLUSIVE");
    expect(finding!.explanation).toContain("ALTER TABLE public.users DROP CONSTRAINT users_email_not_null;");
  });

  it("reports each action of a multi-action ALTER TABLE at that action", () => {
    const sql = "ALTER TABLE users\n  ADD COLUMN tier text NOT NULL,\n  ALTER COLUMN email SET NOT NULL,\n  ADD COLUMN note text;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 32), at(3, 3, 3, 34)]);
  });

  it("reports ADD COLUMN … NOT NULL without DEFAULT, PRIMARY KEY, and DEFAULT NULL", () => {
    const sql = "ALTER TABLE users ADD COLUMN tier varchar(20) NOT NULL;\nALTER TABLE users ADD id2 bigint PRIMARY KEY;\nALTER TABLE users ADD c int NOT NULL DEFAULT NULL;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 19, 1, 55), at(2, 19, 2, 45), at(3, 19, 3, 50)]);
    const [first, second, third] = lintSql(sql, { rules: [rule] }).findings;
    expect(first!.explanation).toMatch(/^ALTER TABLE users ADD COLUMN tier varchar\(20\) NOT NULL has no DEFAULT: /);
    expect(first!.explanation).toContain("as soon as users has a single row");
    expect(first!.explanation).toContain("ALTER TABLE users ADD COLUMN tier varchar(20) NOT NULL DEFAULT <value>;");
    expect(second!.explanation).toMatch(/^ALTER TABLE users ADD COLUMN id2 bigint PRIMARY KEY has no DEFAULT/);
    expect(third!.explanation).toContain("DEFAULT NULL is no default");
    expect(first!.message).toBe("ADD COLUMN tier NOT NULL without a default fails on users if it has rows");
    expect(first!.help).toBe("Give tier a constant DEFAULT, or add it nullable, backfill it and then make it NOT NULL");
    expect(second!.message).toBe("ADD COLUMN id2 PRIMARY KEY without a default fails on users if it has rows");
    expect(third!.message).toBe("ADD COLUMN c NOT NULL DEFAULT NULL fails on users if it has rows");
  });

  it("says SET NOT NULL in one line with the real names and the lock, and the CHECK sequence as help", () => {
    const [finding] = lintSql("ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("SET NOT NULL on public.users.email fails on any NULL row and scans the table (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Backfill email in batches, then add CHECK (email IS NOT NULL) NOT VALID, VALIDATE it, and SET NOT NULL");
    const [pg18] = lintSql("ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email;", { rules: [rule] }).findings;
    expect(pg18!.message).toBe("ADD CONSTRAINT email_nn NOT NULL on users.email fails on any NULL row (ACCESS EXCLUSIVE)");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_column_that_keeps_going_and_on";
    const sqls = [
      `ALTER TABLE app.${long} ALTER COLUMN ${long} SET NOT NULL;`,
      `UPDATE app.${long} SET ${long} = 0;\nALTER TABLE app.${long} ALTER COLUMN ${long} SET NOT NULL;`,
      `ALTER TABLE app.${long} ADD CONSTRAINT ${long}_k CHECK (${long} IS NOT NULL) NOT VALID;\nALTER TABLE app.${long} ALTER COLUMN ${long} SET NOT NULL;`,
      `ALTER TABLE app.${long} ADD COLUMN ${long} app.${long} NOT NULL;`,
    ];
    for (const sql of sqls) {
      const findings = lintSql(sql, { rules: [rule] }).findings;
      expect(findings).toHaveLength(1);
      expect(findings[0]!.message.length).toBeLessThanOrEqual(100);
      expect(findings[0]!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("does not report ADD COLUMN NOT NULL with a DEFAULT, or a column that fills itself", () => {
    const sql = [
      "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';",
      "ALTER TABLE users ADD COLUMN id2 bigint GENERATED ALWAYS AS IDENTITY NOT NULL;",
      "ALTER TABLE users ADD COLUMN id3 int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY;",
      "ALTER TABLE users ADD COLUMN n serial NOT NULL;",
      "ALTER TABLE users ADD COLUMN m BIGSERIAL NOT NULL;",
      "ALTER TABLE users ADD COLUMN s smallserial PRIMARY KEY;",
      "ALTER TABLE users ADD COLUMN total numeric NOT NULL GENERATED ALWAYS AS (price * qty) STORED;",
      "ALTER TABLE users ADD COLUMN note text;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  const messageOf = (sql: string) => lintSql(sql, { rules: [rule] }).findings.map((finding) => finding.explanation!.split(":")[0]!.split(",")[0]!);
  const BACKFILLED = (line: number) => `ALTER TABLE users ALTER COLUMN email SET NOT NULL follows the backfill of email at line ${line}`;
  const NOT_BACKFILLED = "ALTER TABLE users ALTER COLUMN email SET NOT NULL fails if any row of users has email NULL";

  it("reports SET NOT NULL after a backfill of that column, top level or in a DO block: it no longer fails, but it still scans", () => {
    expect(messageOf(`UPDATE users SET email = lower(name) WHERE email IS NULL;\n${SET_NOT_NULL}`)).toEqual([BACKFILLED(1)]);
    expect(messageOf(`UPDATE public.users SET (name, email) = ('a', 'b');\n${SET_NOT_NULL}`)).toEqual([BACKFILLED(1)]);
    expect(messageOf(`WITH done AS (UPDATE users SET email = '' WHERE email IS NULL RETURNING id) SELECT count(*) FROM done;\n${SET_NOT_NULL}`)).toEqual([BACKFILLED(1)]);
    const batched = "DO $$\nBEGIN\n  LOOP\n    UPDATE users SET email = '' WHERE id IN (SELECT id FROM users WHERE email IS NULL LIMIT 1000);\n    EXIT WHEN NOT FOUND;\n  END LOOP;\nEND\n$$;\n";
    expect(findingsOf(rule, batched + SET_NOT_NULL)).toEqual([at(9, 19, 9, 50)]);
    expect(messageOf(batched + SET_NOT_NULL)).toEqual([BACKFILLED(4)]);
  });

  it("says the backfill's row locks are held through the scan when both run in one transaction", () => {
    const sql = `UPDATE users SET email = '' WHERE email IS NULL;\n${SET_NOT_NULL}`;
    const apart = lintSql(sql, { rules: [rule] }).findings[0]!;
    expect(apart.explanation).toContain("it still scans the whole table under an ACCESS EXCLUSIVE lock");
    expect(apart.explanation).toContain("no validated CHECK (email IS NOT NULL) lets PostgreSQL 12+ skip the scan.");
    expect(apart.explanation).not.toContain("same transaction");
    expect(apart.explanation).toContain("ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;");
    const together = lintSql(`BEGIN;\n${sql}\nCOMMIT;`, { rules: [rule] }).findings[0]!;
    expect(together.explanation).toContain("The UPDATE runs in the same transaction, so every row it changed stays locked against other writes until this commits");
    expect(together.explanation).toContain(" Backfill in batches, each in its own short transaction, ");
    expect(together.help).toMatch(/^Commit the backfill first, then prove it without a long lock: /);
  });

  it("says the backfill is missing when it is of another column or table, or comes later", () => {
    expect(findingsOf(rule, `UPDATE users SET name = 'x';\n${SET_NOT_NULL}`)).toEqual([at(2, 19, 2, 50)]);
    expect(messageOf(`UPDATE users SET name = 'x';\n${SET_NOT_NULL}`)).toEqual([NOT_BACKFILLED]);
    expect(messageOf(`UPDATE accounts SET email = 'x';\n${SET_NOT_NULL}`)).toEqual([NOT_BACKFILLED]);
    expect(findingsOf(rule, `UPDATE other.users SET email = 'x';\nALTER TABLE public.users ALTER COLUMN email SET NOT NULL;`)).toEqual([at(2, 26, 2, 57)]);
    expect(messageOf(`${SET_NOT_NULL}\nUPDATE users SET email = 'x';`)).toEqual([NOT_BACKFILLED]);
  });

  it("finds the backfilled table as PostgreSQL does: through search_path and renames", () => {
    expect(messageOf(`UPDATE other.users SET email = 'x';\n${SET_NOT_NULL}`)).toEqual([NOT_BACKFILLED]);
    expect(messageOf(`SET search_path TO other;\nUPDATE other.users SET email = 'x';\n${SET_NOT_NULL}`)).toEqual([BACKFILLED(2)]);
    expect(messageOf(`UPDATE accounts SET email = 'x';\nALTER TABLE accounts RENAME TO users;\n${SET_NOT_NULL}`)).toEqual([BACKFILLED(1)]);
  });

  it("does not report SET NOT NULL after a validated CHECK (c IS NOT NULL)", () => {
    const validated = [
      "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;",
      "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;",
      SET_NOT_NULL,
    ].join("\n");
    expect(findingsOf(rule, validated)).toEqual([]);
    expect(findingsOf(rule, `ALTER TABLE users ADD CHECK (email IS NOT NULL);\n${SET_NOT_NULL}`)).toEqual([]);
    expect(findingsOf(rule, `ALTER TABLE users ADD CONSTRAINT k CHECK (users.email IS NOT NULL AND length(email) > 3);\n${SET_NOT_NULL}`)).toEqual([]);
    const pg18 = "ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_nn;\n";
    expect(findingsOf(rule, pg18 + SET_NOT_NULL)).toEqual([]);
  });

  it("says a CHECK added NOT VALID and never validated does not spare the scan, and how to validate it", () => {
    const notValid = "ALTER TABLE users ADD CONSTRAINT k CHECK (email IS NOT NULL) NOT VALID;\n";
    const { message, help, explanation } = lintSql(notValid + SET_NOT_NULL, { rules: [rule] }).findings[0]!;
    expect(message).toBe("SET NOT NULL on users.email still scans the table: k is not validated (ACCESS EXCLUSIVE)");
    expect(help).toBe("Run ALTER TABLE users VALIDATE CONSTRAINT k in a separate transaction first: SET NOT NULL then skips the scan");
    expect(explanation).toMatch(/^ALTER TABLE users ALTER COLUMN email SET NOT NULL still scans the whole table: the constraint k that proves email non-null was added NOT VALID at line 1 and never validated/);
    expect(explanation).toContain("It fails if any row of users has email NULL, and no earlier UPDATE in this file backfills email.");
    expect(explanation).toMatch(/ Validate the check first, in a separate transaction .*: ALTER TABLE users VALIDATE CONSTRAINT k; /);
    expect(explanation).toContain("ALTER TABLE users DROP CONSTRAINT k;");
    const backfilled = lintSql(`UPDATE users SET email = '';\n${notValid}${SET_NOT_NULL}`, { rules: [rule] }).findings[0]!.explanation;
    expect(backfilled).toContain("was added NOT VALID at line 2 and never validated");
    expect(backfilled).not.toContain("It fails if");
    const unnamed = lintSql(`ALTER TABLE users ADD CHECK (email IS NOT NULL) NOT VALID;\n${SET_NOT_NULL}`, { rules: [rule] }).findings[0]!;
    expect(unnamed.explanation).toContain("ALTER TABLE users VALIDATE CONSTRAINT users_email_check;");
    expect(findingsOf(rule, `ALTER TABLE users ADD CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_check;\n${SET_NOT_NULL}`)).toEqual([]);
  });

  it("reports when the CHECK is not validated, validated under another name, in the same statement, or does not imply NOT NULL", () => {
    const notValid = "ALTER TABLE users ADD CONSTRAINT k CHECK (email IS NOT NULL) NOT VALID;\n";
    expect(findingsOf(rule, notValid + SET_NOT_NULL)).toEqual([at(2, 19, 2, 50)]);
    expect(findingsOf(rule, `${notValid}ALTER TABLE users VALIDATE CONSTRAINT other;\n${SET_NOT_NULL}`)).toEqual([at(3, 19, 3, 50)]);
    expect(findingsOf(rule, "ALTER TABLE users ADD CHECK (email IS NOT NULL), ALTER COLUMN email SET NOT NULL;")).toEqual([at(1, 50, 1, 81)]);
    expect(findingsOf(rule, `ALTER TABLE users ADD CHECK (email IS NOT NULL OR name IS NOT NULL);\n${SET_NOT_NULL}`)).toEqual([at(2, 19, 2, 50)]);
    expect(findingsOf(rule, `ALTER TABLE accounts ADD CHECK (email IS NOT NULL);\n${SET_NOT_NULL}`)).toEqual([at(2, 19, 2, 50)]);
  });

  it("reports PostgreSQL 18's ADD CONSTRAINT … NOT NULL c like SET NOT NULL, but not its NOT VALID form", () => {
    expect(findingsOf(rule, "ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email;")).toEqual([at(1, 19, 1, 57)]);
    expect(findingsOf(rule, "ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email NOT VALID;")).toEqual([]);
  });

  it("does not report tables created earlier in the file", () => {
    const sql = "CREATE TABLE users (id int, email text);\nALTER TABLE users ALTER COLUMN email SET NOT NULL, ADD COLUMN tier text NOT NULL;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports a table created after the statement", () => {
    expect(findingsOf(rule, `${SET_NOT_NULL}\nCREATE TABLE users (id int);`)).toEqual([at(1, 19, 1, 50)]);
  });

  it("reports SET NOT NULL run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nEND\n$$;")).toEqual([at(3, 21, 3, 52)]);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- ajouter « email » 🎉\r\nCOMMENT ON TABLE users IS 'utilisateurs — été';\r\nALTER TABLE users\r\n  ALTER COLUMN email SET NOT NULL;";
    expect(findingsOf(rule, sql)).toEqual([at(4, 3, 4, 34)]);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, `-- ${SET_NOT_NULL}\n/* ${SET_NOT_NULL} */\nSELECT '${SET_NOT_NULL}';`)).toEqual([]);
  });
});

describe("not-null-without-backfill in a TS/JS migration", () => {
  it("names the backfill's line in the source file, not in the SQL put together from it", () => {
    const source = [
      "export async function up(knex) {",
      "  await knex.raw(`ALTER TABLE jobs ADD COLUMN IF NOT EXISTS due timestamptz`);",
      "",
      "  // backfill",
      "  await knex.raw(`UPDATE jobs SET due = now()`);",
      "  await knex.raw(`ALTER TABLE jobs ALTER COLUMN due SET NOT NULL`);",
      "}",
    ].join("\n");
    const findings = lintEmbeddedSource(source, "migrations/20250101_due.js", { rules: [rule], settings: DEFAULT_SETTINGS }).findings;
    expect(findings.map((finding) => finding.loc.start.line)).toEqual([6]);
    expect(findings[0]!.explanation).toContain("follows the backfill of due at line 5,");
    expect(findings[0]!.message).toBe("SET NOT NULL on jobs.due scans the whole table after its backfill (ACCESS EXCLUSIVE)");
  });
});
