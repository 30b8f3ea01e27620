import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-sequence.js";
import { expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings, docsSql } = ruleTestKit(rule);

describe("drop-sequence", () => {
  it("reports DROP SEQUENCE at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP SEQUENCE invoice_number_seq;")).toEqual([at(2, 1, 2, 33)]);
  });

  it("names the lost value, what breaks, the lock and the safe failure without CASCADE", () => {
    const result = lintSql("DROP SEQUENCE IF EXISTS app.invoice_number_seq, order_seq;", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 58)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP SEQUENCE app\.invoice_number_seq, order_seq deletes the sequences and their current value/);
    expect(explanation).toContain('Running code calling nextval on app.invoice_number_seq and order_seq fails with "relation does not exist"');
    expect(explanation).toContain("ACCESS EXCLUSIVE lock on each sequence, so it waits for every running transaction that has called nextval");
    expect(explanation).toContain("Without CASCADE it fails while a column default uses one of them");
    expect(help).toContain("ALTER SEQUENCE app.invoice_number_seq … in place");
    expect(explanation).toContain("nextval('app.invoice_number_seq')");
  });

  it("says what CASCADE drops: the column defaults using it", () => {
    const { explanation } = lintSql("DROP SEQUENCE invoice_number_seq CASCADE;", { rules: [rule] }).findings[0]!;
    expect(explanation).toContain("CASCADE also drops the column defaults that use it (DEFAULT nextval('invoice_number_seq'))");
    expect(explanation).toContain("write NULL or fail on NOT NULL");
  });

  it("reports a re-creation even in one transaction: the new sequence starts over", () => {
    const sql = "BEGIN;\nDROP SEQUENCE invoice_number_seq;\nCREATE SEQUENCE invoice_number_seq;\nCOMMIT;";
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 33)]);
    const { explanation } = result.findings[0]!;
    expect(explanation).toContain("invoice_number_seq is created again later in this file, starting over at 1, not where the old one stopped");
    expect(explanation).not.toContain("Running code calling nextval");
    const withStart = lintSql("BEGIN;\nDROP SEQUENCE s;\nCREATE SEQUENCE s START WITH 1000;\nCOMMIT;", { rules: [rule] }).findings[0]!;
    expect(withStart.explanation).toContain("starting over at the START fixed when the migration was written");
  });

  it("says when the re-creation is not in the same transaction, and follows assumeInTransaction for that", () => {
    const sql = "DROP SEQUENCE s;\nCREATE SEQUENCE s;";
    expect(lintSql(sql, { rules: [rule] }).findings[0]!.explanation).toContain("but not in the same transaction (nextval calls in between fail)");
    expect(withSettings(sql, { assumeInTransaction: true })).toEqual([at(1, 1, 1, 16)]);
  });

  it("does not report a swap by rename in one transaction, but does with CASCADE or outside a transaction", () => {
    expect(findingsOf(rule, "BEGIN;\nDROP SEQUENCE s;\nALTER SEQUENCE s_new RENAME TO s;\nCOMMIT;")).toEqual([]);
    expect(findingsOf(rule, "BEGIN;\nDROP SEQUENCE s CASCADE;\nALTER SEQUENCE s_new RENAME TO s;\nCOMMIT;")).toEqual([at(2, 1, 2, 24)]);
    const gap = lintSql("DROP SEQUENCE s;\nALTER SEQUENCE s_new RENAME TO s;", { rules: [rule] });
    expect(gap.findings.map(located)).toEqual([at(1, 1, 1, 16)]);
    expect(gap.findings[0]!.explanation).toContain("Another sequence is renamed to s later in this file, but not in the same transaction");
    expect(withSettings("DROP SEQUENCE s;\nALTER SEQUENCE s_new RENAME TO s;", { assumeInTransaction: true })).toEqual([]);
  });

  it("does not report a sequence created earlier in the file, or given its name by an earlier rename", () => {
    expect(findingsOf(rule, "CREATE SEQUENCE tmp_seq;\nDROP SEQUENCE tmp_seq;")).toEqual([]);
    expect(findingsOf(rule, "ALTER SEQUENCE s RENAME TO s_old;\nDROP SEQUENCE s_old;")).toEqual([]);
  });

  it("does not report a rollback dropping what its forward migration created", () => {
    const files = { "db/008_seq.up.sql": "CREATE SEQUENCE invoice_number_seq;" };
    const filePath = "db/008_seq.down.sql";
    expect(findingsOf(rule, "DROP SEQUENCE invoice_number_seq;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "DROP SEQUENCE order_seq;", { filePath, files })).toEqual([at(1, 1, 1, 24)]);
  });

  it("does not report other DROPs, or text in comments and strings", () => {
    const sql = "DROP TABLE s;\nALTER TABLE t ALTER COLUMN id DROP IDENTITY;\n-- DROP SEQUENCE s;\nSELECT 'DROP SEQUENCE s';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DROP SEQUENCE run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DROP SEQUENCE s;\nEND\n$$;")).toEqual([at(3, 3, 3, 18)]);
  });

  it("reports the docs page's example and not its safe alternatives", () => {
    for (const sql of docsSql("Example")) expect(findingsOf(rule, sql)).toHaveLength(1);
    for (const sql of docsSql("Use instead")) expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("drop-sequence: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("DROP SEQUENCE invoice_number_seq;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP SEQUENCE invoice_number_seq deletes it and its current value (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("To change it, ALTER SEQUENCE invoice_number_seq … in place, which keeps its value; to drop it, remove its nextval defaults first");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DROP SEQUENCE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_s CASCADE;",
      "DROP SEQUENCE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_s;\nCREATE SEQUENCE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_s;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
