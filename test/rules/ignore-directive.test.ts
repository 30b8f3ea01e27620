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
});
