import { describe, expect, it } from "vitest";
import rule from "../../rules/enum-add-value-in-transaction.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { docsSqlBlocks, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

function lintWith(sql: string, settings: Partial<LintSettings>) {
  return lintSql(sql, { rules: [rule], settings });
}

function findingsWith(sql: string, settings: Partial<LintSettings>) {
  return lintWith(sql, settings).findings.map(located);
}

/** The SQL blocks of a section of the rule's docs page. */
const docsSql = (section: string): string => docsSqlBlocks("enum-add-value-in-transaction", section).join("\n");

const ADD = "ALTER TYPE order_status ADD VALUE 'shipped';";
const USE = "UPDATE orders SET status = 'shipped' WHERE shipped_at IS NOT NULL;";

describe("enum-add-value-in-transaction", () => {
  it("reports each use of the new value later in the same transaction, at the string (PostgreSQL 12+)", () => {
    const sql = `BEGIN;\n${ADD}\n${USE}\nSELECT 'shipped'::order_status;\nCOMMIT;`;
    expect(findingsOf(rule, sql)).toEqual([at(3, 28, 3, 37), at(4, 8, 4, 17)]);
    const [update, cast] = lintSql(sql, { rules: [rule] }).findings;
    expect(update!.message).toBe("'shipped' fails if read as order_status: ADD VALUE on line 2 has not committed yet");
    expect(update!.explanation).toMatch(/^'shipped' is the value that ALTER TYPE order_status ADD VALUE added on line 2, in this same transaction: if PostgreSQL reads this string as a value of order_status/);
    expect(update!.explanation).toContain('"unsafe use of new value "shipped" of enum type order_status"');
    expect(update!.explanation).toContain("rolled back");
    expect(cast!.message).toBe("'shipped'::order_status fails: ADD VALUE on line 2 has not committed yet");
    expect(cast!.explanation).toMatch(/^'shipped'::order_status uses the value that ALTER TYPE order_status ADD VALUE added on line 2, in this same transaction: PostgreSQL refuses it/);
    expect(update!.help).toBe("Commit in between: ALTER TYPE order_status ADD VALUE 'shipped' in a migration of its own, the uses in a later one");
  });

  it("keeps messages within 100 characters with long names", () => {
    const type = "t".repeat(60);
    const value = "v".repeat(60);
    const add = `ALTER TYPE ${type} ADD VALUE '${value}';`;
    const use = `UPDATE orders SET status = '${value}';\nSELECT '${value}'::${type};`;
    const findings = [
      ...lintWith(`BEGIN;\n${add}\n${use}\nCOMMIT;`, {}).findings,
      ...lintWith(`BEGIN;\n${add}\nCOMMIT;`, { pgVersion: 11 }).findings,
      ...lintWith(`DO $$\nBEGIN\n  ${add}\nEND\n$$;`, { pgVersion: 11 }).findings,
    ];
    expect(findings).toHaveLength(4);
    for (const finding of findings) {
      expect(finding.message.length).toBeLessThanOrEqual(100);
      expect(finding.message).not.toContain("…");
      expect(finding.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("finds the value in any statement: INSERT, defaults, E'' strings, and statements of a DO block", () => {
    const sql = [
      "BEGIN;",
      ADD,
      "INSERT INTO orders (status) VALUES ('shipped'), (E'shipped');",
      "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'shipped';",
      "DO $$\nBEGIN\n  UPDATE orders SET status = 'shipped';\nEND\n$$;",
      "COMMIT;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(3, 37, 3, 46), at(3, 50, 3, 60), at(4, 52, 4, 61), at(7, 30, 7, 39)]);
  });

  it("does not report other strings, uses after COMMIT, or uses outside a transaction", () => {
    expect(findingsOf(rule, `BEGIN;\n${ADD}\nUPDATE orders SET status = 'Shipped';\nSELECT 'shipped_late', 1;\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, `BEGIN;\n${ADD}\nCOMMIT;\n${USE}`)).toEqual([]);
    expect(findingsOf(rule, `${ADD}\n${USE}`)).toEqual([]);
    expect(findingsOf(rule, `${USE}\nBEGIN;\n${ADD}\nCOMMIT;`)).toEqual([]);
    expect(findingsOf(rule, `BEGIN;\nALTER TYPE order_status RENAME VALUE 'sent' TO 'shipped';\n${USE}\nCOMMIT;`)).toEqual([]);
  });

  it("follows the runner's transaction (assumeInTransaction) up to an explicit COMMIT", () => {
    expect(findingsWith(`${ADD}\n${USE}`, { assumeInTransaction: true })).toEqual([at(2, 28, 2, 37)]);
    expect(lintWith(`${ADD}\n${USE}`, { assumeInTransaction: true }).findings[0]!.explanation).toContain("in this same transaction");
    expect(findingsWith(`${ADD}\nCOMMIT;\n${USE}`, { assumeInTransaction: true })).toEqual([]);
  });

  it("reports a use in the same DO block, and not after a DO block that ran on its own", () => {
    const same = "DO $$\nBEGIN\n  ALTER TYPE order_status ADD VALUE 'shipped';\n  UPDATE orders SET status = 'shipped';\nEND\n$$;";
    expect(findingsOf(rule, same)).toEqual([at(4, 30, 4, 39)]);
    const apart = `DO $$\nBEGIN\n  ALTER TYPE order_status ADD VALUE 'shipped';\nEND\n$$;\n${USE}`;
    expect(findingsOf(rule, apart)).toEqual([]);
  });

  it("orders the statements of a DO block whose body is not dollar-quoted, reporting at the DO", () => {
    const sql = "DO 'BEGIN UPDATE orders SET status = ''shipped''; ALTER TYPE order_status ADD VALUE ''shipped''; UPDATE orders SET status = ''shipped''; END';";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 142)]);
  });

  it("reports ALTER TYPE … ADD VALUE itself in a transaction before PostgreSQL 12, and nothing else", () => {
    const sql = `BEGIN;\n${ADD}\n${USE}\nCOMMIT;`;
    expect(findingsWith(sql, { pgVersion: 11 })).toEqual([at(2, 1, 2, 44)]);
    const [finding] = lintWith(sql, { pgVersion: 11 }).findings;
    expect(finding!.message).toBe("ALTER TYPE order_status ADD VALUE 'shipped' fails inside a transaction block on PostgreSQL 11");
    expect(finding!.help).toBe("Run it in a migration of its own with no transaction: ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'shipped'");
    expect(finding!.explanation).toMatch(
      /^ALTER TYPE order_status ADD VALUE 'shipped' runs inside the transaction block opened on line 1, which PostgreSQL before 12 refuses \(settings\.pgVersion is 11\): /,
    );
    expect(finding!.explanation).toContain('"ALTER TYPE ... ADD cannot run inside a transaction block"');
    expect(finding!.explanation).toContain("runner's transaction off");
    expect(findingsWith(ADD, { pgVersion: 11 })).toEqual([]);
    expect(findingsWith(ADD, { pgVersion: 10, assumeInTransaction: true })).toEqual([at(1, 1, 1, 44)]);
    expect(lintWith(ADD, { pgVersion: 10, assumeInTransaction: true }).findings[0]!.explanation).toContain("the migration runner wraps the file in");
    const inDo = "DO $$\nBEGIN\n  ALTER TYPE order_status ADD VALUE 'shipped';\nEND\n$$;";
    expect(findingsWith(inDo, { pgVersion: 11 })).toEqual([at(3, 3, 3, 46)]);
    expect(lintWith(inDo, { pgVersion: 11 }).findings[0]!.message).toContain("a DO block");
    expect(lintWith(inDo, { pgVersion: 11 }).findings[0]!.help).toContain(", outside the DO block,");
    expect(findingsWith(`BEGIN;\n${ADD}\n${USE}\nCOMMIT;`, { pgVersion: 12 })).toEqual([at(3, 28, 3, 37)]);
  });

  it("knows what an enum created earlier in the same transaction allows, by version", () => {
    const sql = `BEGIN;\nCREATE TYPE order_status AS ENUM ('new');\n${ADD}\n${USE}\nCOMMIT;`;
    expect(findingsWith(sql, { pgVersion: 11 })).toEqual([]);
    expect(findingsWith(sql, { pgVersion: 14 })).toEqual([at(4, 28, 4, 37)]);
    expect(findingsWith(sql, { pgVersion: 17 })).toEqual([]);
    const committed = `CREATE TYPE order_status AS ENUM ('new');\nBEGIN;\n${ADD}\n${USE}\nCOMMIT;`;
    expect(findingsWith(committed, { pgVersion: 11 })).toEqual([at(3, 1, 3, 44)]);
    expect(findingsWith(committed, { pgVersion: 17 })).toEqual([at(4, 28, 4, 37)]);
    const other = `BEGIN;\nCREATE TYPE audit.order_status AS ENUM ('new');\n${ADD}\nCOMMIT;`;
    expect(findingsWith(other, { pgVersion: 11 })).toEqual([at(3, 1, 3, 44)]);
  });

  it("does not report the safe alternative of the docs page, and reports its example", () => {
    expect(lintSql(docsSql("Use instead"), { rules: [rule] }).errors).toEqual([]);
    expect(findingsWith(docsSql("Use instead"), { assumeInTransaction: false })).toEqual([]);
    expect(findingsOf(rule, docsSql("Example")).length).toBeGreaterThan(0);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- statut « expédié » 🎉\r\nBEGIN;\r\nALTER TYPE order_status ADD VALUE 'expédié';\r\nUPDATE orders SET status = 'expédié';\r\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([at(4, 28, 4, 37)]);
  });

  it("does not report SQL in comments and strings", () => {
    const sql = `-- BEGIN; ${ADD} ${USE}\n/* BEGIN;\n${ADD}\n${USE} */\nSELECT 'BEGIN; ${ADD.replace(/'/g, "''")}';`;
    expect(findingsOf(rule, sql)).toEqual([]);
    expect(findingsWith(sql, { pgVersion: 10, assumeInTransaction: true })).toEqual([]);
  });
});
