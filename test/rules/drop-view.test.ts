import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-view.js";
import { expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings, docsSql } = ruleTestKit(rule);

/** The ```sql blocks of a section of the rule's docs page. */

describe("drop-view", () => {
  it("reports DROP VIEW at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP VIEW active_users;")).toEqual([at(2, 1, 2, 23)]);
  });

  it("reports IF EXISTS, CASCADE and several views in one finding naming them", () => {
    const result = lintSql("DROP VIEW IF EXISTS app.active_users, recent_orders CASCADE;", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 60)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP VIEW app\.active_users, recent_orders removes the views: /);
    expect(explanation).toContain("CASCADE also silently drops every view and materialized view built on app.active_users and recent_orders");
    expect(help).toContain("Leave out CASCADE");
  });

  it("names the view, what breaks, the lock and that nothing is rewritten; the help replaces it in one transaction", () => {
    const { explanation, help } = lintSql('DROP VIEW "ActiveUsers";', { rules: [rule] }).findings[0]!;
    expect(explanation).toContain('running code that selects from it fails with "relation does not exist" as soon as this commits');
    expect(explanation).toContain("ACCESS EXCLUSIVE lock on the view");
    expect(explanation).toContain("no table is rewritten and no rows are deleted");
    expect(explanation).not.toContain("CASCADE");
    expect(explanation).toContain('BEGIN; DROP VIEW "ActiveUsers"; CREATE VIEW "ActiveUsers" AS …; COMMIT;');
    expect(help).toContain('CREATE OR REPLACE VIEW "ActiveUsers" AS …');
  });

  it("does not report a view created earlier in the file, or given its name by an earlier rename", () => {
    expect(findingsOf(rule, "CREATE VIEW tmp AS SELECT 1;\nDROP VIEW tmp;")).toEqual([]);
    expect(findingsOf(rule, "ALTER VIEW active_users RENAME TO active_users_old;\nDROP VIEW active_users_old;")).toEqual([]);
  });

  it("reports only the views that running code may know", () => {
    const result = lintSql("CREATE VIEW tmp AS SELECT 1;\nDROP VIEW tmp, public.active_users;", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 35)]);
    expect(result.findings[0]!.explanation).toMatch(/^DROP VIEW public\.active_users removes the view: /);
  });

  it("does not report a rollback dropping the view its forward migration created", () => {
    const files = { "db/004_active_users.up.sql": "CREATE VIEW active_users AS SELECT * FROM users;" };
    const filePath = "db/004_active_users.down.sql";
    expect(findingsOf(rule, "DROP VIEW active_users;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "DROP VIEW recent_orders;", { filePath, files })).toEqual([at(1, 1, 1, 24)]);
  });

  it("does not report a replacement in one explicit transaction", () => {
    const sql = "BEGIN;\nDROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id FROM users;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report replacements by CREATE OR REPLACE, by a table, or by a view renamed to the name", () => {
    const sql =
      "BEGIN;\nDROP VIEW a;\nCREATE OR REPLACE VIEW a AS SELECT 1;\n" +
      "DROP VIEW b;\nCREATE TABLE b (id int);\n" +
      "DROP VIEW app.c;\nALTER VIEW app.c_new RENAME TO c;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not count a view of the same name in another schema, or one renamed to it in another schema, as a replacement", () => {
    const sql = "BEGIN;\nDROP VIEW app.a;\nCREATE VIEW a AS SELECT 1;\nDROP VIEW b;\nALTER VIEW app.b_new RENAME TO b;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 16), at(4, 1, 4, 12)]);
  });

  it("reports a replacement outside a transaction, saying that queries in between fail", () => {
    const result = lintSql("DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id FROM users;", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 23)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toContain("leaves no view of that name until a later statement of this file creates it again outside this transaction");
    expect(help).toMatch(/^Run the DROP and the CREATE in one transaction/);
  });

  it("reports a replacement split by a COMMIT, with a gap sentence when other views are dropped for good", () => {
    const sql = "BEGIN;\nDROP VIEW a, b;\nCOMMIT;\nCREATE VIEW a AS SELECT 1;";
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 15)]);
    expect(result.findings[0]!.explanation).toContain("a is created again later in this file, but not in the same transaction: queries that arrive in between still fail.");
  });

  it("takes the runner's transaction into account with assumeInTransaction, until a COMMIT of the file", () => {
    const replaced = "DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id FROM users;";
    expect(withSettings(replaced, { assumeInTransaction: true })).toEqual([]);
    expect(withSettings(replaced, { assumeInTransaction: false })).toEqual([at(1, 1, 1, 23)]);
    const split = "DROP VIEW active_users;\nCOMMIT;\nCREATE VIEW active_users AS SELECT id FROM users;";
    expect(withSettings(split, { assumeInTransaction: true })).toEqual([at(1, 1, 1, 23)]);
  });

  it("does not report a replacement inside one DO block, which runs as one statement", () => {
    const sql = "DO $$\nBEGIN\n  DROP VIEW active_users;\n  CREATE VIEW active_users AS SELECT id FROM users;\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports a replacement with CASCADE: the dependent views are not brought back", () => {
    const sql = "BEGIN;\nDROP VIEW active_users CASCADE;\nCREATE VIEW active_users AS SELECT id FROM users;\nCOMMIT;";
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 31)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP VIEW active_users CASCADE is followed by a CREATE of the same name in the same transaction/);
    expect(explanation).toContain("the re-creation does not bring those back");
    expect(help).toContain("CREATE OR REPLACE VIEW active_users AS … needs no DROP and keeps its dependents");
  });

  it("does not report other DROPs, or text in comments and strings", () => {
    const sql =
      "DROP TABLE users;\nDROP MATERIALIZED VIEW monthly;\n-- DROP VIEW active_users;\n/* DROP VIEW active_users; */\nSELECT 'DROP VIEW active_users';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DROP VIEW run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DROP VIEW active_users;\nEND\n$$;")).toEqual([at(3, 3, 3, 25)]);
  });

  it("reports the docs page's examples and not its safe alternative", () => {
    for (const sql of docsSql("Example")) expect(findingsOf(rule, sql)).toHaveLength(1);
    for (const sql of docsSql("Use instead")) expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("drop-view: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DROP VIEW active_users;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP VIEW active_users removes a view running code may still query (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Deploy code that no longer reads active_users, then drop it in a later release; to change it, use CREATE OR REPLACE VIEW active_users AS …");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DROP VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a, nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b CASCADE;",
      "DROP VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_v;\nCREATE VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_v AS SELECT 1;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
