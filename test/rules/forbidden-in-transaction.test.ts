import { describe, expect, it } from "vitest";
import rule from "../../rules/forbidden-in-transaction.js";
import type { LintSettings } from "../../src/engine/rule.js";
import { findingsOf, lintSql, located, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

function withSettings(sql: string, settings: Partial<LintSettings>) {
  return lintSql(sql, { rules: [rule], settings }).findings;
}

describe("forbidden-in-transaction", () => {
  it("knows where the file's runner runs a statement that refuses a transaction", () => {
    const index = "CREATE INDEX CONCURRENTLY i ON t (a);";
    // A query of one statement, and a Flyway script of refused statements only, run outside any transaction.
    expect(withSettings(index, { runner: "prisma" })).toEqual([]);
    expect(withSettings(`${index}\nVACUUM t;`, { runner: "flyway" })).toEqual([]);
    // One query of two statements is one implicit transaction; Drizzle runs every migration in its transaction.
    expect(withSettings(`SET lock_timeout = '1s';\n${index}`, { runner: "prisma" }).map(located)).toEqual([at(2, 1, 2, 37)]);
    expect(withSettings(index, { runner: "drizzle" })[0]!.explanation).toContain("Drizzle's migrator runs the pending migrations in one transaction");
  });

  it("reports each refused statement inside a BEGIN … COMMIT block at the statement", () => {
    const sql = [
      "BEGIN;",
      "CREATE INDEX CONCURRENTLY i ON t (a);",
      "DROP INDEX CONCURRENTLY IF EXISTS s.j;",
      "REINDEX INDEX CONCURRENTLY k;",
      "ALTER TABLE p DETACH PARTITION p_2020 CONCURRENTLY;",
      "VACUUM t;",
      "CLUSTER;",
      "CREATE DATABASE d;",
      "DROP DATABASE d;",
      "CREATE TABLESPACE ts LOCATION '/data';",
      "DROP TABLESPACE ts;",
      "ALTER SYSTEM SET work_mem = '64MB';",
      "ALTER DATABASE d SET TABLESPACE ts;",
      "REINDEX SCHEMA app;",
      "COMMIT;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([
      at(2, 1, 2, 37),
      at(3, 1, 3, 38),
      at(4, 1, 4, 29),
      at(5, 15, 5, 51),
      at(6, 1, 6, 9),
      at(7, 1, 7, 8),
      at(8, 1, 8, 18),
      at(9, 1, 9, 16),
      at(10, 1, 10, 38),
      at(11, 1, 11, 19),
      at(12, 1, 12, 35),
      at(13, 1, 13, 35),
      at(14, 1, 14, 19),
    ]);
  });

  it("quotes PostgreSQL's error, names the BEGIN, and says what the failure does", () => {
    const [finding] = lintSql("SELECT 1;\nBEGIN;\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users (email);\nCOMMIT;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users fails inside a transaction block");
    expect(finding!.help).toBe(
      "Move CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users out of BEGIN … COMMIT, to a migration of its own that runs outside a transaction",
    );
    expect(finding!.explanation).toBe(
      "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users runs inside a transaction block (opened by the BEGIN on line 2), " +
        'and PostgreSQL refuses it there: "CREATE INDEX CONCURRENTLY cannot run inside a transaction block". ' +
        "The migration fails at this statement every time: nothing is locked or changed, the statements before it in the same transaction are rolled back, and the deploy stops here. " +
        "Put it in a migration of its own, with nothing else in it, and turn the runner's transaction off for that file (goose: -- +goose NO TRANSACTION; dbmate: -- migrate:up transaction:false; " +
        "sql-migrate: -- +migrate Up notransaction; Rails: disable_ddl_transaction!; node-pg-migrate: pgm.noTransaction()).",
    );
    expect(finding!.fix).toBeUndefined();
  });

  it("reports nothing outside a transaction, which is the safe alternative", () => {
    const sql = "CREATE INDEX CONCURRENTLY i ON t (a);\nDROP INDEX CONCURRENTLY j;\nVACUUM t;\nCREATE DATABASE d;\nBEGIN;\nCREATE INDEX k ON t (b);\nCOMMIT;\nREINDEX TABLE CONCURRENTLY t;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports every refused statement when the runner wraps each file in a transaction", () => {
    const sql = "CREATE INDEX CONCURRENTLY i ON t (a);\nVACUUM t;";
    expect(withSettings(sql, { assumeInTransaction: true }).map(located)).toEqual([at(1, 1, 1, 37), at(2, 1, 2, 9)]);
    expect(withSettings(sql, { assumeInTransaction: true })[0]!.message).toBe("CREATE INDEX CONCURRENTLY i ON t fails inside the runner's transaction");
    expect(withSettings(sql, { assumeInTransaction: true })[0]!.help).toBe("Move CREATE INDEX CONCURRENTLY i ON t to a migration of its own, with the runner's transaction turned off");
    expect(withSettings(sql, { assumeInTransaction: true })[0]!.explanation).toContain(
      "runs inside a transaction block (the configuration says the runner wraps each file in a transaction (assumeInTransaction))",
    );
    expect(withSettings(sql, { assumeInTransaction: false })).toEqual([]);
  });

  it("does not report statements after a COMMIT that ended the runner's transaction", () => {
    const sql = "ALTER TABLE t ADD COLUMN b int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (b);";
    expect(withSettings(sql, { assumeInTransaction: true })).toEqual([]);
    const reopened = "COMMIT;\nBEGIN;\nCREATE INDEX CONCURRENTLY i ON t (b);\nCOMMIT;";
    expect(withSettings(reopened, { assumeInTransaction: true }).map(located)).toEqual([at(3, 1, 3, 37)]);
  });

  it("knows that goose wraps each section in a transaction unless told NO TRANSACTION", () => {
    const wrapped = "-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\nDROP INDEX CONCURRENTLY i;";
    expect(findingsOf(rule, wrapped)).toEqual([at(2, 1, 2, 37), at(4, 1, 4, 26)]);
    const [finding] = lintSql(wrapped, { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("(goose runs each migration in a transaction (its -- +goose Up marker has no -- +goose NO TRANSACTION))");
    expect(finding!.explanation).toContain("goose: -- +goose NO TRANSACTION");
    const unwrapped = "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\nDROP INDEX CONCURRENTLY i;";
    expect(findingsOf(rule, unwrapped)).toEqual([]);
    expect(findingsOf(rule, "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);")).toEqual([]);
  });

  it("reports refused statements in a DO block whatever the transaction, with the function error", () => {
    const sql = "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1) THEN\n    CREATE INDEX CONCURRENTLY i ON t (a);\n  END IF;\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(4, 5, 4, 41)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.message).toBe("CREATE INDEX CONCURRENTLY i ON t fails inside a DO block, which is a function");
    expect(finding!.help).toBe("Run CREATE INDEX CONCURRENTLY i ON t as a top-level statement of its own, outside the DO block and any transaction");
    expect(finding!.explanation).toContain('runs inside a DO block, and PostgreSQL refuses it in a function: "CREATE INDEX CONCURRENTLY cannot be executed from a function"');
  });

  it("leaves ALTER TYPE … ADD VALUE to enum-add-value-in-transaction, on every version", () => {
    const sql = "BEGIN;\nALTER TYPE mood ADD VALUE 'it''s' AFTER 'ok';\nCOMMIT;";
    expect(withSettings(sql, { pgVersion: 11 })).toEqual([]);
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report what PostgreSQL accepts in a transaction", () => {
    const sql = [
      "BEGIN;",
      "CREATE INDEX i ON t (a);",
      "DROP INDEX j;",
      "REINDEX TABLE t;",
      "REINDEX (CONCURRENTLY false) INDEX k;",
      "ANALYZE t;",
      "CLUSTER t USING i;",
      "ALTER TABLE p DETACH PARTITION p_2020;",
      "ALTER DATABASE d SET work_mem = '64MB';",
      "REFRESH MATERIALIZED VIEW CONCURRENTLY totals;",
      "-- CREATE INDEX CONCURRENTLY i ON t (a);",
      "SELECT 'VACUUM t';",
      "COMMIT;",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("labels REINDEX forms and DETACH CONCURRENTLY as written", () => {
    const sql = "BEGIN;\nREINDEX (VERBOSE, CONCURRENTLY) TABLE app.t;\nALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;\nREINDEX DATABASE app;\nCOMMIT;";
    const messages = lintSql(sql, { rules: [rule] }).findings.map((finding) => finding.message.split(" fails inside")[0]);
    expect(messages).toEqual(["REINDEX TABLE CONCURRENTLY app.t", "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY", "REINDEX DATABASE"]);
  });

  it("keeps messages within 100 characters with long names", () => {
    const name = "n".repeat(60);
    const sql = `BEGIN;\nCREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${name}.${name} (a);\nREINDEX TABLE CONCURRENTLY ${name};\nCOMMIT;\nDO $$ BEGIN DROP INDEX CONCURRENTLY ${name}; END $$;`;
    const findings = [...lintSql(sql, { rules: [rule] }).findings, ...withSettings(`CREATE INDEX CONCURRENTLY ${name} ON ${name} (a);`, { assumeInTransaction: true })];
    expect(findings).toHaveLength(4);
    for (const finding of findings) {
      expect(finding.message.length).toBeLessThanOrEqual(100);
      expect(finding.message).not.toContain("…");
      expect(finding.help.length).toBeLessThanOrEqual(200);
    }
  });
});
