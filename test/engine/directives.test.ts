import { describe, expect, it } from "vitest";
import dropTable from "../../rules/drop-table.js";
import truncate from "../../rules/truncate.js";
import { lintSql } from "../helpers.js";
import { lintSource, type FileAccess } from "../../src/engine/lint-source.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const noFiles: FileAccess = { exists: () => false, read: () => undefined };

const found = (sql: string) =>
  lintSql(sql, { rules: [dropTable, truncate], settings: { requireIgnoreReason: false } }).findings.map((f) => `${f.ruleId}@${f.loc.start.line}`);

describe("inline ignores", () => {
  it("migsafe-ignore covers the next statement only, even across lines", () => {
    expect(found("-- migsafe-ignore drop-table: ok\nDROP TABLE\n  a;\nDROP TABLE b;")).toEqual(["drop-table@4"]);
  });

  it("migsafe-ignore covers only the rules it names", () => {
    expect(found("-- migsafe-ignore truncate: ok\nDROP TABLE a;\n-- migsafe-ignore truncate, drop-table: ok\nDROP TABLE b;")).toEqual(["drop-table@2"]);
  });

  it("migsafe-ignore-file covers the whole file", () => {
    expect(found("DROP TABLE a;\n-- migsafe-ignore-file drop-table: decommissioning\nDROP TABLE b;\nTRUNCATE c;")).toEqual(["truncate@4"]);
  });

  it("eslint-disable-next-line and eslint-disable-line cover one line", () => {
    expect(found("-- eslint-disable-next-line migsafe/drop-table\nDROP TABLE a; DROP TABLE b;\nDROP TABLE c;")).toEqual(["drop-table@3"]);
    expect(found("DROP TABLE a; -- eslint-disable-line migsafe/drop-table\nDROP TABLE b;")).toEqual(["drop-table@2"]);
  });

  it("eslint-disable … eslint-enable covers a region", () => {
    expect(found("/* eslint-disable migsafe/drop-table */\nDROP TABLE a;\n/* eslint-enable migsafe/drop-table */\nDROP TABLE b;")).toEqual(["drop-table@4"]);
    expect(found("/* eslint-disable */\nDROP TABLE a;\nTRUNCATE b;")).toEqual([]);
  });

  it("ignores text that merely mentions a directive", () => {
    expect(found("-- see migsafe-ignore docs\nDROP TABLE a;\nSELECT '-- migsafe-ignore drop-table: x';\nDROP TABLE b;")).toEqual(["drop-table@2", "drop-table@4"]);
  });

  it("a block comment works as well as a line comment", () => {
    expect(found("/* migsafe-ignore drop-table: ok */ DROP TABLE a;")).toEqual([]);
  });
});

describe("directive scope", () => {
  const lint = (sql: string, directives: "all" | "migsafe-only") =>
    lintSource(sql, "migrations/001_test.sql", { rules: [dropTable, truncate], settings: { ...DEFAULT_SETTINGS, requireIgnoreReason: false }, directives }, noFiles).findings.map(
      (f) => `${f.ruleId}@${f.loc.start.line}`,
    );

  it('"migsafe-only" leaves eslint-disable comments to ESLint but still applies migsafe-ignore', () => {
    const sql = "-- eslint-disable-next-line migsafe/drop-table\nDROP TABLE a;\n-- migsafe-ignore truncate: ok\nTRUNCATE b;\n/* eslint-disable */\nDROP TABLE c;";
    expect(lint(sql, "all")).toEqual([]);
    expect(lint(sql, "migsafe-only")).toEqual(["drop-table@2", "drop-table@6"]);
  });
});

describe("inline ignores written by editors", () => {
  it("reads /** eslint-disable-next-line … */ (vscode-eslint's quick fix for SQL) like /* … */", () => {
    expect(found("/** eslint-disable-next-line migsafe/drop-table */\nDROP TABLE a;\nDROP TABLE b;")).toEqual(["drop-table@3"]);
  });
});
