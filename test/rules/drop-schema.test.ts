import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-schema.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("drop-schema", () => {
  it("reports DROP SCHEMA at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP SCHEMA reporting;")).toEqual([at(2, 1, 2, 22)]);
  });

  it("reports IF EXISTS, CASCADE and several schemas in one finding naming them", () => {
    const result = lintSql("DROP SCHEMA IF EXISTS reporting, \"Audit\" CASCADE;", { rules: [rule] });
    expect(result.findings.map((f) => f.loc)).toEqual([{ start: { line: 1, column: 1 }, end: { line: 1, column: 49 } }]);
    const { message, help } = result.findings[0]!;
    expect(message).toMatch(/^DROP SCHEMA reporting, "Audit" CASCADE deletes every table/);
    expect(message).toContain("ACCESS EXCLUSIVE");
    expect(message).toContain("nothing is rewritten");
    expect(help).toContain("ALTER SCHEMA reporting RENAME TO reporting_deprecated");
  });

  it("says that without CASCADE the drop fails on a schema that still holds objects", () => {
    const result = lintSql("DROP SCHEMA reporting;", { rules: [rule] });
    expect(result.findings[0]!.message).toContain("without CASCADE it fails if it still holds any object");
  });

  it("does not report a schema created earlier in the file, but reports the others", () => {
    expect(findingsOf(rule, "CREATE SCHEMA tmp;\nDROP SCHEMA tmp CASCADE;")).toEqual([]);
    const result = lintSql("CREATE SCHEMA tmp;\r\nDROP SCHEMA tmp, reporting;", { rules: [rule] });
    expect(result.findings.map((f) => f.loc.start)).toEqual([{ line: 2, column: 1 }]);
    expect(result.findings[0]!.message).toMatch(/^DROP SCHEMA reporting deletes the schema /);
  });

  it("does not report a rollback dropping the schema its forward migration created", () => {
    const files = { "db/004_reporting.sql": "CREATE SCHEMA reporting;" };
    const filePath = "db/004_reporting_rollback.sql";
    expect(findingsOf(rule, "DROP SCHEMA reporting CASCADE;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "DROP SCHEMA billing CASCADE;", { filePath, files })).toEqual([at(1, 1, 1, 28)]);
  });

  it("does not report other DROPs or text in comments and strings", () => {
    const sql = "DROP TABLE reporting.t;\nDROP TYPE reporting.kind;\n-- DROP SCHEMA s;\n/* DROP SCHEMA s CASCADE; */\nSELECT 'DROP SCHEMA s';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DROP SCHEMA run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DROP SCHEMA reporting CASCADE;\nEND\n$$;")).toEqual([at(3, 3, 3, 32)]);
  });
});
