import path from "node:path";
import { describe, expect, it } from "vitest";
import rule from "../../rules/require-transaction.js";
import { findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings } = ruleTestKit(rule);

const ADD = "ALTER TABLE users ADD COLUMN role text;";
const INDEX = "CREATE INDEX users_role_idx ON users (role);";

describe("require-transaction", () => {
  it("reports a file of several statements without BEGIN … COMMIT once, at its first statement", () => {
    expect(findingsOf(rule, `${ADD}\n${INDEX}\nDROP TABLE old_users;`)).toEqual([at(1, 1, 1, 39)]);
  });

  it("explains the half-migrated schema and gives BEGIN/COMMIT and the runner setting", () => {
    const [finding] = lintSql(`${ADD}\n${INDEX}`, { rules: [rule] }).findings;
    expect(finding!.message).toBe("2 statements run outside a transaction: a failure leaves them half-applied");
    expect(finding!.help).toBe('Wrap the file in BEGIN; … COMMIT;, or set "runner" if your runner wraps it');
    expect(finding!.explanation).toMatch(/^This migration runs all 2 statements outside a transaction, starting with this one/);
    expect(finding!.explanation).toContain("half-migrated");
    expect(finding!.explanation).toContain("BEGIN; at the top and COMMIT; at the end");
    expect(finding!.explanation).toContain('"assumeInTransaction": true');
    expect(finding!.explanation).toContain('name it in the configuration ("runner": "flyway", "prisma", …)');
    expect(finding!.explanation).toContain("migsafe --print-config <file>");
  });

  it("does not report a file wrapped in BEGIN … COMMIT, with SET and RESET around it", () => {
    expect(findingsOf(rule, `BEGIN;\n${ADD}\n${INDEX}\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, `SET lock_timeout = '5s';\nSTART TRANSACTION;\n${ADD}\n${INDEX}\nEND;\nRESET lock_timeout;`)).toEqual([]);
  });

  it("does not report a single statement, SET and RESET not counted", () => {
    expect(findingsOf(rule, `SET lock_timeout = '5s';\nSET statement_timeout = '1min';\n${ADD}\nRESET lock_timeout;`)).toEqual([]);
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN a int;\n  ALTER TABLE users ADD COLUMN b int;\nEND\n$$;")).toEqual([]);
  });

  it("reports the first statement outside the BEGIN … COMMIT block, counting them", () => {
    const sql = `BEGIN;\n${ADD}\nCOMMIT;\n${INDEX}`;
    expect(findingsOf(rule, sql)).toEqual([at(4, 1, 4, 44)]);
    expect(lintSql(sql, { rules: [rule] }).findings[0]!.message).toBe("1 of 2 statements run outside a transaction: a failure leaves them half-applied");
  });

  it("does not report when the runner wraps the file (assumeInTransaction)", () => {
    expect(withSettings(`${ADD}\n${INDEX}`, { assumeInTransaction: true })).toEqual([]);
    expect(withSettings(`${ADD}\n${INDEX}`, { assumeInTransaction: false })).toEqual([at(1, 1, 1, 39)]);
  });

  it("does not report a file its runner wraps: detected (Prisma's migration.sql beside migration_lock.toml) or named in the configuration", () => {
    const files = { [path.resolve("prisma/migrations/migration_lock.toml")]: 'provider = "postgresql"' };
    const filePath = path.resolve("prisma/migrations/roles/migration.sql");
    expect(findingsOf(rule, `${ADD}\n${INDEX}`, { filePath, files })).toEqual([]);
    expect(findingsOf(rule, `${ADD}\n${INDEX}`, { filePath })).toEqual([at(1, 1, 1, 39)]);
    // Prisma's <timestamp>_<name> folder is enough.
    expect(findingsOf(rule, `${ADD}\n${INDEX}`, { filePath: path.resolve("prisma/migrations/20240101000000_roles/migration.sql") })).toEqual([]);
    // An explicit assumeInTransaction wins over the runner detected.
    expect(findingsOf(rule, `${ADD}\n${INDEX}`, { filePath, files, settings: { assumeInTransaction: false } })).toEqual([at(1, 1, 1, 39)]);
    expect(withSettings(`${ADD}\n${INDEX}`, { runner: "flyway" })).toEqual([]);
    expect(withSettings(`${ADD}\n${INDEX}`, { runner: "knex" })).toEqual([]);
  });

  it("reports a file its runner runs statement by statement, saying so", () => {
    expect(withSettings(`${ADD}\n${INDEX}`, { runner: "sqitch" })).toEqual([at(1, 1, 1, 39)]);
    const [finding] = lintSql(`${ADD}\n${INDEX}`, { rules: [rule], settings: { runner: "sequelize" } }).findings;
    expect(finding!.explanation).toContain("and Sequelize runs each migration function as it is, without a transaction (the configuration names it).");
  });

  it("knows that goose, dbmate and sql-migrate wrap each migration unless told not to", () => {
    expect(findingsOf(rule, `-- +goose Up\n${ADD}\n${INDEX}\n-- +goose Down\nDROP INDEX users_role_idx;\nALTER TABLE users DROP COLUMN role;`)).toEqual([]);
    expect(findingsOf(rule, `-- migrate:up\n${ADD}\n${INDEX}`)).toEqual([]);
    expect(findingsOf(rule, `-- +migrate Up\n${ADD}\n${INDEX}`)).toEqual([]);
    expect(findingsOf(rule, `-- +goose NO TRANSACTION\n-- +goose Up\n${ADD}\n${INDEX}`)).toEqual([at(3, 1, 3, 39)]);
    expect(findingsOf(rule, `-- migrate:up transaction:false\n${ADD}\n${INDEX}`)).toEqual([at(2, 1, 2, 39)]);
    expect(findingsOf(rule, `-- +migrate Up notransaction\n${ADD}\n${INDEX}`)).toEqual([at(2, 1, 2, 39)]);
  });

  it("checks each section of a goose, dbmate or sql-migrate file on its own, naming the marker that turns the transaction off", () => {
    const sql = `-- +goose NO TRANSACTION\n-- +goose Up\n${ADD}\n-- +goose Down\nALTER TABLE users DROP COLUMN role;`;
    expect(findingsOf(rule, sql)).toEqual([]);
    const twoInDown = `-- +goose NO TRANSACTION\n-- +goose Up\n${ADD}\n-- +goose Down\nDROP INDEX users_role_idx;\nALTER TABLE users DROP COLUMN role;`;
    expect(findingsOf(rule, twoInDown)).toEqual([at(5, 1, 5, 26)]);
    expect(lintSql(twoInDown, { rules: [rule] }).findings[0]!.explanation).toContain("and goose runs this migration without a transaction (-- +goose NO TRANSACTION).");
  });

  it("does not report a migration whose author turned the transaction off when every statement can run again", () => {
    const guarded = "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';\nINSERT INTO moods (name) SELECT 'meh' FROM seed ON CONFLICT DO NOTHING;\nDROP INDEX IF EXISTS users_role_idx;";
    expect(findingsOf(rule, `-- +goose Up\n-- +goose NO TRANSACTION\n${guarded}`)).toEqual([]);
    expect(findingsOf(rule, `-- migrate:up transaction:false\nCREATE TABLE IF NOT EXISTS t (id int);\nALTER TABLE t ADD COLUMN IF NOT EXISTS n int, ALTER COLUMN n SET DEFAULT 0;`)).toEqual([]);
    // Without the opt-out, the same statements are reported: nothing says the author chose to run them alone.
    expect(findingsOf(rule, guarded)).toEqual([at(1, 1, 1, 46)]);
  });

  it("reports an opted-out migration with a statement that cannot run again, naming it in the help", () => {
    const sql = `-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX IF NOT EXISTS a ON t (x);\n${ADD}`;
    const findings = lintSql(sql, { rules: [rule] }).findings;
    expect(findings.map(located)).toEqual([at(3, 1, 3, 38)]);
    expect(findings[0]!.help).toBe("Keep here only what cannot run in a transaction, or make each statement re-runnable from line 4");
    expect(findings[0]!.explanation).toMatch(/ The migration turns its transaction off on purpose \(-- \+goose NO TRANSACTION\), usually for a statement that cannot run in one\./);
    expect(findings[0]!.explanation).toContain("starting with the one at line 4,");
  });

  it("does not report a migration of a runner that tolerates re-runs, unless it writes rows", () => {
    const temporal = { runner: "temporal-sql-tool" } as const;
    expect(withSettings(`${ADD}\n${INDEX}`, temporal)).toEqual([]);
    expect(withSettings(`CREATE TABLE q (id int PRIMARY KEY);\nINSERT INTO q VALUES (1);`, temporal)).toEqual([at(1, 1, 1, 36)]);
  });

  it("does not report a file holding a statement that cannot run in a transaction", () => {
    expect(findingsOf(rule, `${ADD}\nCREATE INDEX CONCURRENTLY users_role_idx ON users (role);`)).toEqual([]);
    expect(findingsOf(rule, `${ADD}\nDROP INDEX CONCURRENTLY users_role_idx;`)).toEqual([]);
    expect(findingsOf(rule, `${ADD}\nREINDEX INDEX CONCURRENTLY users_pkey;`)).toEqual([]);
    expect(findingsOf(rule, `${ADD}\nVACUUM ANALYZE users;`)).toEqual([]);
    expect(findingsOf(rule, `${ADD}\nALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;`)).toEqual([]);
    expect(findingsOf(rule, "CREATE DATABASE app;\nCREATE TABLE x (id int);")).toEqual([]);
  });

  it("exempts ALTER TYPE … ADD VALUE only before PostgreSQL 12, where it cannot run in a transaction", () => {
    const sql = "ALTER TYPE mood ADD VALUE 'meh';\nALTER TABLE users ADD COLUMN mood mood;";
    expect(withSettings(sql, { pgVersion: 11 })).toEqual([]);
    expect(withSettings(sql, { pgVersion: 14 })).toEqual([at(1, 1, 1, 32)]);
  });

  it("reports rollback files too", () => {
    const files = { "db/003_roles.sql": `BEGIN;\n${ADD}\n${INDEX}\nCOMMIT;` };
    const rollback = "DROP INDEX users_role_idx;\nALTER TABLE users DROP COLUMN role;";
    expect(findingsOf(rule, rollback, { filePath: "db/003_roles_rollback.sql", files })).toEqual([at(1, 1, 1, 26)]);
  });

  it("does not count SQL in comments and strings", () => {
    expect(findingsOf(rule, `-- ${INDEX}\n/* ${INDEX} */\n${ADD}\n-- COMMIT;`)).toEqual([]);
    expect(findingsOf(rule, `SELECT '${INDEX}';`)).toEqual([]);
  });

  it("keeps messages within 100 characters for long files with long names", () => {
    const n = "n".repeat(60);
    const sql = Array.from({ length: 120 }, (_, i) => `ALTER TABLE ${n} ADD COLUMN ${n}_${i} int;`).join("\n");
    const [finding] = lintSql(`BEGIN;\nSELECT 1;\nCOMMIT;\n${sql}`, { rules: [rule] }).findings;
    expect(finding!.message).toBe("120 of 121 statements run outside a transaction: a failure leaves them half-applied");
    expect(finding!.message.length).toBeLessThanOrEqual(100);
  });
});
