import { describe, expect, it } from "vitest";
import rule from "../../rules/add-stored-generated-column.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { docsSqlBlocks, expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

function lintWith(sql: string, settings: Partial<LintSettings>) {
  return lintSql(sql, { rules: [rule], settings });
}

/** The SQL blocks of a section of the rule's docs page. */
const docsSql = (section: string): string => docsSqlBlocks("add-stored-generated-column", section).join("\n");

describe("add-stored-generated-column", () => {
  it("reports ADD COLUMN … GENERATED ALWAYS AS (…) STORED at the action, with the rewrite and the lock", () => {
    const sql = 'ALTER TABLE shop.orders ADD COLUMN total numeric(12, 2) GENERATED ALWAYS AS (price * qty + coalesce("Tax", 0)) STORED;';
    expect(findingsOf(rule, sql)).toEqual([at(1, 25, 1, 118)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(
      /^ALTER TABLE shop\.orders ADD COLUMN total numeric\(12, 2\) GENERATED ALWAYS AS \(…\) STORED computes and stores the expression for every existing row, so PostgreSQL rewrites shop\.orders: /,
    );
    expect(finding!.explanation).toContain("ACCESS EXCLUSIVE lock, which blocks every read and write of the table");
    expect(finding!.help).not.toContain("VIRTUAL");
  });

  it("gives a trigger that reads the expression's columns from NEW, and the batched backfill", () => {
    const sql = 'ALTER TABLE shop.orders ADD COLUMN total numeric(12, 2) GENERATED ALWAYS AS (price * qty + coalesce("Tax", 0)) STORED;';
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    const steps =
      "ALTER TABLE shop.orders ADD COLUMN total numeric(12, 2); " +
      'CREATE FUNCTION shop.orders_total_fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.total := (NEW.price * NEW.qty + coalesce(NEW."Tax", 0)); RETURN NEW; END $$; ' +
      "CREATE TRIGGER orders_total_fill BEFORE INSERT OR UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.orders_total_fill();";
    expect(finding!.explanation).toContain(steps);
    expect(finding!.explanation).toContain('UPDATE shop.orders SET total = (price * qty + coalesce("Tax", 0)) WHERE total IS NULL AND id BETWEEN … AND …;');
    expect(lintSql(steps, { rules: [rule] }).errors).toEqual([]);
    expect(findingsOf(rule, steps)).toEqual([]);
    const [qualified] = lintSql("ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price /* unit */ * orders.qty) STORED;", { rules: [rule] }).findings;
    expect(qualified!.explanation).toContain("NEW.total := (NEW.price * NEW.qty);");
    expect(qualified!.explanation).toContain("UPDATE orders SET total = (price * orders.qty)");
  });

  it("offers a VIRTUAL column first when the project runs PostgreSQL 18+", () => {
    const sql = "ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED;";
    const [pg18] = lintWith(sql, { pgVersion: 18 }).findings;
    expect(located(pg18!)).toEqual(at(1, 15, 1, 66));
    expect(pg18!.help).toMatch(/^Make it VIRTUAL \(no rewrite, not indexable\), or add a plain b integer/);
    expect(pg18!.explanation).toContain("If computing the value on read is acceptable, make it VIRTUAL");
    expect(pg18!.explanation).toContain("ALTER TABLE t ADD COLUMN b integer GENERATED ALWAYS AS (a * 2) VIRTUAL;");
    expect(pg18!.explanation).toContain("Otherwise, add a plain column");
    expect(lintWith(sql, { pgVersion: 17 }).findings[0]!.help).not.toContain("VIRTUAL");
  });

  it("does not report VIRTUAL generated columns (PostgreSQL 18's default), identity, or plain defaults", () => {
    const sql = [
      "ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 2) VIRTUAL;",
      "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 3);",
      "ALTER TABLE t ADD COLUMN d int GENERATED ALWAYS AS IDENTITY, ADD COLUMN e int DEFAULT 0;",
      "ALTER TABLE t ALTER COLUMN b SET EXPRESSION AS (a * 4);",
    ].join("\n");
    expect(lintWith(sql, { pgVersion: 18 }).findings).toEqual([]);
  });

  it("reports each action of a multi-action ALTER TABLE at that action", () => {
    expect(findingsOf(rule, "ALTER TABLE t ADD COLUMN b int NOT NULL GENERATED ALWAYS AS (a) STORED, ADD COLUMN c int;")).toEqual([at(1, 15, 1, 71)]);
  });

  it("reports an ALTER TABLE adding several stored generated columns once, naming them all: one rewrite", () => {
    const sql = [
      "ALTER TABLE t",
      "  ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED,",
      "  ADD COLUMN x int,",
      "  ADD COLUMN c text GENERATED ALWAYS AS (d || 'x') STORED;",
      "ALTER TABLE t ADD COLUMN e int GENERATED ALWAYS AS (a) STORED;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 4, 58), at(5, 15, 5, 62)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^ALTER TABLE t adds 2 stored generated columns \(b and c\): .* PostgreSQL rewrites t, once for all of them: /);
    expect(finding!.explanation).toContain(
      "ALTER TABLE t ADD COLUMN b integer, ADD COLUMN c text; " +
        "CREATE FUNCTION t_generated_fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.b := (NEW.a * 2); NEW.c := (NEW.d || 'x'); RETURN NEW; END $$; " +
        "CREATE TRIGGER t_generated_fill BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION t_generated_fill(); " +
        "UPDATE t SET b = (a * 2), c = (d || 'x') WHERE id BETWEEN … AND …;",
    );
    const [pg18] = lintWith(sql, { pgVersion: 18 }).findings;
    expect(pg18!.explanation).toMatch(/If computing the values on read is acceptable, make them VIRTUAL, .*: ALTER TABLE t ADD COLUMN b integer GENERATED ALWAYS AS \(a \* 2\) VIRTUAL, ADD COLUMN c text GENERATED ALWAYS AS \(d \|\| 'x'\) VIRTUAL;/);
  });

  it("does not report the safe alternative of the docs page, and reports its example", () => {
    expect(lintSql(docsSql("Use instead"), { rules: [rule] }).errors).toEqual([]);
    expect(findingsOf(rule, docsSql("Use instead"))).toEqual([]);
    expect(findingsOf(rule, docsSql("Example")).length).toBeGreaterThan(0);
  });

  it("does not report tables created earlier in the file, and reports a table created after", () => {
    expect(findingsOf(rule, "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED;")).toEqual([]);
    expect(findingsOf(rule, "ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED;\nCREATE TABLE t (a int);")).toEqual([at(1, 15, 1, 66)]);
  });

  it("reports statements run by a DO block at their place in the body", () => {
    const sql = "DO $$\nBEGIN\n  ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED;\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 17, 3, 68)]);
  });

  it("keeps positions exact after a BOM, multi-byte text and CRLF line breaks", () => {
    const sql = "\uFEFF-- colonne « b » 🎉\r\nCOMMENT ON TABLE t IS 'été';\r\nALTER TABLE t\r\n  ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED;";
    expect(findingsOf(rule, sql)).toEqual([at(4, 3, 4, 54)]);
  });

  it("does not report SQL in comments and strings", () => {
    const sql = "-- ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a) STORED;\n/* ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a) STORED; */\nSELECT 'ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a) STORED;';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("add-stored-generated-column: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("Adding stored generated column total rewrites orders to compute every row (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Add a plain total numeric filled by a trigger, and fill existing rows in batched UPDATEs");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "ALTER TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t ADD COLUMN nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_c numeric GENERATED ALWAYS AS (price * qty) STORED;",
      "ALTER TABLE nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_t ADD COLUMN nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_a int GENERATED ALWAYS AS (x) STORED, ADD COLUMN nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_b int GENERATED ALWAYS AS (y) STORED;",
    ];
    expectFitsOnALine(rule, statements);
  });
});

describe("add-stored-generated-column: many columns", () => {
  it("counts the columns when their names do not fit on a line", () => {
    const sql =
      "ALTER TABLE executions_visibility ADD COLUMN bool01 boolean GENERATED ALWAYS AS (x) STORED, " +
      "ADD COLUMN bool02 boolean GENERATED ALWAYS AS (x) STORED, ADD COLUMN keywordlist03 text GENERATED ALWAYS AS (x) STORED;";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("Adding 3 stored generated columns rewrites executions_visibility (ACCESS EXCLUSIVE)");
  });
});
