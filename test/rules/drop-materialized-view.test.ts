import { describe, expect, it } from "vitest";
import rule from "../../rules/drop-materialized-view.js";
import { expectFitsOnALine, findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at, withSettings, docsSql } = ruleTestKit(rule);

const CREATE = "CREATE MATERIALIZED VIEW monthly AS SELECT date_trunc('month', paid_at) AS month, sum(amount) FROM payments GROUP BY 1";

describe("drop-materialized-view", () => {
  it("reports DROP MATERIALIZED VIEW at the statement", () => {
    expect(findingsOf(rule, "SELECT 1;\nDROP MATERIALIZED VIEW monthly;")).toEqual([at(2, 1, 2, 31)]);
  });

  it("names what breaks, the stored rows, the lock, and the side-by-side swap with the real names", () => {
    const result = lintSql('DROP MATERIALIZED VIEW IF EXISTS app."Monthly";', { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 47)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP MATERIALIZED VIEW app\."Monthly" removes the materialized view and its stored rows: /);
    expect(explanation).toContain('fails with "relation does not exist" as soon as this commits');
    expect(explanation).toContain("ACCESS EXCLUSIVE lock");
    expect(explanation).toContain("no table is rewritten");
    expect(help).toContain('build app."Monthly_new" and swap names');
    expect(explanation).toContain(
      'CREATE MATERIALIZED VIEW app."Monthly_new" AS …; and its indexes, then BEGIN; ALTER MATERIALIZED VIEW app."Monthly" RENAME TO "Monthly_old"; ' +
        'ALTER MATERIALIZED VIEW app."Monthly_new" RENAME TO "Monthly"; COMMIT; and DROP MATERIALIZED VIEW app."Monthly_old";',
    );
  });

  it("reports several materialized views and CASCADE in one finding", () => {
    const result = lintSql("DROP MATERIALIZED VIEW monthly, weekly CASCADE;", { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 47)]);
    expect(result.findings[0]!.explanation).toMatch(/^DROP MATERIALIZED VIEW monthly, weekly removes the materialized views and their stored rows/);
    expect(result.findings[0]!.explanation).toContain("CASCADE also silently drops every view and materialized view built on monthly and weekly");
  });

  it("does not report one created earlier in the file, or given its name by an earlier rename", () => {
    expect(findingsOf(rule, `${CREATE};\nDROP MATERIALIZED VIEW monthly;`)).toEqual([]);
    expect(findingsOf(rule, "ALTER MATERIALIZED VIEW monthly RENAME TO monthly_old;\nDROP MATERIALIZED VIEW monthly_old;")).toEqual([]);
  });

  it("does not report a rollback dropping what its forward migration created", () => {
    const files = { "db/005_monthly.sql": `${CREATE};` };
    const filePath = "db/005_monthly_rollback.sql";
    expect(findingsOf(rule, "DROP MATERIALIZED VIEW monthly;", { filePath, files })).toEqual([]);
    expect(findingsOf(rule, "DROP MATERIALIZED VIEW weekly;", { filePath, files })).toEqual([at(1, 1, 1, 30)]);
  });

  it("reports a rebuild in one transaction: reads wait while the new query runs", () => {
    const sql = `BEGIN;\nDROP MATERIALIZED VIEW monthly;\n${CREATE};\nCOMMIT;`;
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 31)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toContain("the dropped one stays locked ACCESS EXCLUSIVE until the transaction commits, so every read of it waits while the new query runs in full");
    expect(help).toContain("REFRESH MATERIALIZED VIEW CONCURRENTLY monthly");
    expect(explanation).toContain("REFRESH MATERIALIZED VIEW CONCURRENTLY monthly; needs no DROP");
  });

  it("does not claim a gap or a wait for a rebuild when nothing says whether the runner wraps the file: it names both outcomes", () => {
    const sql = `DROP MATERIALIZED VIEW monthly;\n${CREATE};`;
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 31)]);
    const { explanation, help } = result.findings[0]!;
    expect(explanation).toMatch(/^DROP MATERIALIZED VIEW monthly is followed by a CREATE of it later in this file, and nothing says whether the runner runs the file in one transaction/);
    expect(explanation).toContain("If it does, the dropped one stays locked ACCESS EXCLUSIVE until the transaction commits, so every read of it waits while the new query runs in full");
    expect(explanation).toContain('if it does not, reads fail with "relation does not exist" until the CREATE is done.');
    expect(explanation).not.toContain("outside this transaction");
    expect(help).toBe("Build monthly_new beside monthly and swap the names in one short transaction");
    expect(explanation).toContain("ALTER MATERIALIZED VIEW monthly_new RENAME TO monthly;");
    expect(withSettings(sql, { assumeInTransaction: true }).length).toBe(1);
    expect(lintSql(sql, { rules: [rule], settings: { assumeInTransaction: true } }).findings[0]!.explanation).toContain("is followed by a CREATE of it in the same transaction");
    const known = lintSql(`-- +goose NO TRANSACTION\n-- +goose Up\n${sql}`, { rules: [rule] }).findings[0]!.explanation;
    expect(known).toContain("leaves nothing of that name until a later statement of this file creates it again outside this transaction");
    const committed = lintSql(`DROP MATERIALIZED VIEW monthly;\nBEGIN;\n${CREATE};\nCOMMIT;`, { rules: [rule] }).findings[0]!.explanation;
    expect(committed).toContain("outside this transaction");
  });

  it("says reads fail when the rebuild is WITH NO DATA and not refreshed in the transaction", () => {
    const unpopulated = `BEGIN;\nDROP MATERIALIZED VIEW monthly;\n${CREATE} WITH NO DATA;\nCOMMIT;`;
    const explanation = lintSql(unpopulated, { rules: [rule] }).findings[0]!.explanation;
    expect(explanation).toContain('reads fail with "materialized view … has not been populated" until REFRESH MATERIALIZED VIEW runs');
    const refreshed = `BEGIN;\nDROP MATERIALIZED VIEW monthly;\n${CREATE} WITH NO DATA;\nREFRESH MATERIALIZED VIEW monthly;\nCOMMIT;`;
    expect(lintSql(refreshed, { rules: [rule] }).findings[0]!.explanation).toContain("waits while the new query runs in full");
  });

  it("does not report a swap by rename, or a plain view taking the name, in the same transaction", () => {
    const swap = "BEGIN;\nDROP MATERIALIZED VIEW monthly;\nALTER MATERIALIZED VIEW monthly_new RENAME TO monthly;\nCOMMIT;";
    expect(findingsOf(rule, swap)).toEqual([]);
    const view = "BEGIN;\nDROP MATERIALIZED VIEW monthly;\nCREATE VIEW monthly AS SELECT * FROM monthly_totals;\nCOMMIT;";
    expect(findingsOf(rule, view)).toEqual([]);
  });

  it("reports a swap with CASCADE: the views built on it are not brought back", () => {
    const sql = "BEGIN;\nDROP MATERIALIZED VIEW monthly CASCADE;\nALTER MATERIALIZED VIEW monthly_new RENAME TO monthly;\nCOMMIT;";
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(2, 1, 2, 39)]);
    expect(result.findings[0]!.explanation).toMatch(/^DROP MATERIALIZED VIEW monthly CASCADE is followed by its replacement in the same transaction/);
  });

  it("reports a replacement outside a transaction as a gap, and follows assumeInTransaction", () => {
    const sql = "DROP MATERIALIZED VIEW monthly;\nALTER MATERIALIZED VIEW monthly_new RENAME TO monthly;";
    const result = lintSql(sql, { rules: [rule] });
    expect(result.findings.map(located)).toEqual([at(1, 1, 1, 31)]);
    expect(result.findings[0]!.explanation).toContain("leaves nothing of that name until a later statement of this file creates it again outside this transaction");
    expect(withSettings(sql, { assumeInTransaction: true })).toEqual([]);
  });

  it("does not report other DROPs, or text in comments and strings", () => {
    const sql = "DROP VIEW monthly;\nDROP TABLE monthly;\n-- DROP MATERIALIZED VIEW monthly;\nSELECT 'DROP MATERIALIZED VIEW monthly';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports DROP MATERIALIZED VIEW run by a DO block at its place in the body", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  DROP MATERIALIZED VIEW monthly;\nEND\n$$;")).toEqual([at(3, 3, 3, 33)]);
  });

  it("reports the docs page's example and not its safe alternative", () => {
    for (const sql of docsSql("Example")) expect(findingsOf(rule, sql)).toHaveLength(1);
    for (const sql of docsSql("Use instead")) expect(findingsOf(rule, sql)).toEqual([]);
  });
});

describe("drop-materialized-view: one-line message and help", () => {
  it("writes a short message and a one-line help with the statement's names", () => {
    const [finding] = lintSql("BEGIN;\nDROP MATERIALIZED VIEW monthly_revenue;\nCREATE MATERIALIZED VIEW monthly_revenue AS SELECT 1;\nCOMMIT;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("DROP MATERIALIZED VIEW monthly_revenue blocks reads while it is recomputed (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Build monthly_revenue_new beside it and swap the names; for stale rows, REFRESH MATERIALIZED VIEW CONCURRENTLY monthly_revenue");
    expect(finding!.explanation).toBeTruthy();
  });

  it("keeps the message within 100 characters and the help on one line with 60-character names", () => {
    const statements = [
      "DROP MATERIALIZED VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_m CASCADE;",
      "BEGIN;\nDROP MATERIALIZED VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_m;\nCREATE MATERIALIZED VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_m AS SELECT 1 WITH NO DATA;\nCOMMIT;",
      "DROP MATERIALIZED VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_m;\nCREATE MATERIALIZED VIEW nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn_m AS SELECT 1;",
    ];
    expectFitsOnALine(rule, statements);
  });
});
