import path from "node:path";
import { describe, expect, it } from "vitest";
import rule from "../../rules/require-rollback.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

const FORWARD = "BEGIN;\nALTER TABLE users ADD COLUMN premium_tier text;\nCOMMIT;";

describe("require-rollback", () => {
  it("reports a forward migration without rollback once, at its first statement", () => {
    expect(findingsOf(rule, FORWARD)).toEqual([at(1, 1, 1, 6)]);
    expect(findingsOf(rule, "-- add the tier\n\nALTER TABLE users ADD COLUMN premium_tier text;\nCREATE INDEX i ON users (premium_tier);")).toEqual([at(3, 1, 3, 47)]);
  });

  it("names the file and the rollback file to write, with a rollback block in the help", () => {
    const [finding] = lintSql(FORWARD, { rules: [rule], filePath: "db/migrate/0042_premium.sql" }).findings;
    expect(finding!.message).toMatch(/^0042_premium\.sql has no rollback: no 0042_premium_rollback\.sql beside it/);
    expect(finding!.help).toContain("0042_premium_rollback.sql");
    expect(finding!.help).toContain("-- Rollback: /* BEGIN; ALTER TABLE users DROP COLUMN premium_tier; COMMIT; */");
    const [up] = lintSql(FORWARD, { rules: [rule], filePath: "db/20240101_premium/up.sql" }).findings;
    expect(up!.message).toContain("no down.sql beside it");
  });

  it("does not report a migration with a rollback block in comments", () => {
    const headed = `${FORWARD}\n\n-- Rollback:\n/*\nBEGIN;\nALTER TABLE users DROP COLUMN premium_tier;\nCOMMIT;\n*/`;
    expect(findingsOf(rule, headed)).toEqual([]);
    const inline = `/* down:\n   ALTER TABLE users DROP COLUMN premium_tier; */\n${FORWARD}`;
    expect(findingsOf(rule, inline)).toEqual([]);
    const lines = `${FORWARD}\n-- Rollback\n-- ALTER TABLE users DROP COLUMN premium_tier;`;
    expect(findingsOf(rule, lines)).toEqual([]);
  });

  it("does not report a migration with a rollback file beside it", () => {
    const files = { "db/001_premium_rollback.sql": "ALTER TABLE users DROP COLUMN premium_tier;" };
    expect(findingsOf(rule, FORWARD, { filePath: "db/001_premium.sql", files })).toEqual([]);
    expect(findingsOf(rule, FORWARD, { filePath: "db/001_premium.sql", files: { "db/001_premium.down.sql": "SELECT 1;" } })).toEqual([]);
    expect(findingsOf(rule, FORWARD, { filePath: "db/001_premium/up.sql", files: { "db/001_premium/down.sql": "SELECT 1;" } })).toEqual([]);
    expect(findingsOf(rule, FORWARD, { filePath: "db/002_other.sql", files })).toEqual([at(1, 1, 1, 6)]);
  });

  it("does not report a migration whose runner only goes forward, nor a Sqitch verify script", () => {
    const lock = path.resolve("prisma/migrations/migration_lock.toml");
    expect(findingsOf(rule, FORWARD, { filePath: path.resolve("prisma/migrations/20240101000000_premium/migration.sql"), files: { [lock]: "" } })).toEqual([]);
    expect(findingsOf(rule, FORWARD, { filePath: "db/migration/V42__premium.sql" })).toEqual([]);
    expect(findingsOf(rule, FORWARD, { filePath: "db/001_premium.sql", settings: { runner: "drizzle" } })).toEqual([]);
    const plan = path.resolve("schema/sqitch.plan");
    expect(findingsOf(rule, "SELECT premium_tier FROM users WHERE false;", { filePath: path.resolve("schema/verify/premium.sql"), files: { [plan]: "" } })).toEqual([]);
  });

  it("takes a Sqitch deploy script's revert script for its rollback", () => {
    const files = { [path.resolve("schema/sqitch.plan")]: "", [path.resolve("schema/revert/premium.sql")]: "ALTER TABLE users DROP COLUMN premium_tier;" };
    expect(findingsOf(rule, FORWARD, { filePath: path.resolve("schema/deploy/premium.sql"), files })).toEqual([]);
    expect(findingsOf(rule, FORWARD, { filePath: path.resolve("schema/deploy/other.sql"), files })).toEqual([at(1, 1, 1, 6)]);
  });

  it("never reports a rollback file", () => {
    expect(findingsOf(rule, "ALTER TABLE users DROP COLUMN premium_tier;", { filePath: "db/001_premium_rollback.sql", files: { "db/001_premium.sql": FORWARD } })).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE users DROP COLUMN premium_tier;", { filePath: "db/001_premium/down.sql", files: { "db/001_premium/up.sql": FORWARD } })).toEqual([]);
  });

  it("reports a file named like a rollback whose forward migration is not beside it: it is a forward migration", () => {
    const [finding] = lintSql(FORWARD, { rules: [rule], filePath: "db/012_users_no_rollback.sql" }).findings;
    expect(finding!.message).toMatch(/^012_users_no_rollback\.sql has no rollback: no 012_users_no_rollback_rollback\.sql beside it/);
    expect(findingsOf(rule, FORWARD, { filePath: "db/012_users_no_rollback.sql", files: { "db/012_users_no_rollback_rollback.sql": "SELECT 1;" } })).toEqual([]);
  });

  it("does not report a goose or dbmate file with a down section", () => {
    const goose = "-- +goose Up\nALTER TABLE users ADD COLUMN premium_tier text;\n\n-- +goose Down\nALTER TABLE users DROP COLUMN premium_tier;\n";
    expect(findingsOf(rule, goose)).toEqual([]);
    const dbmate = "-- migrate:up\nALTER TABLE users ADD COLUMN premium_tier text;\n-- migrate:down\nALTER TABLE users DROP COLUMN premium_tier;\n";
    expect(findingsOf(rule, dbmate)).toEqual([]);
  });

  it("reports an empty down section at the first statement", () => {
    const goose = "-- +goose Up\nALTER TABLE users ADD COLUMN premium_tier text;\n\n-- +goose Down\n";
    expect(findingsOf(rule, goose)).toEqual([at(2, 1, 2, 47)]);
    expect(lintSql(goose, { rules: [rule] }).findings[0]!.message).toContain("down section is empty");
  });

  it("counts a rollback block without a statement, or with only BEGIN/COMMIT, as missing", () => {
    expect(findingsOf(rule, `${FORWARD}\n-- Rollback:\n/*\n*/`)).toEqual([at(1, 1, 1, 6)]);
    expect(findingsOf(rule, `${FORWARD}\n-- Rollback:\n/* BEGIN; COMMIT; */`)).toEqual([at(1, 1, 1, 6)]);
    expect(lintSql(`${FORWARD}\n-- Rollback:\n/* */`, { rules: [rule] }).findings[0]!.message).toContain("rollback block contains no statement");
  });

  it("reports each parse error of the rollback block at its place in the comment", () => {
    const sql = `${FORWARD}\n-- Rollback:\n/*\nALTER TABLE users DROP COLUMN premium_tier;\nALTER TABLE users DROPP COLUMN x;\nDROP TABLE ;\n*/`;
    expect(findingsOf(rule, sql)).toEqual([at(7, 19, 7, 33), at(8, 11, 8, 11)]);
    const findings = lintSql(sql, { rules: [rule] }).findings;
    expect(findings[0]!.message).toMatch(/^The rollback block does not parse: syntax error at or near "DROPP"/);
    expect(findings[1]!.message).toMatch(/^The rollback block does not parse: syntax error at end of input/);
  });

  it("reports a broken rollback block even when a rollback file exists", () => {
    const files = { "db/001_premium_rollback.sql": "ALTER TABLE users DROP COLUMN premium_tier;" };
    expect(findingsOf(rule, `${FORWARD}\n-- Rollback:\n/* DROP TABL x; */`, { filePath: "db/001_premium.sql", files })).toEqual([at(5, 9, 5, 15)]);
  });

  it("counts a plan in words as a rollback plan: no parse error, no missing rollback", () => {
    for (const plan of [
      "-- Rollback: restore from backup",
      "-- rollback: not reversible",
      "/* Down: manual */",
      "-- Rollback:\n/* nothing to do */",
      "/* Rollback: not needed, the column is unused */",
      "-- Rollback:\n-- drop the column by hand once no release reads it",
    ]) {
      expect(findingsOf(rule, `${FORWARD}\n${plan}`), plan).toEqual([]);
    }
  });

  it("counts a one-line `-- rollback: <sql>`, and reports it when it does not parse", () => {
    expect(findingsOf(rule, `${FORWARD}\n-- rollback: ALTER TABLE users DROP COLUMN premium_tier;`)).toEqual([]);
    expect(findingsOf(rule, `${FORWARD}\n-- rollback: ALTER TABLE users DROPP COLUMN premium_tier;`)).toEqual([at(4, 32, 4, 57)]);
  });

  it("takes no comment that merely contains the word for a rollback block: the migration has none", () => {
    for (const prose of [
      "-- ROLLBACK SAFETY: the old column stays until the next release\n-- so that the previous version keeps working.",
      "-- We mark the members we sent to, then\n-- down the members we already sent a reminder to.",
      "-- undo the damage of 011",
    ]) {
      const findings = lintSql(`${prose}\n${FORWARD}`, { rules: [rule] }).findings;
      expect(findings.map((finding) => finding.message.split(":")[0]), prose).toEqual(["001_test.sql has no rollback"]);
    }
  });

  it("keeps the parse error's position exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFFCOMMENT ON TABLE users IS 'clients — 客户';\r\n-- Rollback:\r\n/* COMMENT ON TABLE users IS 'ö' ISS; */";
    expect(findingsOf(rule, sql)).toEqual([at(3, 34, 3, 37)]);
  });

  it("does not report a file with nothing to undo, or SQL only in comments and strings", () => {
    expect(findingsOf(rule, "")).toEqual([]);
    expect(findingsOf(rule, "-- ALTER TABLE users ADD COLUMN premium_tier text;\n/* DROP TABLE users; */")).toEqual([]);
    expect(findingsOf(rule, "BEGIN;\nSET lock_timeout = '2s';\nCOMMIT;")).toEqual([]);
  });

  it("reports a file whose statements are in a DO block at the DO", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN premium_tier text;\nEND\n$$;")).toEqual([at(1, 1, 5, 3)]);
  });
});
