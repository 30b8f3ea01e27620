import { describe, expect, it } from "vitest";
import rule from "../../rules/table-rewrite.js";
import { findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at } = ruleTestKit(rule);

function withSettings(sql: string, settings: { assumeInTransaction?: boolean; pgVersion?: number }) {
  return lintSql(sql, { rules: [rule], settings }).findings;
}

const ONLINE_TOOLS =
  "Both need their extension installed and a primary key (or a unique index on NOT NULL columns), copy the table while reads and writes go on, " +
  "and take an ACCESS EXCLUSIVE lock only briefly, to swap the copy in.";

describe("table-rewrite", () => {
  it("reports each rewriting action of an ALTER TABLE at that action", () => {
    const sql = "SELECT 1;\nALTER TABLE orders SET LOGGED;\nALTER TABLE orders\n  ADD COLUMN note text,\n  SET UNLOGGED,\n  SET TABLESPACE fast;\nALTER TABLE orders SET ACCESS METHOD heap;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 20, 2, 30), at(5, 3, 5, 15), at(6, 3, 6, 22), at(7, 20, 7, 42)]);
  });

  it("reports ALTER INDEX and ALTER MATERIALIZED VIEW … SET TABLESPACE, ALL IN TABLESPACE, VACUUM FULL and CLUSTER at the statement", () => {
    const sql =
      "ALTER INDEX orders_pkey SET TABLESPACE fast;\nALTER MATERIALIZED VIEW totals SET TABLESPACE fast;\n" +
      "ALTER TABLE ALL IN TABLESPACE slow SET TABLESPACE fast;\nVACUUM FULL orders;\nvacuum (full, analyze) orders;\nCLUSTER orders USING orders_pkey;\nCLUSTER;";
    expect(findingsOf(rule, sql)).toEqual([
      at(1, 25, 1, 44),
      at(2, 32, 2, 51),
      at(3, 1, 3, 55),
      at(4, 1, 4, 19),
      at(5, 1, 5, 30),
      at(6, 1, 6, 33),
      at(7, 1, 7, 8),
    ]);
  });

  it("says each finding in one line with the real names and the lock, and the online way as help", () => {
    const one = (sql: string, settings: { pgVersion?: number } = {}) => withSettings(sql, settings)[0]!;
    const cases: [string, string, string][] = [
      [
        "ALTER TABLE events SET UNLOGGED;",
        "ALTER TABLE events SET UNLOGGED rewrites events and its indexes (ACCESS EXCLUSIVE)",
        "No online form: run it in a maintenance window with a lock_timeout, or copy into a new unlogged table and swap the names",
      ],
      [
        "ALTER TABLE events SET TABLESPACE archive;",
        "ALTER TABLE events SET TABLESPACE archive copies events while blocking it (ACCESS EXCLUSIVE)",
        "Move it online, outside the migration: pg_repack --table=public.events --tablespace=archive (or pg_squeeze)",
      ],
      [
        "ALTER INDEX app.orders_pkey SET TABLESPACE fast;",
        "ALTER INDEX app.orders_pkey SET TABLESPACE fast moves it, blocking its table (ACCESS EXCLUSIVE)",
        "Use REINDEX (TABLESPACE fast) INDEX CONCURRENTLY app.orders_pkey outside a transaction block",
      ],
      [
        "VACUUM FULL orders;",
        "VACUUM FULL orders rewrites orders and its indexes (ACCESS EXCLUSIVE)",
        "Reclaim the space online, outside the migration: pg_repack --no-order --table=public.orders (or pg_squeeze); or use a plain VACUUM",
      ],
      [
        "CLUSTER orders USING orders_created_idx;",
        "CLUSTER orders USING orders_created_idx rewrites orders and its indexes (ACCESS EXCLUSIVE)",
        "Rewrite it online instead: ALTER TABLE orders CLUSTER ON orders_created_idx, then pg_repack --table=public.orders from a shell (or pg_squeeze)",
      ],
      [
        "ALTER TABLE ALL IN TABLESPACE slow SET TABLESPACE fast;",
        "ALTER TABLE ALL IN TABLESPACE slow locks every one of its tables, then moves each (ACCESS EXCLUSIVE)",
        "Move them one at a time, outside the migration and online where possible (pg_repack or pg_squeeze)",
      ],
    ];
    for (const [sql, message, help] of cases) {
      const finding = one(sql);
      expect(finding.message).toBe(message);
      expect(finding.help).toBe(help);
    }
    expect(one("VACUUM FULL;").message).toBe("VACUUM FULL rewrites every table of the database, one after the other (ACCESS EXCLUSIVE)");
    expect(one("ALTER INDEX app.orders_pkey SET TABLESPACE fast;", { pgVersion: 13 }).help).toBe(
      "Build a twin with CREATE INDEX CONCURRENTLY … TABLESPACE fast, drop app.orders_pkey CONCURRENTLY, then rename the twin",
    );
  });

  it("keeps the message within 100 characters and the help within 200 with long names", () => {
    const long = "a_rather_long_identifier_for_a_table_that_keeps_going_and_on";
    const sqls = [
      `ALTER TABLE app.${long} SET LOGGED;`,
      `ALTER MATERIALIZED VIEW app.${long} SET TABLESPACE ${long};`,
      `ALTER TABLE app.${long} SET TABLESPACE ${long};`,
      `ALTER TABLE app.${long} SET ACCESS METHOD ${long};`,
      `ALTER INDEX app.${long} SET TABLESPACE ${long};`,
      `ALTER INDEX ALL IN TABLESPACE ${long} SET TABLESPACE ${long};`,
      `VACUUM FULL app.${long}, ${long}_b, ${long}_c;`,
      `CLUSTER app.${long} USING ${long}_idx;`,
    ];
    for (const pgVersion of [13, 16]) {
      for (const sql of sqls) {
        const findings = withSettings(sql, { pgVersion });
        expect(findings).toHaveLength(1);
        expect(findings[0]!.message.length).toBeLessThanOrEqual(100);
        expect(findings[0]!.help.length).toBeLessThanOrEqual(200);
      }
    }
  });

  it("SET LOGGED: names the rewrite, the ACCESS EXCLUSIVE lock, the WAL burst and the disk, and gives the new-table alternative", () => {
    const [finding] = lintSql('ALTER TABLE app."Orders" SET LOGGED;', { rules: [rule] }).findings;
    expect(finding!.explanation).toContain(
      'ALTER TABLE app."Orders" SET LOGGED rewrites app."Orders" into a new file and rebuilds its indexes, writing all of it to the WAL (a burst that replicas and backups must absorb), ' +
        "holding an ACCESS EXCLUSIVE lock, which blocks every read and write of the table, for the whole rewrite (minutes on a large table). " +
        'It needs free disk space for a second copy of app."Orders" until it commits.',
    );
    expect(finding!.explanation).toContain(
      "There is no online form of this change. Run it in a maintenance window, when nothing uses the table (with a lock_timeout, so that it gives up instead of queueing every query), " +
        'or move to a new logged table: CREATE TABLE app."Orders_new" (LIKE app."Orders" INCLUDING ALL); copy the rows in batches (INSERT INTO app."Orders_new" SELECT * FROM app."Orders" WHERE … ;), ' +
        "keep the copy in sync with a trigger while it runs, then swap the names in one short transaction " +
        '(ALTER TABLE app."Orders" RENAME TO "Orders_old"; ALTER TABLE app."Orders_new" RENAME TO "Orders";).',
    );
    expect(finding!.fix).toBeUndefined();
  });

  it("SET UNLOGGED: also says the table stops being crash-safe and replicated", () => {
    const [finding] = lintSql("ALTER TABLE events SET UNLOGGED;", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("Afterwards events is no longer crash-safe (a crash empties it) and no longer replicated: standbys cannot read it, and a failover loses its rows.");
    expect(finding!.explanation).not.toContain("WAL");
    expect(finding!.explanation).toContain("CREATE UNLOGGED TABLE events_new (LIKE events INCLUDING ALL);");
  });

  it("SET TABLESPACE: the copy under ACCESS EXCLUSIVE, and pg_squeeze / pg_repack / a new table instead", () => {
    const [finding] = lintSql("ALTER TABLE app.orders SET TABLESPACE fast;", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain(
      "ALTER TABLE app.orders SET TABLESPACE fast copies every data file of app.orders to tablespace fast (its indexes stay where they are) and writes the copy to the WAL, " +
        "holding an ACCESS EXCLUSIVE lock, which blocks every read and write of the table, for the whole copy (minutes on a large table). It needs free space in fast for the whole table.",
    );
    expect(finding!.explanation).toContain("SELECT squeeze.squeeze_table('app', 'orders', NULL, 'fast', NULL);");
    expect(finding!.explanation).toContain("pg_repack --table=app.orders --tablespace=fast.");
    expect(finding!.explanation).toContain(ONLINE_TOOLS);
    expect(finding!.explanation).toContain("CREATE TABLE app.orders_new (LIKE app.orders INCLUDING ALL) TABLESPACE fast;");
  });

  it("ALTER INDEX SET TABLESPACE: REINDEX (TABLESPACE) CONCURRENTLY from PostgreSQL 14, a twin before", () => {
    const [finding] = lintSql("ALTER INDEX app.orders_pkey SET TABLESPACE fast;", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("copies the whole index to tablespace fast under an ACCESS EXCLUSIVE lock on app.orders_pkey, held for the whole copy");
    expect(finding!.explanation).toContain("practically every read and write of the index's table waits too");
    expect(finding!.explanation).toContain(
      "Rebuild it in fast without blocking reads and writes instead: REINDEX (TABLESPACE fast) INDEX CONCURRENTLY app.orders_pkey; outside any transaction block (PostgreSQL 14 and later).",
    );
    const again = lintSql("REINDEX (TABLESPACE fast) INDEX CONCURRENTLY app.orders_pkey;", { rules: [rule] });
    expect(again.errors).toEqual([]);
    expect(again.findings).toEqual([]);
    const [older] = withSettings("ALTER INDEX app.orders_pkey SET TABLESPACE fast;", { pgVersion: 13 });
    expect(older!.explanation).toContain(
      "CREATE INDEX CONCURRENTLY orders_pkey_new ON … (…) TABLESPACE fast; (the definition of app.orders_pkey, from SELECT pg_get_indexdef('app.orders_pkey'::regclass);), " +
        "then DROP INDEX CONCURRENTLY app.orders_pkey; and ALTER INDEX app.orders_pkey_new RENAME TO orders_pkey;",
    );
  });

  it("ALTER MATERIALIZED VIEW SET TABLESPACE blocks the view's reads; no online way", () => {
    const [finding] = lintSql("ALTER MATERIALIZED VIEW totals SET TABLESPACE fast;", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain("holding an ACCESS EXCLUSIVE lock, which blocks every read of the view, for the whole copy");
    expect(finding!.explanation).toContain("CREATE MATERIALIZED VIEW totals_new TABLESPACE fast AS …;");
  });

  it("ALL IN TABLESPACE: every object locked before the first move", () => {
    const [tables] = lintSql("ALTER TABLE ALL IN TABLESPACE slow OWNED BY app, CURRENT_USER SET TABLESPACE fast NOWAIT;", { rules: [rule] }).findings;
    expect(tables!.explanation).toContain(
      "ALTER TABLE ALL IN TABLESPACE slow OWNED BY app, CURRENT_USER SET TABLESPACE fast takes an ACCESS EXCLUSIVE lock on every table in tablespace slow owned by those roles (in the current database), " +
        "all of them before it moves the first, then copies each one: every read and write of those tables waits until the last copy is done. It needs free space in fast for all of them.",
    );
    expect(tables!.explanation).toContain("SELECT squeeze.squeeze_table('…', '…', NULL, 'fast', NULL);");
    const [indexes] = lintSql("ALTER INDEX ALL IN TABLESPACE slow SET TABLESPACE fast;", { rules: [rule] }).findings;
    expect(indexes!.explanation).toContain("REINDEX (TABLESPACE fast) INDEX CONCURRENTLY …; for each index");
    const [views] = lintSql("ALTER MATERIALIZED VIEW ALL IN TABLESPACE slow SET TABLESPACE fast;", { rules: [rule] }).findings;
    expect(views!.explanation).toContain("every read of those views waits until the last copy is done");
  });

  it("VACUUM FULL: the rewrite, the lock and the disk, with pg_repack, pg_squeeze and a plain VACUUM instead", () => {
    const [finding] = lintSql('VACUUM (FULL, VERBOSE) orders, app."Items";', { rules: [rule] }).findings;
    expect(finding!.explanation).toContain(
      'VACUUM FULL orders, app."Items" writes a new, compacted copy of each table in turn and rebuilds their indexes, ' +
        "holding an ACCESS EXCLUSIVE lock, which blocks every read and write of the table, for the whole rewrite of each (minutes to hours on a large table). " +
        "It needs free disk space for the new copy and its indexes until it finishes.",
    );
    expect(finding!.explanation).toContain(
      "Reclaim the space online instead, outside the migration: pg_repack --no-order --table=public.orders, pg_repack --no-order --table='app.\"Items\"' (from a shell) or pg_squeeze: " +
        "SELECT squeeze.squeeze_table('public', 'orders', NULL, NULL, NULL); SELECT squeeze.squeeze_table('app', 'Items', NULL, NULL, NULL); " +
        `${ONLINE_TOOLS} ` +
        'A plain VACUUM orders, app."Items"; makes the dead space reusable without a rewrite and without blocking reads or writes; it only gives space back to the operating system from the end of the table.',
    );
  });

  it("VACUUM FULL without a table: every table of the database", () => {
    const [finding] = lintSql("VACUUM FULL;", { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^VACUUM FULL without a table rewrites every table of the database, system catalogs included/);
    expect(finding!.explanation).toContain("A plain VACUUM; (without FULL)");
  });

  it("CLUSTER: the rewrite in index order, with pg_squeeze or CLUSTER ON + pg_repack instead", () => {
    const [finding] = lintSql("CLUSTER orders USING orders_created_idx;", { rules: [rule] }).findings;
    expect(finding!.explanation).toContain(
      "CLUSTER orders USING orders_created_idx rewrites orders in the order of orders_created_idx and rebuilds all its indexes, " +
        "holding an ACCESS EXCLUSIVE lock, which blocks every read and write of the table, for the whole rewrite (minutes to hours on a large table). " +
        "It needs free disk space for the new copy and its indexes (up to twice the table's size when it sorts) until it finishes.",
    );
    expect(finding!.explanation).toContain("SELECT squeeze.squeeze_table('public', 'orders', 'orders_created_idx', NULL, NULL);");
    expect(finding!.explanation).toContain("ALTER TABLE orders CLUSTER ON orders_created_idx;");
    expect(finding!.explanation).toContain("pg_repack --table=public.orders from a shell");
    const [again] = lintSql("CLUSTER orders;", { rules: [rule] }).findings;
    expect(again!.explanation).toContain("in the order of the index it was last clustered on");
    const [all] = lintSql("CLUSTER VERBOSE;", { rules: [rule] }).findings;
    expect(all!.explanation).toMatch(/^CLUSTER without a table rewrites every table of the database that was clustered before/);
  });

  it("leaves out of a VACUUM FULL the tables created earlier in the file", () => {
    const sql = "CREATE TABLE fresh (a int);\nVACUUM FULL fresh, orders;";
    const [finding] = lintSql(sql, { rules: [rule] }).findings;
    expect(finding!.explanation).toMatch(/^VACUUM FULL orders writes a new, compacted copy of orders and rebuilds its indexes/);
  });

  it("does not report tables, views and indexes created earlier in the file", () => {
    const sql =
      "CREATE TABLE t (a int);\nALTER TABLE t SET UNLOGGED, SET TABLESPACE fast;\nVACUUM FULL t;\nCLUSTER t USING t_a_idx;\n" +
      "CREATE INDEX t_a_idx ON t (a);\nALTER INDEX t_a_idx SET TABLESPACE fast;\n" +
      "CREATE MATERIALIZED VIEW m AS SELECT 1 AS n;\nALTER MATERIALIZED VIEW m SET TABLESPACE fast;\nVACUUM (FULL) m;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports an index built earlier in the file on an existing table", () => {
    const sql = "CREATE INDEX CONCURRENTLY u_idx ON users (a);\nALTER INDEX u_idx SET TABLESPACE fast;";
    expect(findingsOf(rule, sql)).toEqual([at(2, 19, 2, 38)]);
  });

  it("does not report statements that rewrite nothing", () => {
    const sql =
      "VACUUM orders;\nVACUUM (ANALYZE) orders;\nVACUUM (FULL false) orders;\nVACUUM (FULL 0) orders;\nVACUUM (FULL off) orders;\nANALYZE orders;\n" +
      "ALTER TABLE orders CLUSTER ON orders_pkey;\nALTER TABLE orders SET (fillfactor = 70);\nALTER INDEX i RENAME TO j;\nALTER TABLE orders ADD COLUMN note text;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("reports ALTER TABLE and CLUSTER run by a DO block, but not VACUUM or a bare CLUSTER, which PostgreSQL refuses there", () => {
    const sql = "DO $$\nBEGIN\n  ALTER TABLE orders SET LOGGED;\n  CLUSTER orders;\n  VACUUM FULL orders;\n  CLUSTER;\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([at(3, 22, 3, 32), at(4, 3, 4, 17)]);
  });

  it("does not report the safe alternatives: pg_squeeze calls, a plain VACUUM, REINDEX CONCURRENTLY, a new table swapped in", () => {
    const sql =
      "SELECT squeeze.squeeze_table('public', 'orders', NULL, NULL, NULL);\nSELECT squeeze.squeeze_table('public', 'events', NULL, 'archive', NULL);\n" +
      "VACUUM (ANALYZE) orders;\nALTER TABLE orders CLUSTER ON orders_created_at_idx;\nREINDEX (TABLESPACE archive) INDEX CONCURRENTLY events_created_at_idx;\n" +
      "CREATE TABLE events_new (LIKE events INCLUDING ALL);\nINSERT INTO events_new SELECT * FROM events WHERE id BETWEEN 1 AND 100000;\n" +
      "BEGIN;\nALTER TABLE events RENAME TO events_old;\nALTER TABLE events_new RENAME TO events;\nCOMMIT;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("does not report text in comments and strings", () => {
    const sql = "-- VACUUM FULL orders;\n/* CLUSTER orders; */\nSELECT 'ALTER TABLE orders SET LOGGED';";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("names the schema the table resolves to in the pg_squeeze and pg_repack calls, through the file's search_path", () => {
    const [vacuum] = lintSql("SET search_path TO app, public;\nVACUUM FULL orders;", { rules: [rule] }).findings;
    expect(vacuum!.explanation).toContain("pg_repack --no-order --table=app.orders");
    expect(vacuum!.explanation).toContain("SELECT squeeze.squeeze_table('app', 'orders', NULL, NULL, NULL);");
    const [cluster] = lintSql("CLUSTER orders USING orders_pkey;", { rules: [rule] }).findings;
    expect(cluster!.explanation).toContain("SELECT squeeze.squeeze_table('public', 'orders', 'orders_pkey', NULL, NULL);");
    expect(cluster!.explanation).toContain("pg_repack --table=public.orders");
  });
});
