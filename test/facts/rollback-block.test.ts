import { describe, expect, it } from "vitest";
import path from "node:path";
import { downSectionStart, findPartner, findRollbackBlock } from "../../src/facts/rollback-block.js";
import { parseFile } from "../../src/parser/parse-file.js";

const existing = (...files: string[]) => (file: string) => files.map((f) => path.normalize(f)).includes(path.normalize(file));

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

  it("does not take a name that merely ends in 'up' or 'down' for a pair", () => {
    expect(findPartner("m/cleanup.sql", existing("m/cleandown.sql")).role).toBe("forward");
    expect(findPartner("m/slowdown.sql", existing()).role).toBe("forward");
  });
});

describe("findRollbackBlock", () => {
  it("finds a block comment headed by a rollback line comment, positions in the file", () => {
    const parsed = parseFile("ALTER TABLE users ADD COLUMN premium_tier text;\n\n-- Rollback:\n/*\nBEGIN;\nALTER TABLE users DROP COLUMN premium_tier;\nCOMMIT;\n*/\n");
    const block = findRollbackBlock(parsed)!;
    expect(block.parsed.statements.map((s) => [s.kind, s.loc.start.line, s.loc.start.column])).toEqual([
      ["TransactionStmt", 5, 1],
      ["AlterTableStmt", 6, 1],
      ["TransactionStmt", 7, 1],
    ]);
    expect(parsed.source.position(block.range.start)).toEqual({ line: 3, column: 1 });
  });

  it("finds a block comment whose first line is the heading", () => {
    const block = findRollbackBlock(parseFile("CREATE TABLE t (id int);\n/* ROLLBACK\nDROP TABLE t;\n*/"))!;
    expect(block.parsed.statements.map((s) => s.text)).toEqual(["DROP TABLE t"]);
    expect(block.parsed.errors).toEqual([]);
  });

  it("finds a run of line comments headed by 'down'", () => {
    const block = findRollbackBlock(parseFile("CREATE TABLE t (id int);\n-- down:\n-- DROP TABLE t;\n--   DROP TYPE e;\n"))!;
    expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([
      ["DROP TABLE t", 3, 4],
      ["DROP TYPE e", 4, 6],
    ]);
  });

  it("reports a rollback block that does not parse at the exact place in the comment", () => {
    const block = findRollbackBlock(parseFile("SELECT 1;\n/* rollback:\n  ALTER TABLE users DROP COLUM x;\n*/"))!;
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
    const block = findRollbackBlock(parseFile("SELECT 1;\n/* Rollback: DROP TABLE x; */"))!;
    expect(block.parsed.errors).toEqual([]);
    expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([["DROP TABLE x", 2, 14]]);
  });
});

describe("findRollbackBlock: the heading after empty or decorated lines", () => {
  for (const eol of ["\n", "\r\n", "\r"]) {
    it(`skips a heading line without SQL (${JSON.stringify(eol)})`, () => {
      const parsed = parseFile(["DROP TABLE legacy;", "/*", "Rollback: restore from backup", "*/", ""].join(eol));
      const block = findRollbackBlock(parsed)!;
      expect(block.parsed.statements).toEqual([]);
      expect(block.parsed.errors).toEqual([]);
      expect(parsed.source.position(block.range.start)).toEqual({ line: 2, column: 1 });
    });

    it(`parses the SQL under a heading that follows an empty line (${JSON.stringify(eol)})`, () => {
      const block = findRollbackBlock(parseFile(["CREATE TABLE t (id int);", "/*", "", " == Undo ==", "DROP TABLE t;", "*/"].join(eol)))!;
      expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([["DROP TABLE t", 5, 1]]);
    });

    it(`parses SQL on the heading's line after an empty first line (${JSON.stringify(eol)})`, () => {
      const block = findRollbackBlock(parseFile(["SELECT 1;", "/*", "down: DROP TABLE x;", "*/"].join(eol)))!;
      expect(block.parsed.statements.map((s) => [s.text, s.loc.start.line, s.loc.start.column])).toEqual([["DROP TABLE x", 3, 7]]);
    });
  }
});
