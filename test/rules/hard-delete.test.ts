import { describe, expect, it } from "vitest";
import rule from "../../rules/hard-delete.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("hard-delete", () => {
  it("reports DELETE with a WHERE at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDELETE FROM accounts WHERE id = 1;")).toEqual([at(2, 1, 2, 34)]);
  });

  it("reports WHERE CURRENT OF, USING and a multi-line DELETE", () => {
    const sql = "DELETE FROM accounts WHERE CURRENT OF c;\nDELETE FROM accounts a\n  USING users u\n  WHERE a.user_id = u.id;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 40), at(2, 1, 4, 25)]);
  });

  it("names the table, the locks and the soft-delete alternative", () => {
    const result = lintSql("DELETE FROM billing.accounts WHERE closed;", { rules: [rule] });
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DELETE FROM billing\.accounts removes the matching rows for good/);
    expect(explanation).toContain("ROW EXCLUSIVE");
    expect(explanation).toContain("nothing is rewritten");
    expect(help).toContain("UPDATE billing.accounts SET deleted_at = now() WHERE …");
    expect(help).toContain("billing.accounts_deleted");
  });

  it("reports a DELETE in a WITH query at the DELETE inside the parentheses", () => {
    const sql = "WITH gone AS (DELETE FROM accounts WHERE closed RETURNING id)\r\nINSERT INTO closures (account_id) SELECT id FROM gone;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 15, 1, 61)]);
  });

  it("does not report the runner's bookkeeping rows", () => {
    for (const table of ["background_updates", "schema_migrations", "__diesel_schema_migrations", "knex_migrations", '"SequelizeMeta"', "flyway_schema_history", "goose_db_version", "public.background_migrations"]) {
      expect(findingsOf(rule, `DELETE FROM ${table} WHERE version = '20240101';`), table).toEqual([]);
    }
    expect(findingsOf(rule, "DELETE FROM schema_migrations_archive WHERE version = '1';")).toEqual([at(1, 1, 1, 58)]);
  });

  it("does not report rows the migration copied to another table just before, or moves in the same statement", () => {
    const sql = (copy: string) => `${copy}\nDELETE FROM events WHERE created_at < '2020-01-01';`;
    expect(findingsOf(rule, sql("INSERT INTO events_archive SELECT * FROM events WHERE created_at < '2020-01-01';"))).toEqual([]);
    expect(findingsOf(rule, sql("INSERT INTO events_archive (id, payload) SELECT id, payload FROM public.events;"))).toEqual([]);
    expect(findingsOf(rule, sql("CREATE TABLE events_deleted AS SELECT * FROM events WHERE created_at < '2020-01-01';"))).toEqual([]);
    expect(findingsOf(rule, sql("SELECT * INTO events_backup FROM events;"))).toEqual([]);
    const moved = "WITH gone AS (DELETE FROM events WHERE created_at < '2020-01-01' RETURNING *)\nINSERT INTO events_archive SELECT * FROM gone;";
    expect(findingsOf(rule, moved)).toEqual([]);
  });

  it("reports a copy of other rows, of another table, into the same table, or after the DELETE", () => {
    const deleteOld = "DELETE FROM events WHERE created_at < '2020-01-01';";
    expect(findingsOf(rule, `INSERT INTO events_archive SELECT * FROM events WHERE kind = 'audit';\n${deleteOld}`)).toEqual([at(2, 1, 2, 51)]);
    expect(findingsOf(rule, `INSERT INTO events_archive SELECT * FROM logs;\n${deleteOld}`)).toEqual([at(2, 1, 2, 51)]);
    expect(findingsOf(rule, `INSERT INTO events SELECT * FROM events;\n${deleteOld}`)).toEqual([at(2, 1, 2, 51)]);
    expect(findingsOf(rule, `INSERT INTO events_archive SELECT * FROM events e JOIN users u ON u.id = e.user_id;\n${deleteOld}`)).toEqual([at(2, 1, 2, 51)]);
    expect(findingsOf(rule, `${deleteOld}\nINSERT INTO events_archive SELECT * FROM events;`)).toEqual([at(1, 1, 1, 51)]);
    const goose = `-- +goose Up\n${deleteOld}\n-- +goose Down\nINSERT INTO events_archive SELECT * FROM events;`;
    expect(findingsOf(rule, goose)).toEqual([at(2, 1, 2, 51)]);
  });

  it("does not report DELETE without WHERE (delete-without-where does)", () => {
    expect(findingsOf(rule, "DELETE FROM accounts;")).toEqual([]);
  });

  it("does not report a table created earlier in the file", () => {
    expect(findingsOf(rule, "CREATE TABLE tmp (id int);\nINSERT INTO tmp VALUES (1), (2);\nDELETE FROM tmp WHERE id = 1;")).toEqual([]);
  });

  it("does not report a rollback: a down section or a rollback file deletes the rows of the feature it removes", () => {
    const sql =
      "-- +goose Up\nINSERT INTO roles (name) VALUES ('admin');\nDELETE FROM sessions WHERE expired;\n" +
      "-- +goose Down\nDELETE FROM roles WHERE name = 'admin';\nDELETE FROM report_combined WHERE community_report_id IS NOT NULL;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 1, 3, 35)]);
    const files = { "db/008_roles.sql": "INSERT INTO identity_credential_types (name) VALUES ('lookup_secret');" };
    const rollback = "DELETE FROM identity_credential_types WHERE name = 'lookup_secret';";
    expect(findingsOf(rule, rollback, { filePath: "db/008_roles_rollback.sql", files })).toEqual([]);
    expect(findingsOf(rule, rollback, { filePath: "db/009_roles.sql", files })).toEqual([at(1, 1, 1, 67)]);
  });

  it("does not report rows the same transaction puts back: a DELETE … WHERE followed by an INSERT INTO the table", () => {
    const replace = "DELETE FROM models WHERE id = 'gpt-4';\nINSERT INTO models (id, price) VALUES ('gpt-4', 0.03);";
    expect(findingsOf(rule, `BEGIN;\n${replace}\nCOMMIT;`)).toEqual([]);
    expect(lintSql(replace, { rules: [rule], settings: { assumeInTransaction: true } }).findings).toEqual([]);
    // Outside a transaction, or into another table, or before the DELETE: sessions see the rows gone.
    expect(findingsOf(rule, replace)).toEqual([at(1, 1, 1, 38)]);
    expect(findingsOf(rule, "BEGIN;\nDELETE FROM models WHERE id = 'gpt-4';\nINSERT INTO prices (id) VALUES ('gpt-4');\nCOMMIT;")).toEqual([at(2, 1, 2, 38)]);
    expect(findingsOf(rule, "BEGIN;\nINSERT INTO models (id) VALUES ('gpt-5');\nDELETE FROM models WHERE id = 'gpt-4';\nCOMMIT;")).toEqual([at(3, 1, 3, 38)]);
  });

  it("does not report text in comments and strings", () => {
    expect(findingsOf(rule, "-- DELETE FROM a WHERE id = 1;\n/* DELETE FROM a WHERE id = 1; */\nSELECT 'DELETE FROM a WHERE id = 1';")).toEqual([]);
  });

  it("reports DELETE run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DELETE FROM accounts WHERE id = 1;\nEND\n$$;")).toEqual([at(3, 3, 3, 36)]);
  });

  it("is dangerous, as the migration guide says: never delete data directly, soft-delete it", () => {
    expect(lintSql("DELETE FROM accounts WHERE id = 1;", { rules: [rule] }).findings.map((finding) => finding.severity)).toEqual(["dangerous"]);
  });
});

describe("hard-delete: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DELETE FROM accounts WHERE closed_at < now() - interval '1 year';", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DELETE FROM accounts removes the matching rows for good; only a backup brings them back");
    expect(finding!.help).toBe("Soft delete instead (UPDATE accounts SET deleted_at = now() WHERE …), or copy the rows first: CREATE TABLE accounts_deleted AS SELECT * FROM accounts WHERE …");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DELETE FROM nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t WHERE id = 1;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
