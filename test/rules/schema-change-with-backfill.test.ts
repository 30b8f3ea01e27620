import { describe, expect, it } from "vitest";
import rule from "../../rules/schema-change-with-backfill.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

const ADD = "ALTER TABLE users ADD COLUMN role text;";
const UPDATE = "UPDATE users SET role = 'member';";
const block = (...statements: string[]) => ["BEGIN;", ...statements, "COMMIT;"].join("\n");
const withSettings = (sql: string, settings: Partial<LintSettings>) =>
  lintSql(sql, { rules: [rule], settings });

describe("schema-change-with-backfill", () => {
  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_table_that_keeps_going_and_on";
    const sqls = [
      `BEGIN;\nALTER TABLE app.${long} ADD COLUMN ${long} int;\nUPDATE app.${long} SET ${long} = 0;\nCOMMIT;`,
      `BEGIN;\nCREATE INDEX ${long}_idx ON app.${long} (a);\nINSERT INTO app.${long} (a) SELECT a FROM app.${long}_old;\nCOMMIT;`,
      `BEGIN;\nALTER TABLE app.${long} ADD COLUMN b int;\nDELETE FROM app.${long} WHERE b IS NULL;\nCOMMIT;`,
    ];
    for (const sql of sqls) {
      const findings = lintSql(sql, { rules: [rule] }).findings;
      expect(findings).toHaveLength(1);
      expect(findings[0]!.message.length).toBeLessThanOrEqual(100);
      // Not shortened by the engine: no name cut in its middle, no end cut.
      expect(findings[0]!.message).not.toMatch(/[^ ]…[^ ]|…$/);
      expect(findings[0]!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("reports an UPDATE after an ALTER TABLE of the same table in one BEGIN block", () => {
    expect(findingsOf(rule, block(ADD, UPDATE))).toEqual([at(3, 1, 3, 33)]);
  });

  it("names the backfill, the schema change and its line, the lock held until COMMIT, and the batched alternative", () => {
    const [finding] = lintSql(block("SELECT 1;", ADD, UPDATE), { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^UPDATE users runs in the same transaction as ALTER TABLE users at line 3, which took an ACCESS EXCLUSIVE lock on users\. /);
    expect(finding!.explanation).toContain("holds that lock until the transaction commits");
    expect(finding!.explanation).toContain("every read and write of the table");
    expect(finding!.help).toBe("Commit the schema change first (COMMIT; right after it), then backfill in batches, each in its own short transaction");
    expect(finding!.message).toBe("UPDATE users runs under the lock taken by ALTER TABLE users (ACCESS EXCLUSIVE)");
    expect(finding!.explanation).toContain(" Commit the schema change first");
    expect(finding!.explanation).toContain("UPDATE users SET … WHERE id IN (SELECT id FROM users WHERE <not yet backfilled> ORDER BY id LIMIT 1000);");
  });

  it("reports DELETE, INSERT … SELECT and data-modifying WITH queries, each at its own place", () => {
    const sql = [
      block(ADD, "DELETE FROM users WHERE role IS NULL;"),
      block(ADD, "INSERT INTO users (id, role) SELECT id, 'admin' FROM admins;"),
      block(ADD, "WITH done AS (UPDATE users SET role = 'x' RETURNING id) SELECT count(*) FROM done;"),
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(3, 1, 3, 37), at(7, 1, 7, 60), at(11, 15, 11, 55)]);
    const [del, insert] = lintSql(sql, { rules: [rule] }).findings;
    expect(del!.explanation).toMatch(/^DELETE FROM users runs/);
    expect(del!.explanation).toContain("DELETE FROM users WHERE id IN (SELECT id FROM users WHERE <condition> ORDER BY id LIMIT 1000);");
    expect(insert!.explanation).toMatch(/^INSERT INTO users … SELECT runs/);
    expect(del!.message).toMatch(/^DELETE FROM users runs under the lock taken by ALTER TABLE users \(/);
    expect(insert!.message).toMatch(/^INSERT INTO users from a SELECT runs under the lock taken by ALTER TABLE users \(/);
  });

  it("reports a table once per transaction: its first backfill names the later ones, which run under the same lock", () => {
    const sql = block(
      ADD,
      "DELETE FROM users WHERE role IS NULL;",
      "INSERT INTO users (id, role) SELECT id, 'admin' FROM admins;",
      "ALTER TABLE teams ADD COLUMN kind text;",
      "UPDATE teams SET kind = 'x';",
      "WITH done AS (UPDATE users SET role = 'x' RETURNING id) SELECT count(*) FROM done;",
    );
    const findings = lintSql(sql, { rules: [rule] }).findings;
    expect(findings.map(located)).toEqual([at(3, 1, 3, 37), at(6, 1, 6, 28)]);
    expect(findings[0]!.explanation).toContain("The same transaction writes users again at lines 4 and 7, under the same lock: batch those too.");
    expect(findings[1]!.explanation).not.toContain("again at line");
    // Another transaction is another decision.
    expect(findingsOf(rule, `${block(ADD, UPDATE)}\n${block(ADD, UPDATE)}`)).toEqual([at(3, 1, 3, 33), at(7, 1, 7, 33)]);
  });

  it("names the SHARE lock of a CREATE INDEX and the SHARE ROW EXCLUSIVE lock of a trigger", () => {
    const index = lintSql(block("CREATE INDEX users_role_idx ON users (role);", UPDATE), { rules: [rule] }).findings;
    expect(index.map(located)).toEqual([at(3, 1, 3, 33)]);
    expect(index[0]!.explanation).toContain("CREATE INDEX users_role_idx ON users at line 2, which took a SHARE lock on users");
    expect(index[0]!.explanation).toContain("INSERT, UPDATE and DELETE on the table");
    expect(index[0]!.explanation).toContain("blocked writes");
    const trigger = lintSql(block("ALTER TABLE users DISABLE TRIGGER audit;", UPDATE), { rules: [rule] }).findings;
    expect(trigger[0]!.explanation).toContain("which took a SHARE ROW EXCLUSIVE lock on users");
  });

  it("does not report the safe alternatives of the docs page, even when the runner wraps each file", () => {
    const assume = { assumeInTransaction: true };
    expect(withSettings("-- migration 1\nALTER TABLE users ADD COLUMN role text;", assume).findings).toEqual([]);
    const batch = "UPDATE users SET role = 'member' WHERE id IN (SELECT id FROM users WHERE role IS NULL ORDER BY id LIMIT 1000);";
    expect(withSettings(batch, assume).findings).toEqual([]);
    expect(withSettings("ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'member';", assume).findings).toEqual([]);
  });

  it("does not report INSERT … VALUES, or a SELECT of constants", () => {
    expect(findingsOf(rule, block(ADD, "INSERT INTO users (id, role) VALUES (1, 'admin');", "INSERT INTO users (id, role) SELECT 2, 'x';"))).toEqual([]);
  });

  it("does not report when the schema change committed first, or when the file runs without a transaction", () => {
    expect(findingsOf(rule, `${block(ADD)}\n${UPDATE}`)).toEqual([]);
    expect(findingsOf(rule, `${block(ADD)}\n${block(UPDATE)}`)).toEqual([]);
    expect(findingsOf(rule, `${ADD}\n${UPDATE}`)).toEqual([]);
  });

  it("treats the whole file as one transaction when the runner wraps it, until a COMMIT ends it", () => {
    expect(withSettings(`${ADD}\n${UPDATE}`, { assumeInTransaction: true }).findings.map(located)).toEqual([at(2, 1, 2, 33)]);
    const [finding] = withSettings(`${ADD}\n${UPDATE}`, { assumeInTransaction: true }).findings;
    expect(finding!.explanation).toContain(" The migration runner runs the whole file in one transaction: move the backfill to a later migration");
    expect(finding!.help).toBe("Move the backfill to a later migration, then backfill in batches, each in its own short transaction");
    expect(withSettings(`${ADD}\nCOMMIT;\n${UPDATE}`, { assumeInTransaction: true }).findings).toEqual([]);
  });

  it("knows that goose and dbmate wrap each migration in a transaction unless told not to", () => {
    expect(findingsOf(rule, `-- +goose Up\n${ADD}\n${UPDATE}`)).toEqual([at(3, 1, 3, 33)]);
    expect(findingsOf(rule, `-- migrate:up\n${ADD}\n${UPDATE}`)).toEqual([at(3, 1, 3, 33)]);
    expect(findingsOf(rule, `-- +goose NO TRANSACTION\n-- +goose Up\n${ADD}\n${UPDATE}`)).toEqual([]);
    expect(findingsOf(rule, `-- migrate:up transaction:false\n${ADD}\n${UPDATE}`)).toEqual([]);
    // The down section runs in a transaction of its own.
    expect(findingsOf(rule, `-- +goose Up\n${ADD}\n-- +goose Down\n${UPDATE}`)).toEqual([]);
  });

  it("does not report lighter locks, LOCK TABLE, TRUNCATE, or a backfill before the schema change", () => {
    expect(findingsOf(rule, block("ALTER TABLE users VALIDATE CONSTRAINT users_role_check;", UPDATE))).toEqual([]);
    expect(findingsOf(rule, block("ALTER TABLE users ALTER COLUMN role SET STATISTICS 100;", UPDATE))).toEqual([]);
    expect(findingsOf(rule, block("LOCK TABLE users IN EXCLUSIVE MODE;", UPDATE))).toEqual([]);
    expect(findingsOf(rule, block("TRUNCATE users;", "INSERT INTO users SELECT * FROM staging_users;"))).toEqual([]);
    expect(findingsOf(rule, block(UPDATE, ADD))).toEqual([]);
  });

  it("does not report a backfill of another table, but does when a foreign key locked it", () => {
    expect(findingsOf(rule, block(ADD, "UPDATE accounts SET role = 'member';"))).toEqual([]);
    expect(findingsOf(rule, block(ADD, "UPDATE other.users SET role = 'member';"))).toEqual([]);
    const fk = block("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", UPDATE);
    expect(findingsOf(rule, fk)).toEqual([at(3, 1, 3, 33)]);
    expect(lintSql(fk, { rules: [rule] }).findings[0]!.explanation).toContain(
      "as ALTER TABLE orders (its foreign key to users) at line 2, which took a SHARE ROW EXCLUSIVE lock on users",
    );
  });

  it("does not report tables created earlier in the file", () => {
    expect(findingsOf(rule, block("CREATE TABLE users (id int);", ADD, UPDATE))).toEqual([]);
  });

  it("does not report, in a rollback, a table its forward migration created; reports an older one", () => {
    const files = { "migrations/001_roles.up.sql": "CREATE TABLE roles (id int, name text);\nALTER TABLE users ADD COLUMN role text;" };
    const rollback = block("ALTER TABLE roles ADD COLUMN legacy text;", "UPDATE roles SET legacy = name;", "ALTER TABLE users DROP COLUMN role;", "UPDATE users SET note = '';");
    expect(lintSql(rollback, { rules: [rule], filePath: "migrations/001_roles.down.sql", files }).findings.map(located)).toEqual([at(5, 1, 5, 27)]);
    expect(lintSql(rollback, { rules: [rule], filePath: "migrations/002_roles.sql", files }).findings).toHaveLength(2);
  });

  it("reports a backfill run by a DO block, at its place in the body", () => {
    const sql = block(ADD, "DO $$\nBEGIN\n  UPDATE users SET role = 'member' WHERE id < 1000;\nEND\n$$;");
    expect(findingsOf(rule, sql)).toEqual([at(5, 3, 5, 51)]);
  });

  it("reports a schema change and a backfill in one DO block, which runs as one transaction", () => {
    const sql = "DO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN role text;\n  UPDATE users SET role = 'member';\nEND\n$$;";
    const findings = lintSql(sql, { rules: [rule] }).findings;
    expect(findings.map(located)).toEqual([at(4, 3, 4, 35)]);
    expect(findings[0]!.explanation).toContain(" A DO block runs as one transaction: make the schema change outside it");
    expect(findings[0]!.help).toBe("Make the schema change outside the DO block, then backfill in batches, each in its own short transaction");
    expect(findingsOf(rule, `${ADD}\nDO $$\nBEGIN\n  UPDATE users SET role = 'member';\nEND\n$$;`)).toEqual([]);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, block(ADD, `-- ${UPDATE}`, `/* ${UPDATE} */`, `SELECT '${UPDATE}';`))).toEqual([]);
  });
});
