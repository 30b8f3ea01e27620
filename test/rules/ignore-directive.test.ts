import { describe, expect, it } from "vitest";
import rule from "../../rules/ignore-directive.js";
import dropTable from "../../rules/drop-table.js";
import { lintSql } from "../helpers.js";

const lint = (sql: string, settings: { requireIgnoreReason?: boolean } = {}) =>
  lintSql(sql, { rules: [dropTable, rule], ...(Object.keys(settings).length ? { settings } : {}) }).findings.map((f) => [
    f.ruleId,
    f.loc.start.line,
    f.loc.start.column,
    f.loc.end.line,
    f.loc.end.column,
  ]);

describe("ignore-directive", () => {
  it("accepts an ignore with a reason that suppresses a finding", () => {
    expect(lint("-- migsafe-ignore drop-table: unused since v41\nDROP TABLE t;")).toEqual([]);
  });

  it("reports an ignore without a reason, at the comment, and still suppresses", () => {
    expect(lint("-- migsafe-ignore drop-table\nDROP TABLE t;")).toEqual([["ignore-directive", 1, 1, 1, 29]]);
  });

  it("does not ask for a reason when requireIgnoreReason is off", () => {
    expect(lint("-- migsafe-ignore drop-table\nDROP TABLE t;", { requireIgnoreReason: false })).toEqual([]);
  });

  it("reports an ignore that suppresses nothing", () => {
    expect(lint("SELECT 1;\n-- migsafe-ignore drop-table: was needed once\nSELECT 2;")).toEqual([["ignore-directive", 2, 1, 2, 46]]);
  });

  it("reports an unknown rule id, and the finding stays", () => {
    expect(lint("-- migsafe-ignore drop-tabel: typo\nDROP TABLE t;")).toEqual([
      ["ignore-directive", 1, 1, 1, 35],
      ["drop-table", 2, 1, 2, 13],
    ]);
  });

  it("checks ESLint directives naming migsafe rules the same way", () => {
    expect(lint("-- eslint-disable-next-line migsafe/drop-table -- unused since v41\nDROP TABLE t;")).toEqual([]);
    expect(lint("-- eslint-disable-next-line migsafe/drop-table\nDROP TABLE t;")).toEqual([["ignore-directive", 1, 1, 1, 47]]);
    expect(lint("-- eslint-disable-next-line other/rule\nDROP TABLE t;")).toEqual([["drop-table", 2, 1, 2, 13]]);
  });

  it("does not report an ignore of every rule for suppressing nothing (it may be meant for another tool)", () => {
    expect(lint("/* eslint-disable */\nSELECT 1;")).toEqual([["ignore-directive", 1, 1, 1, 21]]);
    expect(lint("/* eslint-disable -- generated file */\nSELECT 1;")).toEqual([]);
  });

  it("says in one short line what is wrong with the directive, with a one-line help", () => {
    const findings = (sql: string) => lintSql(sql, { rules: [dropTable, rule] }).findings.filter((f) => f.ruleId === "ignore-directive");
    const [noReason] = findings("-- migsafe-ignore drop-table\nDROP TABLE t;");
    expect(noReason!.message).toBe("migsafe-ignore drop-table gives no reason for accepting the risk");
    expect(noReason!.help).toBe("Say why it is safe here: -- migsafe-ignore drop-table: <why this is safe here>");
    expect(noReason!.explanation).toContain('"requireIgnoreReason": false');
    const [eslint] = findings("-- eslint-disable-next-line migsafe/drop-table\nDROP TABLE t;");
    expect(eslint!.help).toBe("Say why it is safe here: -- eslint-disable-next-line migsafe/drop-table -- <why this is safe here>");
    const [unused] = findings("SELECT 1;\n-- migsafe-ignore drop-table: was needed once\nSELECT 2;");
    expect(unused!.message).toBe("migsafe-ignore drop-table suppresses nothing on the next statement");
    expect(unused!.help).toBe("Remove the ignore, or move it directly above the statement it is for");
    expect(unused!.explanation).toMatch(/^drop-table reports no finding on the next statement\. /);
    const [unknown] = findings("-- migsafe-ignore drop-tabel: typo\nDROP TABLE t;");
    expect(unknown!.message).toBe('migsafe-ignore names "drop-tabel", not a migsafe rule: it suppresses nothing');
    expect(unknown!.help).toBe("Use the rule id shown with the finding (`migsafe --list-rules` lists them all)");
    expect(unknown!.explanation).toContain("the finding it was meant for is still reported");
  });

  it("keeps messages within 100 characters with long or many rule ids", () => {
    const id = "x".repeat(60);
    const sqls = [
      `-- migsafe-ignore ${id}, ${id}-b, ${id}-c: typo\nDROP TABLE t;`,
      `-- migsafe-ignore-file drop-table, ${id}\nSELECT 1;`,
      "-- eslint-disable-next-line migsafe/drop-table, migsafe/ignore-directive, migsafe/drop-table\nSELECT 1;",
    ];
    for (const sql of sqls) {
      for (const finding of lintSql(sql, { rules: [dropTable, rule] }).findings) {
        expect(finding.message.length).toBeLessThanOrEqual(100);
        expect(finding.help.length).toBeLessThanOrEqual(200);
      }
    }
    const mid = "y".repeat(20);
    const [many] = lintSql(`-- migsafe-ignore ${mid}-a, ${mid}-b, ${mid}-c: typo\nSELECT 1;`, { rules: [rule] }).findings;
    expect(many!.message).toBe(`migsafe-ignore names "${mid}-a" and 2 more, not migsafe rules: it suppresses nothing`);
  });
});
