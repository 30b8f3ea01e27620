import { describe, expect, it } from "vitest";
import rule from "../../rules/delete-without-where.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("delete-without-where", () => {
  it("reports DELETE without WHERE at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDELETE FROM sessions;")).toEqual([at(2, 1, 2, 21)]);
  });

  it("reports ONLY, an alias, USING and RETURNING without WHERE", () => {
    const sql = "DELETE FROM ONLY public.sessions AS s;\nDELETE FROM sessions USING users RETURNING sessions.id;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 38), at(2, 1, 2, 55)]);
  });

  it("names the table, the locks and the batched alternative", () => {
    const result = lintSql('DELETE FROM app."Sessions";', { rules: [rule] });
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DELETE FROM app\."Sessions" has no WHERE: it deletes every row/);
    expect(explanation).toContain("ROW EXCLUSIVE");
    expect(explanation).toContain("row lock on every row");
    expect(explanation).toContain("not rewritten");
    expect(help).toContain('DELETE FROM app."Sessions" WHERE id IN (SELECT id FROM app."Sessions" WHERE … LIMIT 1000)');
  });

  it("reports a DELETE in a WITH query at the DELETE inside the parentheses", () => {
    const sql = "SELECT 'ünï 😀';\nWITH gone AS (\n  DELETE FROM sessions -- all of them (sic)\n  RETURNING *\n)\nSELECT count(*) FROM gone;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 4, 14)]);
  });

  it("reports a DELETE in the WITH of every statement kind that has one", () => {
    const sql =
      "WITH a AS (DELETE FROM s1) SELECT 1;\nWITH b AS (DELETE FROM s2) INSERT INTO t SELECT 1;\nWITH c AS (DELETE FROM s3) UPDATE t SET x = 1 WHERE id = 1;\n" +
      "WITH d AS (DELETE FROM s4) DELETE FROM t WHERE id = 1;\nWITH e AS (DELETE FROM s5) MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 12, 1, 26), at(2, 12, 2, 26), at(3, 12, 3, 26), at(4, 12, 4, 26), at(5, 12, 5, 26)]);
  });

  it("does not report DELETE with a WHERE, WHERE CURRENT OF included", () => {
    expect(findingsOf(rule, "DELETE FROM sessions WHERE expires_at < now();\nDELETE FROM sessions WHERE CURRENT OF c;")).toEqual([]);
  });

  it("does not report a table created earlier in the file", () => {
    expect(findingsOf(rule, "CREATE TABLE tmp (id int);\nDELETE FROM tmp;")).toEqual([]);
    expect(findingsOf(rule, "CREATE TABLE tmp AS SELECT 1 AS id;\r\nWITH x AS (DELETE FROM tmp) SELECT 1;")).toEqual([]);
  });

  it("does not report a rollback emptying a table its forward migration created", () => {
    const files = { "db/007_cache.sql": "CREATE TABLE cache (id int);" };
    const filePath = "db/007_cache_rollback.sql";
    expect(findingsOf(rule, "DELETE FROM cache;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "DELETE FROM sessions;", { filePath, files })).toEqual([at(1, 1, 1, 21)]);
  });

  it("does not report rows the migration copied to another table first, or moves there in the same statement", () => {
    const copied = "INSERT INTO org_members (user_id, role) SELECT user_id, role FROM project_members;\nDELETE FROM project_members;";
    expect(findingsOf(rule, copied)).toEqual([]);
    expect(findingsOf(rule, "WITH gone AS (DELETE FROM jobs RETURNING *) INSERT INTO jobs_archive SELECT * FROM gone;")).toEqual([]);
    // A copy of some rows only, into the same table, or after the DELETE keeps nothing of what it deletes.
    expect(findingsOf(rule, "INSERT INTO archive SELECT * FROM project_members WHERE active;\nDELETE FROM project_members;")).toEqual([at(2, 1, 2, 28)]);
    expect(findingsOf(rule, "DELETE FROM project_members;\nINSERT INTO archive SELECT * FROM project_members;")).toEqual([at(1, 1, 1, 28)]);
  });

  it("does not report text in comments, strings or function bodies", () => {
    const sql =
      "-- DELETE FROM sessions;\n/* DELETE FROM sessions; */\nSELECT 'DELETE FROM sessions';\n" +
      "CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS 'DELETE FROM sessions';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DELETE run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DELETE FROM sessions WHERE id = 1;\n  DELETE FROM sessions;\nEND\n$$;")).toEqual([at(4, 3, 4, 23)]);
  });

  it("reports a DELETE in a WITH query of a DO block, at the DO when PL/pgSQL rewrote the statement's text", () => {
    const exact = "DO $$\nBEGIN\n  PERFORM 1;\n  WITH gone AS (DELETE FROM sessions RETURNING id) INSERT INTO archive SELECT id FROM gone;\nEND\n$$;";
    expect(findingsOf(rule, exact)).toEqual([at(4, 17, 4, 50)]);
    // SELECT ... INTO is cut out of the statement's text, so it cannot be placed inside the body.
    const into = "DO $$\nDECLARE n int;\nBEGIN\n  WITH gone AS (DELETE FROM sessions RETURNING id) SELECT count(*) INTO n FROM gone;\nEND\n$$;";
    expect(findingsOf(rule, into)).toEqual([at(1, 1, 6, 3)]);
  });
});

describe("delete-without-where: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DELETE FROM sessions;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DELETE FROM sessions without WHERE deletes every row of the table for good");
    expect(finding!.help).toBe("Add the WHERE you meant; to delete many rows, batch it: DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE … LIMIT 1000)");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DELETE FROM nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
