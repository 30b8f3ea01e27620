import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-type.js";
import { expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings, docsSql } = ruleTestKit(rule);

const CREATE = "CREATE TYPE order_status AS ENUM ('pending', 'paid')";

describe("drop-type", () => {
  it("reports DROP TYPE at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP TYPE order_status;")).toEqual([at(2, 1, 2, 23)]);
  });

  it("names the type, what breaks, the safe failure without CASCADE and the missing table lock", () => {
    const result = lintSql("DROP TYPE IF EXISTS app.order_status, mood;", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 43)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP TYPE app\.order_status, mood removes the types: /);
    expect(explanation).toContain("casts such as '…'::app.order_status");
    expect(explanation).toContain("Without CASCADE it fails while a column, function or other type still uses one of them, which keeps the data safe.");
    expect(explanation).toContain("It takes no table lock");
    expect(help).toBe("Deploy code that no longer uses app.order_status, then drop it in a later release");
    expect(explanation).toContain("ALTER TYPE app.order_status ADD VALUE '…';");
  });

  it("reports DROP DOMAIN in its own words", () => {
    const { explanation, help } = lintSql("DROP DOMAIN email_address;", { rules: [rule] }).findings[0]!;
    expect(explanation).toMatch(/^DROP DOMAIN email_address removes the domain: /);
    expect(explanation).toContain("ALTER DOMAIN email_address ADD CONSTRAINT … CHECK (…) NOT VALID;");
    expect(help).toBe("Deploy code that no longer uses email_address, then drop it in a later release");
  });

  it("says loudly that CASCADE deletes the columns of that type and their data", () => {
    const result = lintSql("DROP TYPE order_status CASCADE;", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 31)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP TYPE order_status CASCADE deletes data: it drops every table column of that type/);
    expect(explanation).toContain("with all its values, for good");
    expect(explanation).toContain("locked ACCESS EXCLUSIVE, briefly (it is not rewritten)");
    expect(help).toMatch(/^Leave out CASCADE/);
  });

  it("reports CASCADE even when the type is re-created in the same transaction", () => {
    const sql = `BEGIN;\nDROP TYPE order_status CASCADE;\n${CREATE};\nCOMMIT;`;
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 31)]);
    expect(result.findings[0]!.explanation).toContain("The CREATE of order_status later in this file brings back the type, not the columns or their data.");
  });

  it("does not report a type created earlier in the file, even with CASCADE, or given its name by an earlier rename", () => {
    expect(findingsOf(rule, `${CREATE};\nDROP TYPE order_status CASCADE;`)).toEqual([]);
    expect(findingsOf(rule, "CREATE DOMAIN positive AS int CHECK (VALUE > 0);\nDROP DOMAIN positive;")).toEqual([]);
    expect(findingsOf(rule, "CREATE TYPE pair AS (a int, b int);\nCREATE TYPE shell;\nDROP TYPE pair, shell;")).toEqual([]);
    expect(findingsOf(rule, "ALTER TYPE order_status RENAME TO order_status_old;\nDROP TYPE order_status_old;")).toEqual([]);
  });

  it("does not report a rollback dropping what its forward migration created", () => {
    const files = { "db/007_status.sql": `${CREATE};` };
    const filePath = "db/007_status_rollback.sql";
    expect(findingsOf(rule, "DROP TYPE order_status;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "DROP TYPE mood;", { filePath, files })).toEqual([at(1, 1, 1, 15)]);
  });

  it("does not report a replacement without CASCADE in one transaction", () => {
    expect(findingsOf(rule, `BEGIN;\nDROP TYPE order_status;\n${CREATE};\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, "BEGIN;\nDROP DOMAIN d;\nALTER DOMAIN d_new RENAME TO d;\nCOMMIT;")).toEqual([]);
    expect(findingsOf(rule, "BEGIN;\nDROP TYPE t;\nCREATE TYPE t;\nCOMMIT;")).toEqual([]);
  });

  it("reports a replacement outside a transaction, and follows assumeInTransaction", () => {
    const sql = `DROP TYPE order_status;\n${CREATE};`;
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 23)]);
    expect(result.findings[0]!.explanation).toContain("leaves no type of that name until a later statement of this file creates it again outside this transaction");
    expect(result.findings[0]!.help).toContain(`BEGIN; DROP TYPE order_status; CREATE TYPE order_status …; COMMIT;`);
    expect(withSettings(sql, { assumeInTransaction: true })).toEqual([]);
  });

  it("does not report other DROPs, or text in comments and strings", () => {
    const sql = "DROP TABLE order_status;\nALTER TYPE mood DROP ATTRIBUTE a;\n-- DROP TYPE mood CASCADE;\nSELECT 'DROP TYPE mood';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DROP TYPE run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DROP TYPE mood;\nEND\n$$;")).toEqual([at(3, 3, 3, 17)]);
  });

  it("reports the docs page's example and not its safe alternatives", () => {
    for (const sql of docsSql("Example")) expect(findingsOf(rule, sql)).toHaveLength(1);
    for (const sql of docsSql("Use instead")) expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("drop-type: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DROP TYPE order_status CASCADE;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP TYPE order_status CASCADE drops every column of that type with its data");
    expect(finding!.help).toBe("Leave out CASCADE; move each column off order_status first (ALTER TABLE … ALTER COLUMN … TYPE text USING …::text), or drop it after a backup");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DROP TYPE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t CASCADE;",
      "DROP DOMAIN nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_d;",
      "DROP TYPE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t;\nCREATE TYPE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t AS ENUM ('a');",
    ];
    expectFitsOnALine(rule, statements);
  });
});
