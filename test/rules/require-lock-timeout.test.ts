import { describe, expect, it } from "vitest";
import rule from "../../rules/require-lock-timeout.js";
import { LOCK_QUEUE } from "../../src/facts/lock-wording.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

const ALTER = "ALTER TABLE users ADD COLUMN a int;";

const messageOf = (sql: string) => lintSql(sql, { rules: [rule] }).findings.map((finding) => finding.explanation!);
const withSettings = (sql: string, settings: Partial<LintSettings>) =>
  lintSql(sql, { rules: [rule], settings });

describe("require-lock-timeout", () => {
  it("says in one line which statement locks which table with no lock_timeout, and the SET as help", () => {
    const [finding] = lintSql("ALTER TABLE orders ADD COLUMN note text;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("ALTER TABLE orders takes ACCESS EXCLUSIVE with no lock_timeout");
    expect(finding!.help).toBe("Start the file with SET lock_timeout = '5s';");
    const [expired] = lintSql("BEGIN;\nSET LOCAL lock_timeout = '5s';\nCOMMIT;\nALTER TABLE orders ADD COLUMN note text;", { rules: [rule] }).findings;
    expect(expired!.message).toBe("ALTER TABLE orders takes ACCESS EXCLUSIVE with no lock_timeout in effect");
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_table_that_keeps_going_and_on";
    const sqls = [
      `ALTER TABLE app.${long} ADD COLUMN note text;`,
      `CREATE INDEX ${long}_idx ON app.${long} (a);`,
      `ALTER TABLE app.${long} ADD CONSTRAINT ${long}_fkey FOREIGN KEY (a) REFERENCES app.${long}_parent (id) NOT VALID;`,
      `DROP INDEX app.${long}_idx;`,
    ];
    for (const sql of sqls) {
      const findings = lintSql(sql, { rules: [rule] }).findings;
      expect(findings).toHaveLength(1);
      expect(findings[0]!.message.length).toBeLessThanOrEqual(100);
      expect(findings[0]!.message).not.toContain("…");
      expect(findings[0]!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("reports the first statement that locks an existing table, once per file", () => {
    const sql = `SELECT 1;\n${ALTER}\nALTER TABLE orders DROP COLUMN b;\nDROP TABLE old_things;`;
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 35)]);
  });

  it("names the statement, the lock, the table and what it blocks, explains the queue, and gives the SET", () => {
    const [finding] = lintSql("ALTER TABLE public.users ALTER COLUMN email TYPE varchar(320);", { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE public\.users takes an ACCESS EXCLUSIVE lock on public\.users \(it blocks every read and write of the table\)/);
    expect(finding!.explanation).toContain("no lock_timeout is in effect");
    expect(finding!.explanation).toContain(LOCK_QUEUE);
    expect(finding!.explanation).toContain("once per file");
    expect(finding!.explanation).toContain("SET lock_timeout = '5s';");
    expect(finding!.explanation).toContain("the queries queued behind it go on");
    expect(finding!.explanation).toContain("Retry the migration");
    expect(finding!.explanation).toContain("SET statement_timeout");
  });

  it("does not report after SET lock_timeout, SET LOCAL lock_timeout in the same transaction, or set_config", () => {
    expect(findingsOf(rule, `SET lock_timeout = '5s';\n${ALTER}`)).toEqual([]);
    expect(findingsOf(rule, `SET lock_timeout TO 2000;\n${ALTER}`)).toEqual([]);
    expect(findingsOf(rule, `set session lock_timeout = '1min';\n${ALTER}`)).toEqual([]);
    expect(findingsOf(rule, `BEGIN;\nSET LOCAL lock_timeout = '5s';\n${ALTER}\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, `SELECT set_config('lock_timeout', '3s', false);\n${ALTER}`)).toEqual([]);
    expect(findingsOf(rule, `BEGIN;\nSELECT pg_catalog.set_config('lock_timeout', '3s', true);\n${ALTER}\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, `DO $$\nBEGIN\n  SET lock_timeout = '5s';\nEND\n$$;\n${ALTER}`)).toEqual([]);
  });

  it("does not report the safe alternatives of the docs page", () => {
    expect(findingsOf(rule, "SET lock_timeout = '5s';\nSET statement_timeout = '60s';\n\nALTER TABLE orders ADD COLUMN note text;")).toEqual([]);
    expect(findingsOf(rule, "BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;")).toEqual([]);
  });

  it("reports when the timeout is 0, reset, local outside a transaction, or ended with its transaction", () => {
    expect(findingsOf(rule, `SET lock_timeout = 0;\n${ALTER}`)).toEqual([at(2, 1, 2, 35)]);
    expect(findingsOf(rule, `SET lock_timeout = '0ms';\n${ALTER}`)).toEqual([at(2, 1, 2, 35)]);
    expect(findingsOf(rule, `SELECT set_config('lock_timeout', '0', false);\n${ALTER}`)).toEqual([at(2, 1, 2, 35)]);
    expect(findingsOf(rule, `SET lock_timeout = '5s';\nRESET lock_timeout;\n${ALTER}`)).toEqual([at(3, 1, 3, 35)]);
    expect(findingsOf(rule, `SET lock_timeout = '5s';\nSET lock_timeout TO DEFAULT;\n${ALTER}`)).toEqual([at(3, 1, 3, 35)]);
    expect(findingsOf(rule, `SET LOCAL lock_timeout = '5s';\n${ALTER}`)).toEqual([at(2, 1, 2, 35)]);
    const expired = `BEGIN;\nSET LOCAL lock_timeout = '5s';\nCOMMIT;\n${ALTER}`;
    expect(findingsOf(rule, expired)).toEqual([at(4, 1, 4, 35)]);
    expect(messageOf(expired)[0]).toContain("the SET LOCAL lock_timeout earlier in the file ended with its transaction");
  });

  it("counts a SET LOCAL run by a DO block only inside that DO block", () => {
    const inside = "DO $$\nBEGIN\n  SET LOCAL lock_timeout = '5s';\n  ALTER TABLE users ADD COLUMN a int;\nEND\n$$;";
    expect(findingsOf(rule, inside)).toEqual([]);
    expect(findingsOf(rule, `DO $$\nBEGIN\n  SET LOCAL lock_timeout = '5s';\nEND\n$$;\n${ALTER}`)).toEqual([at(6, 1, 6, 35)]);
  });

  it("counts SET LOCAL for the whole file when the runner wraps it in a transaction", () => {
    const sql = `SET LOCAL lock_timeout = '5s';\n${ALTER}`;
    expect(withSettings(sql, { assumeInTransaction: true }).findings).toEqual([]);
  });

  it("reports a statement that locks before the SET", () => {
    expect(findingsOf(rule, `${ALTER}\nSET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN b int;`)).toEqual([at(1, 1, 1, 35)]);
  });

  it.each([
    ["DROP TABLE users;", "DROP TABLE users takes an ACCESS EXCLUSIVE lock on users"],
    ["TRUNCATE users, orders;", "TRUNCATE users takes an ACCESS EXCLUSIVE lock on users"],
    ["DROP INDEX users_email_idx;", "DROP INDEX users_email_idx takes an ACCESS EXCLUSIVE lock on the table of index users_email_idx"],
    ["CREATE INDEX users_email_idx ON users (email);", "CREATE INDEX users_email_idx ON users takes a SHARE lock on users (it blocks INSERT, UPDATE and DELETE on the table; reads go on)"],
    ["CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();", "CREATE TRIGGER t ON users takes a SHARE ROW EXCLUSIVE lock on users"],
    ["DROP TRIGGER t ON users;", "DROP TRIGGER t ON users takes an ACCESS EXCLUSIVE lock on users"],
    ["CREATE POLICY own_rows ON users USING (id = current_setting('app.user_id')::int);", "CREATE POLICY own_rows ON users takes an ACCESS EXCLUSIVE lock on users"],
    ["ALTER POLICY own_rows ON users USING (true);", "ALTER POLICY own_rows ON users takes an ACCESS EXCLUSIVE lock on users"],
    ["DROP POLICY own_rows ON users;", "DROP POLICY own_rows ON users takes an ACCESS EXCLUSIVE lock on users"],
    ["CREATE RULE no_delete AS ON DELETE TO users DO INSTEAD NOTHING;", "CREATE RULE no_delete ON users takes an ACCESS EXCLUSIVE lock on users"],
    ["DROP RULE no_delete ON users;", "DROP RULE no_delete ON users takes an ACCESS EXCLUSIVE lock on users"],
    ["ALTER TABLE users RENAME TO people;", "ALTER TABLE users RENAME TO people takes an ACCESS EXCLUSIVE lock on users"],
    ["ALTER TABLE users RENAME COLUMN email TO mail;", "ALTER TABLE users RENAME COLUMN email takes an ACCESS EXCLUSIVE lock on users"],
    ["ALTER TABLE users RENAME CONSTRAINT a TO b;", "ALTER TABLE users RENAME CONSTRAINT a takes an ACCESS EXCLUSIVE lock on users"],
    ["ALTER TRIGGER t ON users RENAME TO u;", "ALTER TRIGGER t ON users RENAME takes an ACCESS EXCLUSIVE lock on users"],
    ["ALTER TABLE users SET SCHEMA archive;", "ALTER TABLE users SET SCHEMA takes an ACCESS EXCLUSIVE lock on users"],
    ["LOCK TABLE users;", "LOCK TABLE users takes an ACCESS EXCLUSIVE lock on users"],
    ["LOCK TABLE users IN SHARE MODE;", "LOCK TABLE users takes a SHARE lock on users"],
    ["REFRESH MATERIALIZED VIEW stats;", "REFRESH MATERIALIZED VIEW stats takes an ACCESS EXCLUSIVE lock on stats"],
    ["VACUUM FULL users;", "VACUUM FULL users takes an ACCESS EXCLUSIVE lock on users"],
    ["VACUUM (FULL, ANALYZE);", "VACUUM FULL takes an ACCESS EXCLUSIVE lock on every table of the database, one after another"],
    ["CLUSTER users USING users_pkey;", "CLUSTER users takes an ACCESS EXCLUSIVE lock on users"],
    ["REINDEX TABLE users;", "REINDEX TABLE users takes a SHARE lock on users"],
    ["REINDEX (CONCURRENTLY false) TABLE users;", "REINDEX TABLE users takes a SHARE lock on users"],
    ["REINDEX INDEX users_pkey;", "REINDEX INDEX users_pkey takes a SHARE lock on the table of index users_pkey"],
    ["ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID;", "ALTER TABLE users takes an ACCESS EXCLUSIVE lock on users"],
    ["ALTER TABLE users ENABLE TRIGGER ALL;", "ALTER TABLE users takes a SHARE ROW EXCLUSIVE lock on users"],
    ["ALTER TABLE users SET (user_catalog_table = true);", "ALTER TABLE users takes an ACCESS EXCLUSIVE lock on users"],
    ["ALTER TABLE p DETACH PARTITION p1;", "ALTER TABLE p takes an ACCESS EXCLUSIVE lock on p"],
    ["ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1);", "ALTER TABLE p ATTACH PARTITION p1 takes an ACCESS EXCLUSIVE lock on p1"],
    ["CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2);", "CREATE TABLE p2 PARTITION OF p takes an ACCESS EXCLUSIVE lock on p"],
  ])("reports %s", (sql, message) => {
    const messages = messageOf(sql);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  });

  it("reports a foreign key's SHARE ROW EXCLUSIVE lock on the referenced table, and explains the write queue", () => {
    const sql = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 82)]);
    const [message] = messageOf(sql);
    expect(message).toMatch(/^CREATE TABLE orders \(its foreign key to users\) takes a SHARE ROW EXCLUSIVE lock on users \(it blocks every write of the table/);
    expect(message).toContain("every INSERT, UPDATE and DELETE that arrives after it waits too (reads go on)");
    expect(message).not.toContain(LOCK_QUEUE);
    expect(messageOf("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;")[0]).toMatch(
      /^ALTER TABLE orders takes a SHARE ROW EXCLUSIVE lock on orders/,
    );
  });

  it("does not report the lighter ALTER TABLE actions, CONCURRENTLY, or weak explicit locks", () => {
    const sql = [
      "ALTER TABLE users VALIDATE CONSTRAINT users_email_check;",
      "ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;",
      "ALTER TABLE users ALTER COLUMN email SET (n_distinct = 100);",
      "ALTER TABLE users SET (fillfactor = 70, autovacuum_enabled = false);",
      "ALTER TABLE users CLUSTER ON users_pkey;",
      "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1);",
      "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;",
      "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
      "DROP INDEX CONCURRENTLY users_name_idx;",
      "REINDEX INDEX CONCURRENTLY users_pkey;",
      "REFRESH MATERIALIZED VIEW CONCURRENTLY stats;",
      "LOCK TABLE users IN ROW EXCLUSIVE MODE;",
      "LOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE;",
      "VACUUM users;",
      "VACUUM (FULL false) users;",
      "ANALYZE users;",
      "CREATE TABLE t (id int, parent int REFERENCES t (id));",
      "CREATE TABLE t2 () INHERITS (users);",
    ].join("\n");
    // The one finding is the partition attached on line 6: its own ACCESS EXCLUSIVE lock.
    expect(findingsOf(rule, sql)).toEqual([at(6, 1, 6, 52)]);
    expect(findingsOf(rule, `CREATE TABLE p1 (id int);\n${sql}`)).toEqual([]);
  });

  it("reports ATTACH PARTITION's ACCESS EXCLUSIVE lock on the parent before PostgreSQL 12", () => {
    const sql = "CREATE TABLE p1 (id int);\nALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1);";
    expect(withSettings(sql, { pgVersion: 14 }).findings).toEqual([]);
    const result = withSettings(sql, { pgVersion: 11 });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 52)]);
    expect(result.findings[0]!.explanation).toMatch(/^ALTER TABLE p takes an ACCESS EXCLUSIVE lock on p /);
  });

  it("does not report tables, indexes and materialized views created earlier in the file", () => {
    const sql = [
      "CREATE TABLE things (id int, name text);",
      "ALTER TABLE things ADD COLUMN size int;",
      "CREATE INDEX things_name_idx ON things (name);",
      "DROP INDEX things_name_idx;",
      "CREATE MATERIALIZED VIEW thing_stats AS SELECT count(*) FROM things;",
      "REFRESH MATERIALIZED VIEW thing_stats;",
      "CREATE TABLE thing_parts (id int, thing_id int REFERENCES things (id));",
      "TRUNCATE things;",
      "DROP TABLE things CASCADE;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report, in a rollback, the tables (and their indexes) its forward migration created: it reports the first lock on an older table", () => {
    const files = { "migrations/001_purge.up.sql": "CREATE TABLE admin_purge_person (id int);\nCREATE INDEX admin_purge_person_id_idx ON admin_purge_person (id);\nALTER TABLE person ADD COLUMN purged bool;" };
    const rollback = "DROP INDEX admin_purge_person_id_idx;\nDROP TABLE admin_purge_person;\nALTER TABLE person DROP COLUMN purged;";
    const lint = (filePath: string) => lintSql(rollback, { rules: [rule], filePath, files }).findings.map(located);
    expect(lint("migrations/001_purge.down.sql")).toEqual([at(3, 1, 3, 38)]);
    expect(lint("migrations/002_purge.sql")).toEqual([at(1, 1, 1, 37)]);
  });

  it("names the locks the statement takes on other tables too: a foreign key's, and a dropped foreign key's ACCESS EXCLUSIVE on its referenced table", () => {
    const added = messageOf("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;")[0]!;
    expect(added).toContain(
      "It also takes a SHARE ROW EXCLUSIVE lock on users (it blocks every write of the table and other schema changes; reads go on), and waits for it the same way.",
    );
    const probable = messageOf('ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";')[0]!;
    expect(probable).toMatch(/^ALTER TABLE "Post" takes an ACCESS EXCLUSIVE lock on "Post" /);
    expect(probable).toContain('It also takes an ACCESS EXCLUSIVE lock on the table that "Post_authorId_fkey", probably a foreign key by its name, references (it blocks every read and write of the table)');
    expect(messageOf("ALTER TABLE orders DROP CONSTRAINT orders_total_check;")[0]).not.toContain("It also takes");
    const later = "SET lock_timeout = '5s';\nCREATE TABLE orders (id int, user_id int REFERENCES users (id));\nRESET lock_timeout;\nALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;";
    expect(findingsOf(rule, later)).toEqual([at(4, 1, 4, 55)]);
    expect(messageOf(later)[0]).toMatch(/^ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey \(its foreign key to users\) takes an ACCESS EXCLUSIVE lock on users/);
  });

  it("still reports a new table's foreign key to an existing table", () => {
    const sql = "CREATE TABLE things (id int);\nALTER TABLE things ADD COLUMN owner_id int REFERENCES users (id);";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 65)]);
    expect(messageOf(sql)[0]).toMatch(/^ALTER TABLE things \(its foreign key to users\) takes a SHARE ROW EXCLUSIVE lock on users/);
  });

  it("reports a table created after the statement", () => {
    expect(findingsOf(rule, `${ALTER}\nCREATE TABLE users (id int);`)).toEqual([at(1, 1, 1, 35)]);
  });

  it("reports a locking statement run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN a int;\nEND\n$$;")).toEqual([at(3, 3, 3, 37)]);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, `-- ${ALTER}\n/* DROP TABLE users; */\nSELECT '${ALTER}';`)).toEqual([]);
  });
});
