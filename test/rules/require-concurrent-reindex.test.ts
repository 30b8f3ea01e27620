import { describe, expect, it } from "vitest";
import rule from "../../rules/require-concurrent-reindex.js";
import forbiddenInTransaction from "../../rules/forbidden-in-transaction.js";
import { applyFix, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

function withSettings(sql: string, settings: { assumeInTransaction?: boolean; pgVersion?: number }) {
  return lintSql(sql, { rules: [rule], settings }).findings;
}

/** Lints `sql`, applies its single fix, and checks the result parses and is reported neither by this rule nor by forbidden-in-transaction. */
function fixed(sql: string): string {
  const result = lintSql(sql, { rules: [rule] });
  expect(result.findings).toHaveLength(1);
  const fix = result.findings[0]!.fix;
  expect(fix).toBeDefined();
  const after = applyFix(result.text!, fix!);
  const again = lintSql(after, { rules: [rule, forbiddenInTransaction] });
  expect(again.errors).toEqual([]);
  expect(again.findings).toEqual([]);
  return after;
}

const PLANNER =
  "and since planning any query on a table takes a lock on each of its indexes, practically every read of the table waits too " +
  "(only prepared statements whose cached plan does not use the index go on)";

describe("require-concurrent-reindex", () => {
  it("reports REINDEX INDEX, TABLE, SCHEMA, DATABASE and SYSTEM at the statement", () => {
    const sql = "SELECT 1;\nREINDEX INDEX users_email_idx;\nreindex (verbose) table\n  public.users;\nREINDEX SCHEMA app;\nREINDEX DATABASE;\nREINDEX SYSTEM;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 30), at(3, 1, 4, 15), at(5, 1, 5, 19), at(6, 1, 6, 17), at(7, 1, 7, 15)]);
  });

  it("says in one line what the rebuild blocks, with the lock, and gives CONCURRENTLY as help", () => {
    const [finding] = lintSql("REINDEX INDEX users_email_idx;", { rules: [rule] }).findings;
    expect(finding!.message).toBe("REINDEX INDEX users_email_idx blocks writes and most reads of its table (ACCESS EXCLUSIVE)");
    expect(finding!.help).toBe("Use REINDEX INDEX CONCURRENTLY users_email_idx outside a transaction block");
    const [quoted] = lintSql('REINDEX INDEX app."Users_email_idx";', { rules: [rule] }).findings;
    expect(quoted!.explanation).toBe(
      'REINDEX INDEX app."Users_email_idx" rebuilds the index from scratch under an ACCESS EXCLUSIVE lock on app."Users_email_idx" and a SHARE lock on its table, both held for the whole rebuild. ' +
        `The SHARE lock blocks INSERT, UPDATE and DELETE on the table; the ACCESS EXCLUSIVE lock blocks every query that would use app."Users_email_idx", ${PLANNER}. ` +
        "The rebuild reads the whole table (minutes on a large table); the table itself is not rewritten. " +
        'REINDEX INDEX CONCURRENTLY app."Users_email_idx"; rebuilds without blocking reads and writes. ' +
        "It builds a new copy of the index next to the old one under a SHARE UPDATE EXCLUSIVE lock (reads and writes go on), then swaps them; it takes longer, needs disk space for the copy, " +
        "and waits for running transactions; run it outside any transaction block. " +
        "If it fails or is cancelled, it leaves behind an INVALID index whose name ends in _ccnew, which every write still maintains: drop it (DROP INDEX CONCURRENTLY …_ccnew;) and run the REINDEX again " +
        "(one ending in _ccold is the old copy, left after a successful rebuild: just drop it). " +
        "It cannot rebuild the index of an exclusion constraint concurrently.",
    );
  });

  it("keeps the message within 100 characters and the help within 200 with long names, for every kind and version", () => {
    const long = "a_rather_long_identifier_for_an_index_that_keeps_going_and_on";
    const sqls = [`REINDEX INDEX app.${long};`, `REINDEX TABLE app.${long};`, `REINDEX SCHEMA ${long};`, `REINDEX DATABASE ${long};`, "REINDEX SYSTEM;", `BEGIN;\nREINDEX TABLE ${long};\nCOMMIT;`];
    for (const pgVersion of [11, 16]) {
      for (const sql of sqls) {
        const [finding] = withSettings(sql, { pgVersion });
        expect(finding!.message.length).toBeLessThanOrEqual(100);
        expect(finding!.help.length).toBeLessThanOrEqual(200);
      }
    }
  });

  it("explains REINDEX TABLE, SCHEMA and DATABASE as locks held table after table", () => {
    const [table] = lintSql("REINDEX TABLE orders;", { rules: [rule] }).findings;
    expect(table!.message).toBe("REINDEX TABLE orders blocks writes and most reads of orders while it rebuilds (SHARE)");
    expect(table!.explanation).toContain("rebuilds every index of orders (and of its TOAST table) one after the other, in one transaction: it holds a SHARE lock on orders for the whole run");
    const [schema] = lintSql("REINDEX SCHEMA app;", { rules: [rule] }).findings;
    expect(schema!.message).toBe("REINDEX SCHEMA app blocks writes and most reads of each of its tables in turn (SHARE)");
    expect(schema!.explanation).toContain("rebuilds every index of every table in schema app, table by table.");
    expect(schema!.explanation).toContain("The outage moves from table to table");
    const [database] = lintSql("REINDEX DATABASE shop;", { rules: [rule] }).findings;
    expect(database!.message).toBe("REINDEX DATABASE shop blocks writes and most reads of every table in turn (SHARE)");
    expect(database!.explanation).toContain("of database shop, table by table");
    expect(database!.help).toBe("Use REINDEX DATABASE CONCURRENTLY shop outside a transaction block");
  });

  it("fixes a statement run outside any transaction by inserting CONCURRENTLY after the kind keyword, options included", () => {
    const [finding] = lintSql("REINDEX INDEX users_email_idx;", { rules: [rule] }).findings;
    expect(finding!.fix).toEqual({ range: { start: 13, end: 13 }, text: " CONCURRENTLY" });
    const cases: [string, string][] = [
      ["REINDEX INDEX users_email_idx;", "REINDEX INDEX CONCURRENTLY users_email_idx;"],
      ['reindex (verbose, tablespace fast) table app."Orders";', 'reindex (verbose, tablespace fast) table CONCURRENTLY app."Orders";'],
      ["REINDEX SCHEMA app;", "REINDEX SCHEMA CONCURRENTLY app;"],
      ["REINDEX DATABASE;", "REINDEX DATABASE CONCURRENTLY;"],
      ["REINDEX /* all */ TABLE\r\n  -- orders\r\n  orders;", "REINDEX /* all */ TABLE CONCURRENTLY\r\n  -- orders\r\n  orders;"],
    ];
    for (const [sql, expected] of cases) expect(fixed(sql)).toBe(expected);
    expect(lintSql("REINDEX (VERBOSE) TABLE t;", { rules: [rule] }).findings[0]!.help).toBe("Use REINDEX (VERBOSE) TABLE CONCURRENTLY t outside a transaction block");
  });

  it("gives no fix inside BEGIN … COMMIT or when the runner wraps the file, and tells to move the statement out", () => {
    const [explicit] = lintSql("BEGIN;\nREINDEX TABLE t;\nCOMMIT;", { rules: [rule] }).findings;
    expect(explicit!.fix).toBeUndefined();
    expect(explicit!.help).toBe("Use REINDEX TABLE CONCURRENTLY t outside the BEGIN … COMMIT block");
    expect(explicit!.explanation).toContain("CONCURRENTLY cannot run inside one, and this statement runs inside its BEGIN … COMMIT block. Move it to a migration of its own");
    const [assumed] = withSettings("REINDEX INDEX i;", { assumeInTransaction: true });
    expect(assumed!.fix).toBeUndefined();
    expect(assumed!.explanation).toContain("(assumeInTransaction)");
  });

  it("before PostgreSQL 12: no fix, and a twin built CONCURRENTLY instead", () => {
    const [index] = withSettings("REINDEX INDEX app.users_email_idx;", { pgVersion: 11 });
    expect(index!.fix).toBeUndefined();
    expect(index!.help).toBe(
      "Build a twin (CREATE INDEX CONCURRENTLY users_email_idx_new …), DROP INDEX CONCURRENTLY app.users_email_idx, then rename the twin (REINDEX CONCURRENTLY needs PostgreSQL 12; pgVersion is 11)",
    );
    expect(index!.explanation).toContain("REINDEX CONCURRENTLY does not exist before PostgreSQL 12 (settings.pgVersion is 11).");
    expect(index!.explanation).toContain(
      "CREATE INDEX CONCURRENTLY users_email_idx_new ON … (…); (the definition of app.users_email_idx, from SELECT pg_get_indexdef('app.users_email_idx'::regclass);), " +
        "then DROP INDEX CONCURRENTLY app.users_email_idx; and ALTER INDEX app.users_email_idx_new RENAME TO users_email_idx;",
    );
    expect(index!.explanation).toContain("PRIMARY KEY USING INDEX");
    const [table] = withSettings("REINDEX TABLE orders;", { pgVersion: 10 });
    expect(table!.fix).toBeUndefined();
    expect(table!.explanation).toContain("SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'orders'::regclass;");
    expect(table!.explanation).toContain("CREATE INDEX CONCURRENTLY i_new ON orders (…); DROP INDEX CONCURRENTLY i; ALTER INDEX i_new RENAME TO i;");
    const [twelve] = withSettings("REINDEX TABLE orders;", { pgVersion: 12 });
    expect(twelve!.fix).toEqual({ range: { start: 13, end: 13 }, text: " CONCURRENTLY" });
  });

  it("gives no fix for REINDEX SYSTEM, which PostgreSQL cannot run concurrently", () => {
    const [finding] = lintSql("REINDEX SYSTEM;", { rules: [rule] }).findings;
    expect(finding!.fix).toBeUndefined();
    expect(finding!.message).toBe("REINDEX SYSTEM locks each system catalog in turn: planning, DDL and new connections wait (SHARE)");
    expect(finding!.help).toBe("Run REINDEX SYSTEM by hand in a maintenance window; for your own tables' indexes, use REINDEX DATABASE CONCURRENTLY");
    expect(finding!.explanation).toContain("REINDEX SYSTEM cannot run CONCURRENTLY");
    expect(finding!.explanation).toContain("REINDEX DATABASE CONCURRENTLY;");
    expect(withSettings("REINDEX SYSTEM;", { pgVersion: 11 })[0]!.help).not.toContain("REINDEX DATABASE CONCURRENTLY");
    expect(withSettings("REINDEX SYSTEM;", { pgVersion: 11 })[0]!.explanation).not.toContain("REINDEX DATABASE CONCURRENTLY");
  });

  it("reports REINDEX INDEX and TABLE run by a DO block, without a fix; not the SCHEMA/DATABASE/SYSTEM forms PostgreSQL refuses there", () => {
    const sql = "DO $$\nBEGIN\n  REINDEX TABLE t;\n  REINDEX SCHEMA app;\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 3, 3, 18)]);
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.fix).toBeUndefined();
    expect(finding!.help).toBe("Use REINDEX TABLE CONCURRENTLY t outside the DO block, as a statement of its own");
    expect(finding!.explanation).toContain("outside the DO block (CONCURRENTLY cannot run in a function)");
  });

  it("does not report the safe alternative: REINDEX … CONCURRENTLY, in either spelling", () => {
    const sql = "REINDEX INDEX CONCURRENTLY i;\nREINDEX (CONCURRENTLY) TABLE t;\nREINDEX (VERBOSE, CONCURRENTLY true) SCHEMA app;\nREINDEX DATABASE CONCURRENTLY;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report the twin built and swapped in before PostgreSQL 12", () => {
    const sql =
      "CREATE INDEX CONCURRENTLY orders_status_idx_new ON orders (status);\nDROP INDEX CONCURRENTLY orders_status_idx;\n" +
      "ALTER INDEX orders_status_idx_new RENAME TO orders_status_idx;";
    expect(findingsOf(rule, sql, { settings: { pgVersion: 11 } })).toEqual([]);
  });

  it("reports CONCURRENTLY turned off, without a fix", () => {
    const [finding] = lintSql("REINDEX (CONCURRENTLY false) TABLE t;", { rules: [rule] }).findings;
    expect(finding).toBeDefined();
    expect(finding!.fix).toBeUndefined();
  });

  it("does not report a table, a schema, or an index on a table, created earlier in the file", () => {
    const sql =
      "CREATE TABLE orders (id int);\nCREATE INDEX orders_id_idx ON orders (id);\nREINDEX INDEX orders_id_idx;\nREINDEX TABLE orders;\n" +
      "CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;\nREINDEX TABLE totals;\nCREATE SCHEMA app;\nREINDEX SCHEMA app;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports an index built earlier in the file on an existing table, and a table created after the REINDEX", () => {
    const sql = "CREATE INDEX CONCURRENTLY u_idx ON users (a);\nREINDEX INDEX u_idx;\nREINDEX TABLE later;\nCREATE TABLE later (a int);";
    expect(findingsOf(rule, sql)).toEqual([at(2, 1, 2, 20), at(3, 1, 3, 20)]);
  });

  it("does not report text in comments and strings", () => {
    const sql = "-- REINDEX TABLE t;\n/* REINDEX INDEX i; */\nSELECT 'REINDEX DATABASE';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });
});
