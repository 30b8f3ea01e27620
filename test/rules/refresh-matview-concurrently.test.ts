import { describe, expect, it } from "vitest";
import rule from "../../rules/refresh-matview-concurrently.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

describe("refresh-matview-concurrently", () => {
  it("reports REFRESH MATERIALIZED VIEW at the statement", () => {
    const sql = "SELECT 1;\nREFRESH MATERIALIZED VIEW daily_totals;\nrefresh materialized view\n  app.\"Totals\" with data;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 39), at(3, 1, 4, 25)]);
  });

  it("says in one line that the refresh blocks the view's readers, with the lock, and gives CONCURRENTLY as help", () => {
    const [finding] = lintSql("REFRESH MATERIALIZED VIEW daily_revenue;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("REFRESH MATERIALIZED VIEW daily_revenue blocks its readers for the whole refresh (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Use REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue, with a unique index on daily_revenue over the columns that identify a row");
    const [quoted] = lintSql('REFRESH MATERIALIZED VIEW app."Totals";', { rules: [rule] }).findings;
    expect(quoted!.explanation).toBe(
      'The ACCESS EXCLUSIVE lock on app."Totals" is held for the whole refresh: the view\'s query runs again from scratch ' +
        '(as long as that query takes: minutes for a heavy aggregate), its result is written into new storage that replaces the old, and every query that reads app."Totals" waits until it is done. ' +
        'It first waits for the queries already reading app."Totals", and every read that arrives meanwhile queues behind it. ' +
        "REFRESH MATERIALIZED VIEW CONCURRENTLY takes an EXCLUSIVE lock instead, which lets plain reads of the view go on, and applies only the rows that changed; " +
        'it needs a UNIQUE index on app."Totals" over plain columns (no expression, no WHERE clause), such as CREATE UNIQUE INDEX CONCURRENTLY ON app."Totals" (…);, ' +
        "and the view must already be populated.",
    );
    expect(finding!.fix).toBeUndefined();
  });

  it("reports WITH NO DATA for what it breaks: every read of the view fails until the next refresh", () => {
    const [finding] = lintSql("REFRESH MATERIALIZED VIEW totals WITH NO DATA;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("REFRESH MATERIALIZED VIEW totals WITH NO DATA makes every read of totals fail until refreshed");
    expect(finding!.help).toBe("If anything reads totals, use REFRESH MATERIALIZED VIEW CONCURRENTLY totals; if nothing does, DROP MATERIALIZED VIEW IF EXISTS totals");
    expect(finding!.explanation).toContain('(ERROR: materialized view "totals" has not been populated)');
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_view_that_keeps_going_and_on_";
    for (const sql of [`REFRESH MATERIALIZED VIEW analytics.${long};`, `REFRESH MATERIALIZED VIEW ${long} WITH NO DATA;`]) {
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message.length).toBeLessThanOrEqual(100);
      expect(finding!.help.length).toBeLessThanOrEqual(200);
    }
  });

  it("reports a refresh inside a transaction block or a DO block the same way: the lock is the same", () => {
    const sql = "BEGIN;\nREFRESH MATERIALIZED VIEW totals;\nCOMMIT;\nDO $$\nBEGIN\n  REFRESH MATERIALIZED VIEW totals;\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 33), at(6, 3, 6, 35)]);
  });

  it("does not report the safe alternative: REFRESH MATERIALIZED VIEW CONCURRENTLY, in or out of a transaction", () => {
    const sql =
      "CREATE UNIQUE INDEX CONCURRENTLY totals_day_key ON totals (day);\nREFRESH MATERIALIZED VIEW CONCURRENTLY totals;\n" +
      "BEGIN;\nREFRESH MATERIALIZED VIEW CONCURRENTLY app.totals WITH DATA;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report a view created earlier in the file, with or without data", () => {
    const sql =
      "CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n WITH NO DATA;\nREFRESH MATERIALIZED VIEW totals;\n" +
      "CREATE MATERIALIZED VIEW app.sums AS SELECT 1 AS n;\nREFRESH MATERIALIZED VIEW app.sums WITH NO DATA;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports a view created after the refresh, or in another schema", () => {
    const sql = "REFRESH MATERIALIZED VIEW later;\nCREATE MATERIALIZED VIEW later AS SELECT 1;\nCREATE MATERIALIZED VIEW app.t AS SELECT 1;\nREFRESH MATERIALIZED VIEW t;";
    expect(findingsOf(rule, sql)).toEqual([at(1, 1, 1, 32), at(4, 1, 4, 28)]);
  });

  it("does not report text in comments and strings", () => {
    const sql = "-- REFRESH MATERIALIZED VIEW totals;\n/* REFRESH MATERIALIZED VIEW totals; */\nSELECT 'REFRESH MATERIALIZED VIEW totals';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });
});
