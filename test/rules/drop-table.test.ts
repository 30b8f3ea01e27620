import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-table.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("drop-table", () => {
  it("reports DROP TABLE at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP TABLE users;")).toEqual([at(2, 1, 2, 17)]);
  });

  it("reports IF EXISTS, CASCADE and several tables in one finding naming them", () => {
    const result = lintSql("DROP TABLE IF EXISTS users, public.orders CASCADE;", { rules: [rule] });
    expect(result.findings.map((f) => f.loc.start)).toEqual([{ line: 1, column: 1 }]);
    expect(result.findings[0]!.message).toContain("users, public.orders");
    expect(result.findings[0]!.explanation).toContain("CASCADE");
    expect(result.findings[0]!.help).toContain(
      "Rename them first (ALTER TABLE users RENAME TO users_backup; ALTER TABLE public.orders RENAME TO orders_backup), drop them in a later release",
    );
  });

  it("quotes the backup name in the help when the table's name needs quotes", () => {
    const result = lintSql('DROP TABLE "Audit Log";', { rules: [rule] });
    expect(result.findings[0]!.help).toContain('Rename it to "Audit Log_backup" first, drop it in a later release');
  });

  it("does not report a table created earlier in the same file", () => {
    expect(findingsOf(rule, "CREATE TABLE tmp (id int);\nDROP TABLE tmp;")).toEqual([]);
  });

  it("reports only the tables that were not created in the file", () => {
    const result = lintSql("CREATE TABLE tmp (id int);\nDROP TABLE tmp, users;", { rules: [rule] });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.explanation).toMatch(/^DROP TABLE users /);
  });

  it("reports a table dropped before the file creates it", () => {
    expect(findingsOf(rule, "DROP TABLE tmp;\nCREATE TABLE tmp (id int);")).toEqual([at(1, 1, 1, 15)]);
  });

  it("does not report a rollback file dropping what its forward migration created", () => {
    const files = { "db/002_add_audit.sql": "CREATE TABLE audit (id int);" };
    expect(findingsOf(rule, "DROP TABLE audit;", { filePath: "db/002_add_audit_rollback.sql", files })).toEqual([]);
    expect(findingsOf(rule, "DROP TABLE users;", { filePath: "db/002_add_audit_rollback.sql", files })).toEqual([at(1, 1, 1, 17)]);
  });

  it("does not report DROP TABLE IF EXISTS of the migration's scratch table, created again TEMP or dropped again in the same transaction", () => {
    const sql = [
      "BEGIN;",
      "DROP TABLE IF EXISTS _dedup_map;",
      "CREATE TEMP TABLE _dedup_map AS SELECT id FROM tax_codes;",
      "DROP TABLE IF EXISTS work_ids;",
      "CREATE TABLE work_ids (id int);",
      "DROP TABLE work_ids;",
      "DROP TABLE IF EXISTS public.kept;",
      "CREATE TABLE kept (id int);",
      "COMMIT;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(7, 1, 7, 33)]);
    expect(findingsOf(rule, "DROP TABLE IF EXISTS _dedup_map;\nCREATE TEMP TABLE _dedup_map AS SELECT id FROM tax_codes;")).toEqual([at(1, 1, 1, 32)]);
  });

  it("does not report DROP of other object kinds or text in comments and strings", () => {
    expect(findingsOf(rule, "DROP VIEW v;\n-- DROP TABLE users;\n/* DROP TABLE users; */\nSELECT 'DROP TABLE users';")).toEqual([]);
  });

  it("reports DROP TABLE run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DROP TABLE users;\nEND\n$$;")).toEqual([at(3, 3, 3, 19)]);
  });
});

describe("drop-table: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DROP TABLE IF EXISTS legacy_sessions;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP TABLE legacy_sessions deletes the table and its rows (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Rename it to legacy_sessions_backup first, drop it in a later release");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DROP TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a, nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b, nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_c CASCADE;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
