import { describe, expect, it } from "vitest";
import rule from "../../rules/rename-column.js";
import { expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings, docsSql } = ruleTestKit(rule);

describe("rename-column", () => {
  it("reports RENAME COLUMN at the statement, with or without the COLUMN keyword", () => {
    const sql = "SELECT 1;\nALTER TABLE users RENAME COLUMN email TO email_address;\nALTER TABLE ONLY users RENAME name TO full_name;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 55), at(3, 1, 3, 48)]);
  });

  it("names the column and table, what breaks, the lock, the missing rewrite, and expand/contract with the real names", () => {
    const result = lintSql('ALTER TABLE IF EXISTS app."User" RENAME COLUMN "firstName" TO first_name;', { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 73)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^Renaming column "firstName" of app\."User" to first_name breaks running code that still uses "firstName": /);
    expect(explanation).toContain('its queries fail with "column does not exist" as soon as this commits');
    expect(explanation).toContain('ACCESS EXCLUSIVE lock on app."User", held until the transaction commits');
    expect(explanation).toContain("nothing is rewritten");
    expect(help).toContain('Expand/contract: add first_name');
    expect(explanation).toContain('ALTER TABLE app."User" ADD COLUMN first_name …;');
    expect(explanation).toContain('UPDATE app."User" SET first_name = "firstName" WHERE first_name IS DISTINCT FROM "firstName"');
    expect(explanation).toContain('ALTER TABLE app."User" DROP COLUMN "firstName"; in a later migration');
  });

  it("reports column renames of views, materialized views and foreign tables, with help for each", () => {
    const view = lintSql("ALTER VIEW active_users RENAME COLUMN email TO email_address;", { rules: [rule] }).findings[0]!;
    expect(view.help).toContain("CREATE OR REPLACE VIEW active_users AS SELECT …, email AS email_address …");
    const matview = lintSql("ALTER MATERIALIZED VIEW monthly RENAME COLUMN total TO revenue;", { rules: [rule] }).findings[0]!;
    expect(matview.help).toContain("Build monthly_new with total AS revenue beside it");
    const foreign = lintSql("ALTER FOREIGN TABLE remote_users RENAME COLUMN email TO email_address;", { rules: [rule] }).findings[0]!;
    expect(foreign.explanation).toContain("ALTER FOREIGN TABLE remote_users ADD COLUMN email_address …;");
  });

  it("does not report a column of a table created earlier in the file, or a column added earlier in the file", () => {
    expect(findingsOf(rule, "CREATE TABLE tmp (id int, a int);\nALTER TABLE tmp RENAME COLUMN a TO b;")).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users RENAME COLUMN nick TO nickname;")).toEqual([]);
  });

  it("does not report a column that an earlier rename of the file named, nor a column of a table created in the file under another name", () => {
    expect(findingsOf(rule, "CREATE TABLE users_new (email text);\nALTER TABLE users_new RENAME TO accounts;\nALTER TABLE accounts RENAME COLUMN email TO email_address;")).toEqual([]);
    const chain = "ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users RENAME COLUMN mail TO email_address;";
    expect(findingsOf(rule, chain)).toEqual([at(1, 1, 1, 46)]);
  });

  it("reports renaming a column of a table that existed before the file, also under the name an earlier rename gave it", () => {
    expect(findingsOf(rule, "ALTER TABLE users RENAME TO accounts;\nALTER TABLE accounts RENAME COLUMN email TO email_address;")).toEqual([at(2, 1, 2, 58)]);
  });

  it("does not report a column swap in one transaction, but reports renaming a column that existed before the file", () => {
    const fresh =
      "ALTER TABLE users ADD COLUMN email_new citext;\nBEGIN;\nALTER TABLE users RENAME COLUMN email TO email_old;\nALTER TABLE users RENAME COLUMN email_new TO email;\nCOMMIT;";
    expect(findingsOf(rule, fresh)).toEqual([]);
    const existing = "BEGIN;\nALTER TABLE users RENAME COLUMN email TO email_old;\nALTER TABLE users RENAME COLUMN email_new TO email;\nCOMMIT;";
    expect(findingsOf(rule, existing)).toEqual([at(3, 1, 3, 51)]);
  });

  it("does not count a column of the same name on another table as taking the name", () => {
    const sql = "BEGIN;\nALTER TABLE users RENAME COLUMN email TO email_old;\nALTER TABLE admins ADD COLUMN email text;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 51)]);
  });

  it("reports a swap outside a transaction as a gap, and follows assumeInTransaction", () => {
    const sql = "ALTER TABLE users RENAME COLUMN email TO email_old;\nALTER TABLE users ADD COLUMN email text;";
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 51)]);
    expect(result.findings[0]!.explanation).toContain("leaves users without a column email until a later statement of this file adds one again outside this transaction");
    expect(withSettings(sql, { assumeInTransaction: true })).toEqual([]);
  });

  it("does not report a rollback undoing the forward migration's rename", () => {
    const files = { "db/010_email.sql": "ALTER TABLE users RENAME COLUMN email TO email_address;" };
    expect(findingsOf(rule, "ALTER TABLE users RENAME COLUMN email_address TO email;", { filePath: "db/010_email_rollback.sql", files })).toEqual([]);
    const sql =
      "-- migrate:up\nALTER TABLE users RENAME COLUMN email TO email_address;\n\n-- migrate:down\n" +
      "ALTER TABLE users RENAME COLUMN email_address TO email;\nALTER TABLE users RENAME COLUMN name TO full_name;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 55), at(6, 1, 6, 50)]);
  });

  it("does not report other renames, or text in comments and strings", () => {
    const sql =
      "ALTER TABLE users RENAME TO accounts;\nALTER TABLE users RENAME CONSTRAINT c TO d;\nALTER TYPE address RENAME ATTRIBUTE zip TO postal_code;\n" +
      "-- ALTER TABLE users RENAME COLUMN a TO b;\nSELECT 'ALTER TABLE users RENAME COLUMN a TO b';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports RENAME COLUMN run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE users RENAME COLUMN email TO mail;\nEND\n$$;")).toEqual([at(3, 3, 3, 48)]);
  });

  it("reports the docs page's example and not its safe alternative", () => {
    for (const sql of docsSql("Example")) expect(findingsOf(rule, sql)).toHaveLength(1);
    for (const sql of docsSql("Use instead")) expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("rename-column: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("ALTER TABLE users RENAME COLUMN email TO email_address;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("RENAME COLUMN email TO email_address on users breaks code still using email");
    expect(finding!.help).toBe("Expand/contract: add email_address, sync it with email by a trigger, backfill, switch code, drop email later");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "ALTER TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t RENAME COLUMN nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a TO nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b;",
      "ALTER VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t RENAME COLUMN nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a TO nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
