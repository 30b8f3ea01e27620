import { describe, expect, it } from "vitest";
import rule from "../../rules/update-without-where.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("update-without-where", () => {
  it("reports UPDATE without WHERE at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nUPDATE users SET email = lower(email);")).toEqual([at(2, 1, 2, 38)]);
  });

  it("reports ONLY, FROM and RETURNING without WHERE", () => {
    const sql = "UPDATE ONLY public.users SET active = true;\nUPDATE users SET plan = p.name\n  FROM plans p\n  RETURNING users.id;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 43), at(2, 1, 4, 21)]);
  });

  it("names the table, the rewrite, the row locks and the batched alternative", () => {
    const result = lintSql('UPDATE "Users" SET active = true;', { rules: [rule] });
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^UPDATE "Users" has no WHERE: it changes every row/);
    expect(explanation).toContain("new version of each row");
    expect(explanation).toContain("ROW EXCLUSIVE");
    expect(explanation).toContain("row lock on every row until commit");
    expect(help).toContain('Batch it outside the schema-change transaction: UPDATE "Users" SET … WHERE id IN (SELECT … LIMIT 5000)');
  });

  it("reports an UPDATE in a WITH query at the UPDATE inside the parentheses", () => {
    const sql = "-- 日本語 😀\nWITH touched AS MATERIALIZED (\n  UPDATE users SET seen = (now()) RETURNING id\n)\nSELECT count(*) FROM touched;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 3, 47)]);
  });

  it("reports an UPDATE in the WITH of every statement kind that has one", () => {
    const sql =
      "WITH a AS (UPDATE s1 SET x = 1) SELECT 1;\nWITH b AS (UPDATE s2 SET x = 1) INSERT INTO t SELECT 1;\nWITH c AS (UPDATE s3 SET x = 1) UPDATE t SET x = 1 WHERE id = 1;\n" +
      "WITH d AS (UPDATE s4 SET x = 1) DELETE FROM t WHERE id = 1;\nWITH e AS (UPDATE s5 SET x = 1) MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 12, 1, 31), at(2, 12, 2, 31), at(3, 12, 3, 31), at(4, 12, 4, 31), at(5, 12, 5, 31)]);
  });

  it("does not report UPDATE with a WHERE", () => {
    expect(findingsOf(rule, "UPDATE users SET active = true WHERE id < 5000;\nUPDATE users SET a = 1 WHERE CURRENT OF c;")).toEqual([]);
  });

  it("does not report a table created earlier in the file", () => {
    expect(findingsOf(rule, "CREATE TABLE tmp (id int, a int);\r\nUPDATE tmp SET a = 1;")).toEqual([]);
  });

  it("does not report a rollback updating a table its forward migration created", () => {
    const files = { "db/009_flags.sql": "CREATE TABLE flags (on_ boolean);" };
    const filePath = "db/009_flags_rollback.sql";
    expect(findingsOf(rule, "UPDATE flags SET on_ = false;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "UPDATE users SET active = true;", { filePath, files })).toEqual([at(1, 1, 1, 31)]);
  });

  it("does not report text in comments and strings", () => {
    expect(findingsOf(rule, "-- UPDATE users SET a = 1;\n/* UPDATE users SET a = 1; */\nSELECT 'UPDATE users SET a = 1';")).toEqual([]);
  });

  it("reports UPDATE run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  UPDATE users SET active = true;\nEND\n$$;")).toEqual([at(3, 3, 3, 33)]);
  });
});

describe("update-without-where: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("UPDATE orders SET status = 'archived';", { rules: [rule] }).findings;
    expect(finding!.message).toBe("UPDATE orders without WHERE rewrites every row in one transaction");
    expect(finding!.help).toBe("Batch it outside the schema-change transaction: UPDATE orders SET … WHERE id IN (SELECT … LIMIT 5000)");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "UPDATE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t SET x = 1;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
