import { describe, expect, it } from "vitest";
import path from "node:path";
import { downSectionStart, findPartner, findRollbackBlock, type RollbackPlan, type RollbackSql } from "../../src/facts/rollback-block.js";
import { parseFile } from "../../src/parser/parse-file.js";

const existing = (...files: string[]) => (file: string) => files.map((f) => path.normalize(f)).includes(path.normalize(file));

/** The rollback block of `sql`, which must be SQL. */
function sqlBlock(sql: string): RollbackSql {
  const block = findRollbackBlock(parseFile(sql));
  if (block?.kind !== "sql") throw new Error(`expected rollback SQL, got ${JSON.stringify(block)}`);
  return block;
}

/** The rollback block of `sql`, which must be a plan in words. */
function planBlock(sql: string): RollbackPlan {
  const block = findRollbackBlock(parseFile(sql));
  if (block?.kind !== "plan") throw new Error(`expected a rollback plan, got ${JSON.stringify(block)}`);
  return block;
}

describe("findPartner", () => {
  it("pairs x.sql with x_rollback.sql, x.rollback.sql and x.down.sql", () => {
    expect(findPartner("db/007_a.sql", existing("db/007_a_rollback.sql"))).toEqual({ role: "forward", partnerPath: "db/007_a_rollback.sql" });
    expect(findPartner("db/007_a.sql", existing("db/007_a.down.sql"))).toEqual({ role: "forward", partnerPath: "db/007_a.down.sql" });
    expect(findPartner("db/007_a_rollback.sql", existing("db/007_a.sql"))).toEqual({ role: "rollback", partnerPath: "db/007_a.sql" });
    expect(findPartner("db/007_a.sql", existing())).toEqual({ role: "forward", partnerPath: undefined });
  });

  it("pairs up.sql with down.sql in one folder and in flattened names", () => {
    expect(findPartner("m/2019_x/up.sql", existing("m/2019_x/down.sql"))).toEqual({ role: "forward", partnerPath: "m/2019_x/down.sql" });
    expect(findPartner("m/2019_x/down.sql", existing("m/2019_x/up.sql"))).toEqual({ role: "rollback", partnerPath: "m/2019_x/up.sql" });
    expect(findPartner("m/1_users.up.sql", existing("m/1_users.down.sql"))).toEqual({ role: "forward", partnerPath: "m/1_users.down.sql" });
    expect(findPartner("m/x__down.sql", existing("m/x__up.sql"))).toEqual({ role: "rollback", partnerPath: "m/x__up.sql" });
    expect(findPartner("m/x.down.sql", existing("m/x.sql"))).toEqual({ role: "rollback", partnerPath: "m/x.sql" });
  });

  it("pairs up and down files by their version when their names differ (Concourse, golang-migrate), given the folder's names", () => {
    const names = ["1510262030_add_jobs.up.sql", "1510262030_add_job.down.sql", "1600_a.up.sql", "1600_b.down.sql", "1600_c.down.sql", "1700_x.down.sql"];
    const folder = (...present: string[]) => ({ exists: existing(...present.map((name) => `m/${name}`)), list: () => present });
    const all = folder(...names);
    expect(findPartner("m/1510262030_add_jobs.up.sql", all.exists, [], all.list)).toEqual({ role: "forward", partnerPath: path.join("m", "1510262030_add_job.down.sql") });
    expect(findPartner("m/1510262030_add_job.down.sql", all.exists, [], all.list)).toEqual({ role: "rollback", partnerPath: path.join("m", "1510262030_add_jobs.up.sql") });
    // Two down files of one version: no pair; a down file without an up file of its version stays a forward migration.
    expect(findPartner("m/1600_a.up.sql", all.exists, [], all.list)).toEqual({ role: "forward", partnerPath: undefined });
    expect(findPartner("m/1600_b.down.sql", all.exists, [], all.list)).toEqual({ role: "forward", partnerPath: undefined });
    expect(findPartner("m/1700_x.down.sql", all.exists, [], all.list)).toEqual({ role: "forward", partnerPath: undefined });
    // Without the listing, by name only.
    expect(findPartner("m/1510262030_add_job.down.sql", all.exists)).toEqual({ role: "forward", partnerPath: undefined });
  });

  it("does not take a name that merely ends in 'up' or 'down' for a pair", () => {
    expect(findPartner("m/cleanup.sql", existing("m/cleandown.sql")).role).toBe("forward");
    expect(findPartner("m/slowdown.sql", existing()).role).toBe("forward");
  });
});

describe("findRollbackBlock", () => {
  it("finds a block comment headed by a rollback line comment, positions in the file", () => {
    const sql = "ALTER TABLE users ADD COLUMN premium_tier text;\n\n-- Rollback:\n/*\nBEGIN;\nALTER TABLE users DROP COLUMN premium_tier;\nCOMMIT;\n*/\n";
    const block = sqlBlock(sql);
    expect(block.parsed.statements.map((s) => [s.kind, s.loc.start.line, s.loc.start.column])).toEqual([
      ["TransactionStmt", 5, 1],
      ["AlterTableStmt", 6, 1],
      ["TransactionStmt", 7, 1],
    ]);
    expect(parseFile(sql).source.position(block.range.start)).toEqual({ line: 3, column: 1 });
  });

  it("finds a block comment whose first line is the heading", () => {
    const block = sqlBlock("CREATE TABLE t (id int);\n/* ROLLBACK\nDROP TABLE t;\n*/");
    expect(block.parsed.statements.map((s) => s.text)).toEqual(["DROP TABLE t"]);
    expect(block.parsed.errors).toEqual([]);
  });

  it("finds a run of line comments headed by 'down'", () => {
    const block = sqlBlock("CREATE TABLE t (id int);\n-- down:\n-- DROP TABLE t;\n--   DROP TYPE e;\n");
    expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([
      ["DROP TABLE t", 3, 4],
      ["DROP TYPE e", 4, 6],
    ]);
  });

  it("reports a rollback block that does not parse at the exact place in the comment", () => {
    const block = sqlBlock("SELECT 1;\n/* rollback:\n  ALTER TABLE users DROP COLUM x;\n*/");
    expect(block.parsed.errors.map((e) => [e.loc.start.line, e.loc.start.column, e.message])).toEqual([[3, 32, 'syntax error at or near "x"']]);
  });

  it("ignores ordinary comments", () => {
    expect(findRollbackBlock(parseFile("-- adds the column\n/* see ticket 12 */\nSELECT 1;"))).toBeUndefined();
  });

  it("finds a goose or dbmate down section", () => {
    const parsed = parseFile("-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n");
    expect(downSectionStart(parsed.comments)).toBe(parsed.source.lineStart(3));
    expect(downSectionStart(parseFile("-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;").comments)).toBeDefined();
  });
});

describe("findRollbackBlock: heading and SQL on one line", () => {
  it("parses the SQL after the heading word", () => {
    const block = sqlBlock("SELECT 1;\n/* Rollback: DROP TABLE x; */");
    expect(block.parsed.errors).toEqual([]);
    expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([["DROP TABLE x", 2, 14]]);
  });
});

describe("findRollbackBlock: the heading after empty or decorated lines", () => {
  for (const eol of ["\n", "\r\n", "\r"]) {
    it(`takes a heading line in words, with nothing under it, for a plan (${JSON.stringify(eol)})`, () => {
      const sql = ["DROP TABLE legacy;", "/*", "Rollback: restore from backup", "*/", ""].join(eol);
      const block = planBlock(sql);
      expect(block.plan).toBe("restore from backup");
      expect(parseFile(sql).source.position(block.range.start)).toEqual({ line: 2, column: 1 });
    });

    it(`parses the SQL under a heading line in words (${JSON.stringify(eol)})`, () => {
      const block = sqlBlock(["DROP TABLE legacy;", "/*", "Rollback: run this by hand", "CREATE TABLE legacy (id int);", "*/"].join(eol));
      expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line])).toEqual([["CREATE TABLE legacy (id int)", 4]]);
    });

    it(`parses the SQL under a heading that follows an empty line (${JSON.stringify(eol)})`, () => {
      const block = sqlBlock(["CREATE TABLE t (id int);", "/*", "", " == Undo ==", "DROP TABLE t;", "*/"].join(eol));
      expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([["DROP TABLE t", 5, 1]]);
    });

    it(`parses SQL on the heading's line after an empty first line (${JSON.stringify(eol)})`, () => {
      const block = sqlBlock(["SELECT 1;", "/*", "down: DROP TABLE x;", "*/"].join(eol));
      expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([["DROP TABLE x", 3, 7]]);
    });
  }
});

describe("findRollbackBlock: one line, prose plans, and words that are no heading", () => {
  it("takes a one-line `-- rollback: <sql>` for rollback SQL, with or without a semicolon", () => {
    expect(sqlBlock("CREATE TABLE t (id int);\n-- rollback: DROP TABLE t;").parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([["DROP TABLE t", 2, 14]]);
    expect(sqlBlock("CREATE TABLE t (id int);\n-- Down DROP TABLE t").parsed.statements.map((s) => s.text)).toEqual(["DROP TABLE t"]);
    expect(sqlBlock("CREATE TABLE t (id int);\n-- rollback: DROP INDEX i;\n-- DROP TABLE t;").parsed.statements.map((s) => s.text)).toEqual(["DROP INDEX i", "DROP TABLE t"]);
  });

  it("takes text that does not start with a statement's keyword, or fails to parse and has no semicolon, for a plan", () => {
    const plans: [string, string][] = [
      ["-- Rollback: restore from backup", "restore from backup"],
      ["-- rollback: not reversible", "not reversible"],
      ["/* Down: manual */", "manual"],
      ["-- Rollback:\n-- restore from the nightly backup,\n-- then replay the queue", "restore from the nightly backup, then replay the queue"],
      ["-- Rollback:\n/* nothing to do */", "nothing to do"],
      ["-- Rollback: drop the column by hand", "drop the column by hand"],
      ["-- Rollback plan: ask the DBA on call", "ask the DBA on call"],
      ["/*\n == Undo ==\n create a backup first, then restore it\n*/", "create a backup first, then restore it"],
    ];
    for (const [comment, plan] of plans) expect(planBlock(`ALTER TABLE users ADD COLUMN tier text;\n${comment}\n`).plan, comment).toBe(plan);
  });

  it("takes SQL that fails to parse but has a semicolon for broken SQL, not a plan", () => {
    expect(sqlBlock("SELECT 1;\n-- Rollback: DROP TABEL x;").parsed.errors.map((e) => e.message)).toEqual(['syntax error at or near "TABEL"']);
  });

  it("takes no comment that merely starts with the word for a heading", () => {
    const prose = [
      "-- ROLLBACK SAFETY: the old column stays until the next release\n-- so that the previous version keeps working.",
      "-- We mark the members we sent to, then\n-- down the members we already sent a reminder to.",
      "-- undo the damage of 011",
      "-- Revert seattleflu/schema:receiving/scan from pg\n-- requires: receiving",
      "-- Revert to previous definition (keeps BIGINT to avoid a rewrite)",
      "-- Down migration is a no-op: the data cannot be restored",
      "/* revert the defaults; the app sets them */",
      "-- we scale the workers\n-- down\n-- when the queue is empty",
      "-- down-grade path: none",
    ];
    for (const comment of prose) expect(findRollbackBlock(parseFile(`ALTER TABLE users ADD COLUMN tier text;\n${comment}\n`)), comment).toBeUndefined();
  });

  it("still finds the heading on a comment's own line inside a paragraph when it has a colon", () => {
    expect(sqlBlock("CREATE TABLE t (id int);\n-- Adds t.\n-- Rollback:\n-- DROP TABLE t;").parsed.statements.map((s) => s.text)).toEqual(["DROP TABLE t"]);
  });
});

describe("findPartner: a rollback file needs its forward migration beside it", () => {
  it("takes a file named like a rollback, without its forward migration, for a forward migration", () => {
    expect(findPartner("db/012_users_no_rollback.sql", existing())).toEqual({ role: "forward", partnerPath: undefined });
    expect(findPartner("db/012_users_no_rollback.sql", existing("db/012_users_no.sql"))).toEqual({ role: "rollback", partnerPath: "db/012_users_no.sql" });
    expect(findPartner("m/2019_x/down.sql", existing()).role).toBe("forward");
    expect(findPartner("m/1_cool-down.sql", existing()).role).toBe("forward");
    expect(findPartner("db/1_a.undo.sql", existing(), ["{name}.undo.sql"]).role).toBe("forward");
    expect(findPartner("db/1_a.undo.sql", existing("db/1_a.sql"), ["{name}.undo.sql"])).toEqual({ role: "rollback", partnerPath: "db/1_a.sql" });
  });
});
