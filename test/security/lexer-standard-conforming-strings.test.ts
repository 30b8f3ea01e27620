import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import type { A_Const, ResTarget } from "@pgsql/types";
import { parseFile } from "../../src/parser/parse-file.js";
import { nodeAs } from "../../src/parser/node-types.js";
import type { Statement } from "../../src/parser/types.js";
import { lintSql } from "../helpers.js";

// With standard_conforming_strings off, PostgreSQL reads '\'' as a string holding one quote. Read with the setting
// on (libpg-query's, and migsafe's before 0b80492 was fixed), the same text opens a string that swallows the next
// statements: the DROP TABLE went unreported while psql on PostgreSQL 15 dropped the table.
const ATTACK = "SET standard_conforming_strings = off;\nSELECT '\\'';\nDROP TABLE customers;\n-- '\n";

/** The DROP TABLE findings, and whether the file was refused because it splits differently as one query. */
function dropTableFindings(sql: string, settings = {}) {
  const result = lintSql(sql, { settings });
  const otherErrors = result.errors.filter((error) => !error.message.includes(TWO_READINGS));
  expect(otherErrors).toEqual([]);
  return { refused: otherErrors.length < result.errors.length, drops: result.findings.filter((finding) => finding.ruleId === "drop-table").map((finding) => finding.loc.start) };
}

const TWO_READINGS = "which statements run depends on the runner";

function selectConstants(statement: Statement | undefined): (string | undefined)[] {
  if (statement?.kind !== "SelectStmt") return [];
  return (statement.node.targetList ?? []).map((target) => {
    const value = nodeAs(target, "ResTarget")?.val;
    // N'...' is a cast to bpchar of the string.
    return (nodeAs(value, "A_Const") ?? nodeAs(nodeAs(value, "TypeCast")?.arg, "A_Const"))?.sval?.sval;
  });
}

describe("standard_conforming_strings off: strings read with backslash escapes, as PostgreSQL reads them", () => {
  it("reports the DROP TABLE that the string hid, and refuses the file: sent as one query, it runs no DROP", () => {
    // psql reads each statement after the one before it ran: the DROP runs. A runner that sends the file as one
    // query has PostgreSQL read all of it with the setting on: one SELECT. What runs depends on the runner.
    expect(dropTableFindings(ATTACK)).toEqual({ refused: true, drops: [{ line: 3, column: 1 }] });
  });

  it("reads later strings with escapes without refusing the file when both readings split it alike", () => {
    const sql = "SET standard_conforming_strings = off;\nSELECT 'a\\\\', 'b''c';\nDROP TABLE customers;\n";
    expect(dropTableFindings(sql)).toEqual({ refused: false, drops: [{ line: 3, column: 1 }] });
    expect(selectConstants(parseFile(sql).statements[1])).toEqual(["a\\", "b'c"]);
  });

  it.each([
    "SET standard_conforming_strings TO off;",
    "SET SESSION standard_conforming_strings = 'off';",
    "set Standard_Conforming_Strings = false;",
    "SET standard_conforming_strings = 0;",
    "SET standard_conforming_strings = of;",
    "SELECT set_config('standard_conforming_strings', 'off', false);",
    "SELECT pg_catalog.set_config('standard_conforming_strings', 'no', false);",
  ])("after %s", (set) => {
    expect(dropTableFindings(`${set}\nSELECT '\\'';\nDROP TABLE customers;\n-- '\n`)).toEqual({ refused: true, drops: [{ line: 3, column: 1 }] });
  });

  it.each([
    ["SET … = on", "SET standard_conforming_strings = on;"],
    ["RESET", "RESET standard_conforming_strings;"],
    ["RESET ALL", "RESET ALL;"],
    ["SET … TO DEFAULT", "SET standard_conforming_strings TO DEFAULT;"],
    ["DISCARD ALL", "DISCARD ALL;"],
  ])("reads strings with the setting on again after %s", (_label, back) => {
    // With the setting on, 'a\' is a whole string: the DROP TABLE after it runs.
    const sql = `SET standard_conforming_strings = off;\n${back}\nSELECT 'a\\';\nDROP TABLE customers;\n`;
    expect(dropTableFindings(sql)).toEqual({ refused: false, drops: [{ line: 4, column: 1 }] });
  });

  it("ends SET LOCAL with the transaction, and undoes a SET with ROLLBACK", () => {
    const local = "BEGIN;\nSET LOCAL standard_conforming_strings = off;\nSELECT '\\'';\nDROP TABLE a;\n-- '\nCOMMIT;\nSELECT 'a\\';\nDROP TABLE b;\n";
    expect(dropTableFindings(local)).toEqual({ refused: true, drops: [{ line: 4, column: 1 }, { line: 8, column: 1 }] });
    const rolledBack = "BEGIN;\nSET standard_conforming_strings = off;\nROLLBACK;\nSELECT 'a\\';\nDROP TABLE b;\n";
    expect(dropTableFindings(rolledBack)).toEqual({ refused: false, drops: [{ line: 5, column: 1 }] });
  });

  it("reads every string with escapes when the database has the setting off (standardConformingStrings: false)", () => {
    const sql = "SELECT '\\'';\nDROP TABLE customers;\n-- '\n";
    expect(dropTableFindings(sql)).toEqual({ refused: false, drops: [] });
    expect(dropTableFindings(sql, { standardConformingStrings: false })).toEqual({ refused: false, drops: [{ line: 2, column: 1 }] });
    // Sent as one query, the file reads with the database's setting (off): that SELECT's string never ends.
    expect(dropTableFindings(`SET standard_conforming_strings = on;\nSELECT 'a\\';\nDROP TABLE customers;\n`, { standardConformingStrings: false })).toEqual({
      refused: true,
      drops: [{ line: 3, column: 1 }],
    });
  });

  it("refuses a file whose statements split differently when it is sent as one query, at the first place they differ", () => {
    // Sent as one query (most runners), PostgreSQL reads the whole text with the setting on, and the DROP runs;
    // read statement by statement (psql), 'a\'; DROP …; --' is one string. migsafe cannot tell which: it refuses.
    const sql = "SET standard_conforming_strings = off;\nSELECT 'a\\'; DROP TABLE customers; --';\n";
    const result = lintSql(sql);
    expect(result.errors.map((error) => [error.message.includes("depends on the runner"), error.loc?.start])).toEqual([[true, { line: 2, column: 8 }]]);
  });

  it("gives the values PostgreSQL gives, and exact positions after a string that was read with escapes", () => {
    const text = "SELECT 'it\\'s', N'a\\\\b', 'x\\n'\n'y', é_col, 'é\\tz', tail;";
    const parsed = parseFile(text, { standardConformingStrings: false });
    expect(parsed.errors).toEqual([]);
    const select = parsed.statements[0];
    expect(selectConstants(select)).toEqual(["it's", "a\\b", "x\ny", undefined, "é\tz", undefined]);
    const targets = select?.kind === "SelectStmt" ? (select.node.targetList ?? []).map((target) => nodeAs(target, "ResTarget") as ResTarget) : [];
    expect(targets.map((target) => select!.indexOf(target.location!))).toEqual(
      ["'it", "N'a", "'x", "é_col", "'é", "tail"].map((start) => text.indexOf(start)),
    );
    const constant = nodeAs(targets[0]!.val, "A_Const") as A_Const;
    expect(select!.indexOf(constant.location!)).toBe(text.indexOf("'it"));
  });

  it("rejects U&'' strings there, with PostgreSQL's message, at the string", () => {
    const parsed = parseFile("SELECT 1;\nSELECT U&'a';\n", { standardConformingStrings: false });
    expect(parsed.errors.map((error) => [error.message, error.loc?.start])).toEqual([["unsafe use of string constant with Unicode escapes", { line: 2, column: 8 }]]);
  });

  it("reports a syntax error at its place in the file after a rewritten string", () => {
    const parsed = parseFile("SELECT 1;\nSELECT 'a\\'b\\\\' FROM WHERE;\n", { standardConformingStrings: false });
    expect(parsed.errors.map((error) => [error.message, error.loc?.start])).toEqual([['syntax error at or near "WHERE"', { line: 2, column: 22 }]]);
  });
});

const databaseUrl = process.env.MIGSAFE_TEST_DATABASE_URL;
const psql = ["/usr/lib/postgresql/15/bin/psql", "/usr/bin/psql"].find((candidate) => fs.existsSync(candidate));

describe.skipIf(!databaseUrl || !psql)("on PostgreSQL 15 with psql (MIGSAFE_TEST_DATABASE_URL)", () => {
  it("drops the table the attack hides, and migsafe reports that DROP TABLE", () => {
    const table = `migsafe_lexer_customers_${process.pid}`;
    const run = (sql: string) => execFileSync(psql!, [databaseUrl!, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], { input: sql, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    run(`CREATE TABLE ${table} (id int);`);
    const attack = ATTACK.replace("customers", table);
    run(attack);
    expect(run(`SELECT to_regclass('${table}') IS NULL AS dropped;`)).toMatch(/\bt\b/);
    expect(dropTableFindings(attack).drops).toEqual([{ line: 3, column: 1 }]);
  });
});
