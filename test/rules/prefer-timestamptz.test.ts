import { describe, expect, it } from "vitest";
import rule from "../../rules/prefer-timestamptz.js";
import { lintSource } from "../../src/engine/lint-source.js";
import { expectDocsExamples, findingsOf, lintSql, ruleTestKit } from "../helpers.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const { at } = ruleTestKit(rule);

function withVersion(sql: string, pgVersion: number) {
  return lintSource(sql, "migrations/001_test.sql", { rules: [rule], settings: { ...DEFAULT_SETTINGS, pgVersion } }, { exists: () => false, read: () => undefined });
}

/** The ```sql blocks of the rule's docs page, under "## Example" and under "## Use instead". */
describe("prefer-timestamptz", () => {
  it("is a strict-preset design rule", () => {
    expect(rule.meta).toMatchObject({ recommended: false, category: "design", severity: "careful" });
  });

  it("reports each timestamp column of a CREATE TABLE at its definition, whatever its spelling", () => {
    const sql = [
      "CREATE TABLE events (",
      "  id bigint PRIMARY KEY,",
      "  created_at timestamp NOT NULL DEFAULT now(),",
      "  updated_at timestamp without time zone,",
      "  seen_at timestamp(3),",
      "  history timestamp[],",
      '  other "timestamp",',
      "  done_at timestamptz,",
      "  opens time",
      ");",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 3, 46), at(4, 3, 4, 41), at(5, 3, 5, 23), at(6, 3, 6, 22), at(7, 3, 7, 20)]);
  });

  it("reports ADD COLUMN and ALTER COLUMN … TYPE at the action", () => {
    const sql = "ALTER TABLE events\n  ADD COLUMN sent_at timestamp,\n  ALTER COLUMN done_at TYPE timestamp USING done_at AT TIME ZONE 'UTC',\n  ADD COLUMN ok timestamptz;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 31), at(3, 3, 3, 71)]);
  });

  it("explains what timestamp stores, what goes wrong and what changing it later costs", () => {
    const [finding] = lintSql("CREATE TABLE public.events (created_at timestamp(3));", { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^Column created_at of public\.events is timestamp\(3\) \(without time zone\): it stores a wall-clock reading, not an instant\./);
    expect(finding!.explanation).toContain("silently ignored");
    expect(finding!.explanation).toContain("rewrites public.events and its indexes under an ACCESS EXCLUSIVE lock, which blocks every read and write of the table");
    expect(finding!.explanation).toContain("Use timestamptz(3) (timestamp with time zone) instead");
    expect(finding!.explanation).toContain("declare the column as created_at timestamptz(3) in CREATE TABLE public.events");
  });

  it("gives runnable SQL for ADD COLUMN and ALTER COLUMN … TYPE", () => {
    const [add, retype] = lintSql("ALTER TABLE events ADD COLUMN sent_at timestamp[], ALTER COLUMN done_at TYPE timestamp;", { rules: [rule] }).findings;
    expect(add!.explanation).toContain("ALTER TABLE events ADD COLUMN sent_at timestamptz[];");
    expect(retype!.explanation).toMatch(/^ALTER TABLE events ALTER COLUMN done_at TYPE timestamp gives done_at the type timestamp \(without time zone\)/);
    expect(retype!.explanation).toContain("ALTER TABLE events ALTER COLUMN done_at TYPE timestamptz;");
  });

  it("mentions the catalog-only conversion under a UTC session from PostgreSQL 12 only", () => {
    const sql = "CREATE TABLE events (created_at timestamp);";
    expect(withVersion(sql, 14).findings[0]!.explanation).toContain("unless the migration's session TimeZone is UTC (PostgreSQL 12+ then only changes the catalog)");
    const old = withVersion(sql, 11).findings;
    expect(old).toHaveLength(1);
    expect(old[0]!.explanation).not.toContain("UTC");
  });

  it("reports tables created earlier in the same file: the advice is about the schema being designed", () => {
    expect(findingsOf(rule, "CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN at timestamp;")).toEqual([at(2, 15, 2, 38)]);
  });

  it("reports statements run by DO blocks", () => {
    expect(findingsOf(rule, "DO $$\nBEGIN\n  CREATE TABLE t (at timestamp);\nEND\n$$;")).toEqual([at(3, 19, 3, 31)]);
  });

  it("does not report the safe alternative, time of day, or other types", () => {
    const sql = [
      "CREATE TABLE events (a timestamptz, b timestamp with time zone, c timestamptz(3)[], d time, e time without time zone, f date, g interval, h app.timestamp);",
      "ALTER TABLE events ALTER COLUMN a TYPE timestamptz USING a AT TIME ZONE 'UTC', ADD COLUMN i timestamptz;",
      "SELECT now()::timestamp;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report temporary tables or rollbacks", () => {
    expect(findingsOf(rule, "CREATE TEMPORARY TABLE scratch (at timestamp);")).toEqual([]);
    const files = { "db/004_events.sql": "DROP TABLE events;" };
    expect(findingsOf(rule, "CREATE TABLE events (at timestamp);", { filePath: "db/004_events.down.sql", files })).toEqual([]);
  });

  it("does not report SQL in comments and strings", () => {
    expect(findingsOf(rule, "-- CREATE TABLE t (at timestamp);\nSELECT 'ALTER TABLE t ADD COLUMN at timestamp';")).toEqual([]);
  });

  it("reports the docs page's example and not its safe alternative", () => {
    expectDocsExamples(rule);
  });

  it("says in one short line what the column stores, with a one-line help", () => {
    const [created] = lintSql("CREATE TABLE public.events (created_at timestamp(3) NOT NULL);", { rules: [rule] }).findings;
    expect(created!.message).toBe("Column public.events.created_at is timestamp(3): stores wall-clock time, not an instant");
    expect(created!.help).toBe("Use created_at timestamptz(3) in CREATE TABLE public.events");
    const [add, retype] = lintSql("ALTER TABLE events ADD COLUMN sent_at timestamp[], ALTER COLUMN done_at TYPE timestamp;", { rules: [rule] }).findings;
    expect(add!.message).toBe("Column events.sent_at is timestamp[]: stores wall-clock time, not an instant");
    expect(add!.help).toBe("Use ALTER TABLE events ADD COLUMN sent_at timestamptz[]");
    expect(retype!.message).toBe("ALTER COLUMN done_at TYPE timestamp: stores wall-clock time, not an instant");
    expect(retype!.help).toBe("Use ALTER TABLE events ALTER COLUMN done_at TYPE timestamptz");
  });

  it("keeps messages within 100 characters with long names", () => {
    const n = "n".repeat(60);
    const sqls = [`CREATE TABLE ${n}.${n} (${n} timestamp(6) without time zone);`, `ALTER TABLE ${n}.${n} ADD COLUMN ${n} timestamp, ALTER COLUMN ${n} TYPE timestamp;`];
    for (const sql of sqls) {
      const { findings } = lintSql(sql, { rules: [rule] });
      expect(findings.length).toBeGreaterThan(0);
      for (const finding of findings) {
        expect(finding.message.length).toBeLessThanOrEqual(100);
        expect(finding.message).not.toContain("nnn…");
        expect(finding.help.length).toBeLessThanOrEqual(200);
      }
    }
  });
});
