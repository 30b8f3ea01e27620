import path from "node:path";
import { describe, expect, it } from "vitest";
import rule from "../../rules/require-rollback.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

const FORWARD = "BEGIN;\nALTER TABLE users ADD COLUMN premium_tier text;\nCOMMIT;";

describe("require-rollback", () => {
  it("reports a forward migration without rollback once, at its first statement", () => {
    expect(findingsOf(rule, FORWARD)).toEqual([at(1, 1, 1, 6)]);
    expect(findingsOf(rule, "-- add the tier\n\nALTER TABLE users ADD COLUMN premium_tier text;\nCREATE INDEX i ON users (premium_tier);")).toEqual([at(3, 1, 3, 47)]);
  });

  it("names the file and the rollback file to write, with a rollback block in the help", () => {
    const [finding] = lintSql(FORWARD, { rules: [rule], filePath: "db/migrate/0042_premium.sql" }).findings;
    expect(finding!.message).toBe("0042_premium.sql has no rollback: no 0042_premium_rollback.sql, rollback comment or down section");
    expect(finding!.help).toBe("Write the undo SQL, in reverse order, in 0042_premium_rollback.sql beside it or in a -- Rollback: /* … */ comment block");
    expect(finding!.explanation).toContain("-- Rollback: /* BEGIN; ALTER TABLE users DROP COLUMN premium_tier; COMMIT; */");
    const [up] = lintSql(FORWARD, { rules: [rule], filePath: "db/20240101_premium/up.sql" }).findings;
    expect(up!.message).toContain("no down.sql, rollback comment");
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
    expect(finding!.message).toBe("012_users_no_rollback.sql has no rollback: no rollback file, rollback comment or down section");
    expect(finding!.help).toContain("012_users_no_rollback_rollback.sql");
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

describe("require-rollback in a project that goes forward only", () => {
  const ADD = "ALTER TABLE users ADD COLUMN premium_tier text;";
  const GOOSE = (down: string) => `-- +goose Up\n${ADD}\n-- +goose Down\n${down}`;
  /** Lints `file` among `folder`'s files, as a run over the project sees them. */
  const lintIn = (folder: Record<string, string>, file: string) => {
    const access: FileAccess = {
      exists: (name) => name in folder,
      read: (name) => folder[name],
      list: (dir) => [...new Set(Object.keys(folder).filter((name) => name.startsWith(`${dir}/`)).map((name) => name.slice(dir.length + 1).split("/")[0]!))],
    };
    return lintSource(folder[file]!, file, { rules: [rule], settings: DEFAULT_SETTINGS }, access);
  };

  it("does not report a migration when no migration of its folder before it has a rollback, and says why with --debug", () => {
    const folder = { "db/001_a.up.sql": ADD, "db/002_b.up.sql": ADD, "db/010_c.up.sql": ADD };
    const result = lintIn(folder, "db/010_c.up.sql");
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([{ line: 1, message: expect.stringMatching(/^no rollback asked of it \(require-rollback\): none of the 2 migrations before it in its folder has a rollback .*: the project goes forward only, at least so far$/) }]);
  });

  it("reports a migration after the first one of its folder with a rollback: the project writes rollbacks since", () => {
    const folder = { "db/1_a.sql": GOOSE(""), "db/2_b.sql": GOOSE("ALTER TABLE users DROP COLUMN premium_tier;"), "db/10_c.sql": GOOSE(""), "db/3_d.sql": GOOSE("") };
    expect(lintIn(folder, "db/1_a.sql").findings).toEqual([]);
    expect(lintIn(folder, "db/1_a.sql").notes![0]!.message).toContain("it is the first migration of its folder: the project goes forward only");
    // Versions compare as numbers: 3 and 10 come after 2.
    expect(lintIn(folder, "db/3_d.sql").findings.map(located)).toEqual([at(2, 1, 2, 47)]);
    expect(lintIn(folder, "db/10_c.sql").findings.map(located)).toEqual([at(2, 1, 2, 47)]);
    expect(lintIn(folder, "db/10_c.sql").notes).toBeUndefined();
  });

  it("counts rollback files, rollback blocks and folder-per-migration layouts", () => {
    const withFile = { "db/1_a.sql": ADD, "db/1_a.down.sql": "SELECT 1;", "db/2_b.sql": ADD };
    expect(lintIn(withFile, "db/2_b.sql").findings.map(located)).toEqual([at(1, 1, 1, 47)]);
    const withBlock = { "db/1_a.sql": `${ADD}\n-- rollback: ALTER TABLE users DROP COLUMN premium_tier;`, "db/2_b.sql": ADD };
    expect(lintIn(withBlock, "db/2_b.sql").findings.map(located)).toEqual([at(1, 1, 1, 47)]);
    const folders = { "db/2024_a/up.sql": ADD, "db/2025_b/up.sql": ADD };
    expect(lintIn(folders, "db/2025_b/up.sql").findings).toEqual([]);
    expect(lintIn({ ...folders, "db/2024_a/down.sql": "SELECT 1;" }, "db/2025_b/up.sql").findings.map(located)).toEqual([at(1, 1, 1, 47)]);
  });

  it("reports a migration alone in its folder: nothing says what the project does", () => {
    expect(lintIn({ "db/1_a.sql": ADD }, "db/1_a.sql").findings.map(located)).toEqual([at(1, 1, 1, 47)]);
  });

  it("keeps messages within 100 characters with long file names", () => {
    const name = `${"n".repeat(60)}.sql`;
    const { findings } = lintSql("ALTER TABLE users ADD COLUMN premium_tier text;", { rules: [rule], filePath: `migrations/${name}` });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toBe("This migration has no rollback: no rollback file, rollback comment or down section");
    expect(findings[0]!.help.length).toBeLessThanOrEqual(160);
    const broken = lintSql(`${FORWARD}\n-- Rollback:\n/*\nALTER TABLE ${"x".repeat(60)} DROPP COLUMN ${"y".repeat(60)};\n*/`, { rules: [rule] }).findings;
    expect(broken[0]!.message).toBe('The rollback block does not parse: syntax error at or near "DROPP"');
    for (const finding of broken) expect(finding.message.length).toBeLessThanOrEqual(100);
  });
});
