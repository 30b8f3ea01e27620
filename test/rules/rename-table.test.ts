import { describe, expect, it } from "vitest";
import rule from "../../rules/rename-table.js";
import { expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings, docsSql } = ruleTestKit(rule);

describe("rename-table", () => {
  it("reports ALTER TABLE ... RENAME TO at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nALTER TABLE users RENAME TO accounts;")).toEqual([at(2, 1, 2, 37)]);
  });

  it("names both names, what breaks, the lock, the missing rewrite, and the view bridge in the same schema", () => {
    const result = lintSql('ALTER TABLE IF EXISTS app."Users" RENAME TO accounts;', { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 53)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^Renaming table app\."Users" to app\.accounts breaks running code that still uses app\."Users": /);
    expect(explanation).toContain('its queries fail with "relation does not exist" as soon as this commits');
    expect(explanation).toContain('ACCESS EXCLUSIVE lock on app."Users", held until the transaction commits');
    expect(explanation).toContain("nothing is rewritten");
    expect(explanation).toContain('BEGIN; ALTER TABLE app."Users" RENAME TO accounts; CREATE VIEW app."Users" AS SELECT * FROM app.accounts; COMMIT;');
    expect(explanation).toContain('INSERT, UPDATE and DELETE through app."Users" keep working');
    expect(explanation).toContain('DROP VIEW app."Users"; in a later migration');
    expect(help).toBe('Rename and keep the old name as a view in one transaction: CREATE VIEW app."Users" AS SELECT * FROM app.accounts');
  });

  it("reports views and materialized views in their own words", () => {
    const view = lintSql("ALTER VIEW active_users RENAME TO current_users;", { rules: [rule] }).findings[0]!;
    expect(view.explanation).toMatch(/^Renaming view active_users to current_users /);
    expect(view.explanation).toContain("ALTER VIEW active_users RENAME TO current_users; CREATE VIEW active_users AS SELECT * FROM current_users;");
    const matview = lintSql("ALTER MATERIALIZED VIEW monthly RENAME TO monthly_totals;", { rules: [rule] }).findings[0]!;
    expect(matview.explanation).toMatch(/^Renaming materialized view monthly to monthly_totals /);
    expect(matview.explanation).not.toContain("INSERT, UPDATE and DELETE");
  });

  it("does not report a relation created earlier in the file, or given its name by an earlier rename", () => {
    expect(findingsOf(rule, "CREATE TABLE accounts_new (id int);\nALTER TABLE accounts_new RENAME TO accounts;")).toEqual([]);
    expect(findingsOf(rule, "CREATE VIEW v AS SELECT 1;\nALTER VIEW v RENAME TO w;")).toEqual([]);
    const chain = "ALTER TABLE users RENAME TO accounts;\nALTER TABLE accounts RENAME TO members;";
    expect(findingsOf(rule, chain)).toEqual([at(1, 1, 1, 37)]);
  });

  it("does not report the expand/contract bridge: a view under the old name in the same transaction", () => {
    const sql = "BEGIN;\nALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report a table swap in one transaction, but reports renaming a table that existed before the file into the name", () => {
    const fresh = "CREATE TABLE users_new (LIKE users);\nBEGIN;\nALTER TABLE users RENAME TO users_old;\nALTER TABLE users_new RENAME TO users;\nCOMMIT;";
    expect(findingsOf(rule, fresh)).toEqual([]);
    const existing = "BEGIN;\nALTER TABLE users RENAME TO users_old;\nALTER TABLE users_new RENAME TO users;\nCOMMIT;";
    expect(findingsOf(rule, existing)).toEqual([at(3, 1, 3, 38)]);
  });

  it("reports the bridge outside a transaction as a gap, and follows assumeInTransaction", () => {
    const sql = "ALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;";
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 37)]);
    expect(result.findings[0]!.explanation).toContain("leaves nothing named users until a later statement of this file takes the name again outside this transaction");
    expect(result.findings[0]!.help).toMatch(/^Run the rename and the statement that takes users again in one transaction/);
    expect(withSettings(sql, { assumeInTransaction: true })).toEqual([]);
    expect(withSettings("ALTER TABLE users RENAME TO accounts;\nCOMMIT;\nCREATE VIEW users AS SELECT * FROM accounts;", { assumeInTransaction: true })).toEqual([
      at(1, 1, 1, 37),
    ]);
  });

  it("does not report the bridge inside one DO block, and reports a lone rename in a DO block at its place", () => {
    const bridge = "DO $$\nBEGIN\n  ALTER TABLE users RENAME TO accounts;\n  CREATE VIEW users AS SELECT * FROM accounts;\nEND\n$$;";
    expect(findingsOf(rule, bridge)).toEqual([]);
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE users RENAME TO accounts;\nEND\n$$;")).toEqual([at(3, 3, 3, 39)]);
  });

  it("does not report a rename in a rollback file: it is taken to undo the forward migration's rename", () => {
    const files = { "db/009_accounts.up.sql": "ALTER TABLE users RENAME TO accounts;" };
    expect(findingsOf(rule, "ALTER TABLE accounts RENAME TO users;", { filePath: "db/009_accounts.down.sql", files })).toEqual([]);
  });

  it("checks a down section against the up section's renames", () => {
    const sql = "-- +goose Up\nALTER TABLE users RENAME TO accounts;\n-- +goose Down\nALTER TABLE accounts RENAME TO users;\nALTER TABLE orders RENAME TO purchases;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 37), at(5, 1, 5, 39)]);
  });

  it("does not report renames of other objects, columns, or text in comments and strings", () => {
    const sql =
      "ALTER TABLE users RENAME COLUMN a TO b;\nALTER SEQUENCE s RENAME TO t;\nALTER INDEX i RENAME TO j;\nALTER TYPE mood RENAME TO feeling;\n" +
      "ALTER TABLE users RENAME CONSTRAINT c TO d;\n-- ALTER TABLE users RENAME TO accounts;\nSELECT 'ALTER TABLE users RENAME TO accounts';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports the docs page's example and not its safe alternative", () => {
    for (const sql of docsSql("Example")) expect(findingsOf(rule, sql)).toHaveLength(1);
    for (const sql of docsSql("Use instead")) expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("rename-table: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("ALTER TABLE users RENAME TO accounts;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("Renaming table users to accounts breaks running code that still uses users");
    expect(finding!.help).toBe("Rename and keep the old name as a view in one transaction: BEGIN; ALTER TABLE users RENAME TO accounts; CREATE VIEW users AS SELECT * FROM accounts; COMMIT;");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "ALTER TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a RENAME TO nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b;",
      "ALTER TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a RENAME TO nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b;\nCOMMIT;\nCREATE TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a (id int);",
    ];
    expectFitsOnALine(rule, statements);
  });
});
