import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-schema.js";
import { expectFitsOnALine, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("drop-schema", () => {
  it("reports DROP SCHEMA at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP SCHEMA reporting;")).toEqual([at(2, 1, 2, 22)]);
  });

  it("reports IF EXISTS, CASCADE and several schemas in one finding naming them", () => {
    const result = lintSql("DROP SCHEMA IF EXISTS reporting, \"Audit\" CASCADE;", { rules: [rule] });
    expect(result.findings.map((f) => f.loc)).toEqual([{ start: { line: 1, column: 1 }, end: { line: 1, column: 49 } }]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP SCHEMA reporting, "Audit" CASCADE deletes every table/);
    expect(explanation).toContain("ACCESS EXCLUSIVE");
    expect(explanation).toContain("nothing is rewritten");
    expect(help).toContain("ALTER SCHEMA reporting RENAME TO reporting_deprecated");
  });

  it("says that without CASCADE the drop fails on a schema that still holds objects", () => {
    const result = lintSql("DROP SCHEMA reporting;", { rules: [rule] });
    expect(result.findings[0]!.explanation).toContain("without CASCADE it fails if it still holds any object");
  });

  it("does not report a schema created earlier in the file, but reports the others", () => {
    expect(findingsOf(rule, "CREATE SCHEMA tmp;\nDROP SCHEMA tmp CASCADE;")).toEqual([]);
    const result = lintSql("CREATE SCHEMA tmp;\r\nDROP SCHEMA tmp, reporting;", { rules: [rule] });
    expect(result.findings.map((f) => f.loc.start)).toEqual([{ line: 2, column: 1 }]);
    expect(result.findings[0]!.explanation).toMatch(/^DROP SCHEMA reporting deletes the schema /);
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

describe("drop-schema: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DROP SCHEMA reporting CASCADE;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP SCHEMA reporting CASCADE deletes every object and row in it (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Rename it first (ALTER SCHEMA reporting RENAME TO reporting_deprecated), drop it in a later release after a backup (pg_dump --schema=reporting)");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DROP SCHEMA nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_s CASCADE;",
      "DROP SCHEMA nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a, nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b, nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_c;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
