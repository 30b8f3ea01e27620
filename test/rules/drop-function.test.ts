import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-function.js";
import { expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings, docsSql } = ruleTestKit(rule);

const CREATE_F = "CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS 'SELECT 0'";

describe("drop-function", () => {
  it("reports DROP FUNCTION at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP FUNCTION order_total(bigint);")).toEqual([at(2, 1, 2, 34)]);
  });

  it("names the function with its argument types, what breaks, and that no table is locked", () => {
    const result = lintSql("DROP FUNCTION IF EXISTS app.order_total(bigint, int), legacy_total;", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 67)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP FUNCTION app\.order_total\(bigint, integer\), legacy_total removes the functions: /);
    expect(explanation).toContain('fail with "function … does not exist" as soon as this commits');
    expect(explanation).toContain("It takes no table lock");
    expect(explanation).toContain("Without CASCADE it fails while a trigger, column default, constraint, index or view uses one of them.");
    expect(explanation).toContain("BEGIN; DROP FUNCTION app.order_total(bigint, integer); CREATE FUNCTION app.order_total(…) …; COMMIT;");
    expect(explanation).toContain("CREATE OR REPLACE FUNCTION needs no DROP");
    expect(help).toContain("CREATE OR REPLACE FUNCTION");
  });

  it("reports DROP PROCEDURE and DROP ROUTINE in their own words", () => {
    const procedure = lintSql("DROP PROCEDURE archive_orders();", { rules: [rule] }).findings[0]!;
    expect(procedure.explanation).toMatch(/^DROP PROCEDURE archive_orders\(\) removes the procedure: running code and other functions that CALL it/);
    expect(procedure.explanation).toContain("CREATE PROCEDURE archive_orders(…)");
    const routine = lintSql("DROP ROUTINE archive_orders;", { rules: [rule] }).findings[0]!;
    expect(routine.explanation).toMatch(/^DROP ROUTINE archive_orders removes the routine: /);
    expect(routine.explanation).toContain("CREATE OR REPLACE FUNCTION (or PROCEDURE) needs no DROP");
  });

  it("says what CASCADE drops: triggers, defaults, constraints, indexes, views and policies", () => {
    const { explanation, help } = lintSql("DROP FUNCTION set_updated_at() CASCADE;", { rules: [rule] }).findings[0]!;
    expect(explanation).toContain("CASCADE also silently drops everything that uses it: triggers that execute it");
    expect(explanation).toContain("column defaults (inserts then get NULL)");
    expect(explanation).toContain("row-level security policies");
    expect(help).toContain("Leave out CASCADE");
  });

  it("does not report a function created earlier in the file, or given its name by an earlier rename", () => {
    expect(findingsOf(rule, `${CREATE_F};\nDROP FUNCTION order_total(bigint);`)).toEqual([]);
    expect(findingsOf(rule, "ALTER FUNCTION order_total(bigint) RENAME TO order_total_old;\nDROP FUNCTION order_total_old(bigint);")).toEqual([]);
  });

  it("does not report a rollback dropping what its forward migration created", () => {
    const files = { "db/006_order_total.up.sql": `${CREATE_F};` };
    const filePath = "db/006_order_total.down.sql";
    expect(findingsOf(rule, "DROP FUNCTION order_total(bigint);", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "DROP FUNCTION other_total(bigint);", { filePath, files })).toEqual([at(1, 1, 1, 34)]);
  });

  it("does not report a replacement in one transaction (a new return type or parameter names)", () => {
    expect(findingsOf(rule, `BEGIN;\nDROP FUNCTION order_total(bigint);\n${CREATE_F};\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, "BEGIN;\nDROP PROCEDURE p();\nALTER PROCEDURE p_new() RENAME TO p;\nCOMMIT;")).toEqual([]);
  });

  it("reports a replacement outside a transaction, and follows assumeInTransaction", () => {
    const sql = `DROP FUNCTION order_total(bigint);\n${CREATE_F};`;
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 34)]);
    expect(result.findings[0]!.explanation).toContain("leaves no function of that name until a later statement of this file creates it again outside this transaction");
    expect(result.findings[0]!.help).toMatch(/^Run the DROP and the CREATE in one transaction/);
    expect(withSettings(sql, { assumeInTransaction: true })).toEqual([]);
  });

  it("reports a replacement with CASCADE: what used the old function is not brought back", () => {
    const sql = `BEGIN;\nDROP FUNCTION order_total(bigint) CASCADE;\n${CREATE_F};\nCOMMIT;`;
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 42)]);
    expect(result.findings[0]!.explanation).toMatch(/^DROP FUNCTION order_total\(bigint\) CASCADE is followed by a CREATE of the same name in the same transaction/);
    expect(result.findings[0]!.explanation).toContain("the new function does not bring them back");
  });

  it("does not report DROP AGGREGATE, other DROPs, or text in comments and strings", () => {
    const sql = "DROP AGGREGATE my_sum(int);\nDROP TRIGGER t ON users;\n-- DROP FUNCTION f();\nSELECT 'DROP FUNCTION f()';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DROP FUNCTION run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DROP FUNCTION f();\nEND\n$$;")).toEqual([at(3, 3, 3, 20)]);
  });

  it("reports the docs page's example and not its safe alternative", () => {
    for (const sql of docsSql("Example")) expect(findingsOf(rule, sql)).toHaveLength(1);
    for (const sql of docsSql("Use instead")) expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("drop-function: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DROP FUNCTION set_updated_at();", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP FUNCTION set_updated_at() removes a function that running code may still call");
    expect(finding!.help).toBe("Deploy code that no longer calls set_updated_at(), then drop it in a later release; for a new body, CREATE OR REPLACE FUNCTION");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DROP FUNCTION nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_f(integer, text);",
      "DROP FUNCTION nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_f() CASCADE;",
      "DROP FUNCTION nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_f();\nCREATE FUNCTION nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_f() RETURNS int LANGUAGE sql AS 'select 1';",
    ];
    expectFitsOnALine(rule, statements);
  });
});

describe("drop-function: long argument lists", () => {
  it("names the function without its argument types when the signature does not fit on a line", () => {
    const sql = "DROP FUNCTION list_paginated_payloads_for_partition_date(date, uuid, timestamptz, bigint, v1_payload_type, uuid, timestamptz, bigint);";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP FUNCTION list_paginated_payloads_for_partition_date removes a function still in use");
    expect(finding!.explanation).toContain("list_paginated_payloads_for_partition_date(date, uuid, timestamptz, bigint, v1_payload_type");
  });
});
