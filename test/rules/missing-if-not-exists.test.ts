import { describe, expect, it } from "vitest";
import rule from "../../rules/missing-if-not-exists.js";
import { applyFix, findingsOf, lintSql, ruleTestKit } from "../helpers.js";

const { at, withSettings } = ruleTestKit(rule);

/** A statement after the ones checked: it may fail once they have committed. */
const LATER = "\nUPDATE users SET tier = 'free';";

/** Lints `sql` (followed by LATER), applies its single fix, and checks the result parses and is no longer reported. */
function fixed(sql: string): string {
  const result = lintSql(sql + LATER, { rules: [rule] });
  expect(result.findings).toHaveLength(1);
  const fix = result.findings[0]!.fix;
  expect(fix).toBeDefined();
  const after = applyFix(result.text!, fix!);
  const again = lintSql(after, { rules: [rule] });
  expect(again.errors).toEqual([]);
  expect(again.findings).toEqual([]);
  return after.slice(0, -LATER.length);
}

describe("missing-if-not-exists", () => {
  it("reports CREATE TABLE at the statement with an exact insertion fix", () => {
    const result = lintSql(`SELECT 1;\nCREATE TABLE users (id int);${LATER}`, { rules: [rule] });
    expect(findingsOf(rule, `SELECT 1;\nCREATE TABLE users (id int);${LATER}`)).toEqual([at(2, 1, 2, 28)]);
    expect(result.findings[0]!.fix).toEqual({ range: { start: 22, end: 22 }, text: " IF NOT EXISTS" });
    expect(result.findings[0]!.message).toBe("CREATE TABLE users has no IF NOT EXISTS: a re-run fails here");
    expect(result.findings[0]!.help).toBe("Write CREATE TABLE IF NOT EXISTS users …");
    expect(result.findings[0]!.explanation).toMatch(/^It runs outside any transaction, so it stays applied when a later statement fails: /);
    expect(result.findings[0]!.explanation).toContain('"already exists"');
  });

  it("fixes every kind of CREATE it checks into SQL that parses and passes", () => {
    const cases: [string, string][] = [
      ["CREATE TABLE users (id int);", "CREATE TABLE IF NOT EXISTS users (id int);"],
      ["CREATE TEMP TABLE scratch (id int);", "CREATE TEMP TABLE IF NOT EXISTS scratch (id int);"],
      ["create unlogged table public.cache (k text);", "create unlogged table IF NOT EXISTS public.cache (k text);"],
      ["CREATE TABLE events_2024 PARTITION OF events FOR VALUES IN (2024);", "CREATE TABLE IF NOT EXISTS events_2024 PARTITION OF events FOR VALUES IN (2024);"],
      ["CREATE TABLE copy AS SELECT * FROM users;", "CREATE TABLE IF NOT EXISTS copy AS SELECT * FROM users;"],
      ["CREATE MATERIALIZED VIEW totals AS SELECT 1;", "CREATE MATERIALIZED VIEW IF NOT EXISTS totals AS SELECT 1;"],
      ["CREATE UNIQUE INDEX CONCURRENTLY idx ON users (email);", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx ON users (email);"],
      ["CREATE INDEX users_email_idx ON users USING btree (email);", "CREATE INDEX IF NOT EXISTS users_email_idx ON users USING btree (email);"],
      ["CREATE SCHEMA s;", "CREATE SCHEMA IF NOT EXISTS s;"],
      ["CREATE SCHEMA AUTHORIZATION joe;", "CREATE SCHEMA IF NOT EXISTS AUTHORIZATION joe;"],
      ["CREATE SEQUENCE order_seq START 100;", "CREATE SEQUENCE IF NOT EXISTS order_seq START 100;"],
      ["CREATE EXTENSION pgcrypto;", "CREATE EXTENSION IF NOT EXISTS pgcrypto;"],
      ["CREATE VIEW active AS SELECT * FROM users;", "CREATE OR REPLACE VIEW active AS SELECT * FROM users;"],
      ["CREATE RECURSIVE VIEW tree (id) AS SELECT 1;", "CREATE OR REPLACE RECURSIVE VIEW tree (id) AS SELECT 1;"],
    ];
    for (const [sql, expected] of cases) expect(fixed(sql)).toBe(expected);
  });

  it("reports each ADD COLUMN, DROP COLUMN and DROP CONSTRAINT action at that action, with its fix", () => {
    const sql = `ALTER TABLE users\n  ADD COLUMN tier text,\n  ADD score int,\n  DROP COLUMN legacy,\n  DROP old_flag,\n  DROP CONSTRAINT users_tier_check,\n  ALTER COLUMN a SET DEFAULT 0;${LATER}`;
    expect(findingsOf(rule, sql)).toEqual([at(2, 3, 2, 23), at(3, 3, 3, 16), at(4, 3, 4, 21), at(5, 3, 5, 16), at(6, 3, 6, 35)]);
    const result = lintSql(sql, { rules: [rule] });
    let text = result.text!;
    for (const finding of [...result.findings].reverse()) text = applyFix(text, finding.fix!);
    expect(text).toBe(
      `ALTER TABLE users\n  ADD COLUMN IF NOT EXISTS tier text,\n  ADD IF NOT EXISTS score int,\n  DROP COLUMN IF EXISTS legacy,\n  DROP IF EXISTS old_flag,\n  DROP CONSTRAINT IF EXISTS users_tier_check,\n  ALTER COLUMN a SET DEFAULT 0;${LATER}`,
    );
    const again = lintSql(text, { rules: [rule] });
    expect(again.errors).toEqual([]);
    expect(again.findings).toEqual([]);
    expect(result.findings[1]!.fix).toEqual({ range: { start: 47, end: 47 }, text: " IF NOT EXISTS" });
    expect(result.findings[0]!.message).toBe("ALTER TABLE users ADD COLUMN tier has no IF NOT EXISTS: a re-run fails here");
    expect(result.findings[0]!.help).toBe("Write ALTER TABLE users ADD COLUMN IF NOT EXISTS tier …");
    expect(result.findings[4]!.message).toBe("ALTER TABLE users DROP CONSTRAINT users_tier_check has no IF EXISTS: a re-run fails here");
    expect(result.findings[4]!.help).toBe("Write ALTER TABLE users DROP CONSTRAINT IF EXISTS users_tier_check");
  });

  it("fixes every kind of DROP into SQL that parses and passes", () => {
    const cases: [string, string][] = [
      ["DROP TABLE users, public.orders CASCADE;", "DROP TABLE IF EXISTS users, public.orders CASCADE;"],
      ["DROP SEQUENCE s;", "DROP SEQUENCE IF EXISTS s;"],
      ["DROP VIEW v;", "DROP VIEW IF EXISTS v;"],
      ["DROP MATERIALIZED VIEW v;", "DROP MATERIALIZED VIEW IF EXISTS v;"],
      ["DROP INDEX CONCURRENTLY i;", "DROP INDEX CONCURRENTLY IF EXISTS i;"],
      ["drop index i;", "drop index IF EXISTS i;"],
      ["DROP FOREIGN TABLE f;", "DROP FOREIGN TABLE IF EXISTS f;"],
      ["DROP COLLATION c;", "DROP COLLATION IF EXISTS c;"],
      ["DROP CONVERSION c;", "DROP CONVERSION IF EXISTS c;"],
      ["DROP STATISTICS st;", "DROP STATISTICS IF EXISTS st;"],
      ["DROP TEXT SEARCH PARSER p;", "DROP TEXT SEARCH PARSER IF EXISTS p;"],
      ["DROP TEXT SEARCH DICTIONARY d;", "DROP TEXT SEARCH DICTIONARY IF EXISTS d;"],
      ["DROP TEXT SEARCH TEMPLATE t;", "DROP TEXT SEARCH TEMPLATE IF EXISTS t;"],
      ["DROP TEXT SEARCH CONFIGURATION c;", "DROP TEXT SEARCH CONFIGURATION IF EXISTS c;"],
      ["DROP ACCESS METHOD am;", "DROP ACCESS METHOD IF EXISTS am;"],
      ["DROP EVENT TRIGGER et;", "DROP EVENT TRIGGER IF EXISTS et;"],
      ["DROP EXTENSION pgcrypto;", "DROP EXTENSION IF EXISTS pgcrypto;"],
      ["DROP FOREIGN DATA WRAPPER w;", "DROP FOREIGN DATA WRAPPER IF EXISTS w;"],
      ["DROP PUBLICATION p;", "DROP PUBLICATION IF EXISTS p;"],
      ["DROP SCHEMA s CASCADE;", "DROP SCHEMA IF EXISTS s CASCADE;"],
      ["DROP SERVER s;", "DROP SERVER IF EXISTS s;"],
      ["DROP POLICY p ON users;", "DROP POLICY IF EXISTS p ON users;"],
      ["DROP RULE r ON users;", "DROP RULE IF EXISTS r ON users;"],
      ["DROP TRIGGER trg ON public.users;", "DROP TRIGGER IF EXISTS trg ON public.users;"],
      ["DROP TYPE mood;", "DROP TYPE IF EXISTS mood;"],
      ["DROP DOMAIN email;", "DROP DOMAIN IF EXISTS email;"],
      ["DROP FUNCTION f(int);", "DROP FUNCTION IF EXISTS f(int);"],
      ["DROP PROCEDURE p();", "DROP PROCEDURE IF EXISTS p();"],
      ["DROP ROUTINE r;", "DROP ROUTINE IF EXISTS r;"],
      ["DROP AGGREGATE a(int);", "DROP AGGREGATE IF EXISTS a(int);"],
      ["DROP OPERATOR ##(int, int);", "DROP OPERATOR IF EXISTS ##(int, int);"],
      ["DROP OPERATOR CLASS oc USING btree;", "DROP OPERATOR CLASS IF EXISTS oc USING btree;"],
      ["DROP OPERATOR FAMILY of USING btree;", "DROP OPERATOR FAMILY IF EXISTS of USING btree;"],
      ["DROP CAST (int AS text);", "DROP CAST IF EXISTS (int AS text);"],
      ["DROP TRANSFORM FOR int LANGUAGE sql;", "DROP TRANSFORM IF EXISTS FOR int LANGUAGE sql;"],
      ["DROP PROCEDURAL LANGUAGE plsample;", "DROP PROCEDURAL LANGUAGE IF EXISTS plsample;"],
      ["DROP LANGUAGE plsample;", "DROP LANGUAGE IF EXISTS plsample;"],
      ["DROP DATABASE d WITH (FORCE);", "DROP DATABASE IF EXISTS d WITH (FORCE);"],
      ["DROP ROLE r1, r2;", "DROP ROLE IF EXISTS r1, r2;"],
      ["DROP USER u;", "DROP USER IF EXISTS u;"],
      ["DROP TABLESPACE ts;", "DROP TABLESPACE IF EXISTS ts;"],
      ["DROP SUBSCRIPTION sub;", "DROP SUBSCRIPTION IF EXISTS sub;"],
      ["DROP USER MAPPING FOR joe SERVER s;", "DROP USER MAPPING IF EXISTS FOR joe SERVER s;"],
    ];
    for (const [sql, expected] of cases) expect(fixed(sql)).toBe(expected);
  });

  it("names the dropped objects and the CONCURRENTLY form in message and help", () => {
    const [index] = lintSql(`DROP INDEX CONCURRENTLY public.users_email_idx;${LATER}`, { rules: [rule] }).findings;
    expect(index!.message).toBe("DROP INDEX CONCURRENTLY public.users_email_idx has no IF EXISTS: a re-run fails here");
    expect(index!.help).toBe("Write DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx");
    const [trigger] = lintSql(`DROP TRIGGER audit ON public.users;${LATER}`, { rules: [rule] }).findings;
    expect(trigger!.message).toBe("DROP TRIGGER audit ON public.users has no IF EXISTS: a re-run fails here");
    const [create] = lintSql("CREATE INDEX CONCURRENTLY idx ON users (email);", { rules: [rule] }).findings;
    expect(create!.explanation).toContain("INVALID");
    const [tables] = lintSql(`DROP TABLE a, b, c, d;${LATER}`, { rules: [rule] }).findings;
    expect(tables!.message).toBe("DROP TABLE a, b and 2 more has no IF EXISTS: a re-run fails here");
    expect(tables!.help).toBe("Write DROP TABLE IF EXISTS a, b, c, d");
  });

  it("places the fix after a comment between the keywords and the name, and with CRLF line breaks", () => {
    expect(fixed("CREATE TABLE /* the users */ users (id int);")).toBe("CREATE TABLE IF NOT EXISTS /* the users */ users (id int);");
    expect(fixed('DROP\r\n  TABLE\r\n  "Users";')).toBe('DROP\r\n  TABLE IF EXISTS\r\n  "Users";');
    expect(findingsOf(rule, `-- é\r\nSELECT 1;\r\nDROP\r\n  TABLE\r\n  "Users";${LATER}`)).toEqual([at(3, 1, 5, 10)]);
  });

  it("places the fix after multi-byte text and a UTF-8 BOM", () => {
    const sql = `\uFEFFCOMMENT ON TABLE t IS 'ünïcödé 🎉';\nALTER TABLE t ADD COLUMN c int;${LATER}`;
    expect(findingsOf(rule, sql)).toEqual([at(2, 15, 2, 31)]);
    const result = lintSql(sql, { rules: [rule] });
    expect(applyFix(result.text!, result.findings[0]!.fix!)).toBe(`COMMENT ON TABLE t IS 'ünïcödé 🎉';\nALTER TABLE t ADD COLUMN IF NOT EXISTS c int;${LATER}`);
  });

  it("reports an unnamed CREATE INDEX without a fix, with a help that names it", () => {
    expect(findingsOf(rule, `CREATE INDEX ON users (email);${LATER}`)).toEqual([at(1, 1, 1, 30)]);
    const [finding] = lintSql("CREATE INDEX CONCURRENTLY ON users (email, id);", { rules: [rule] }).findings;
    expect(finding!.fix).toBeUndefined();
    expect(finding!.message).toBe("CREATE INDEX CONCURRENTLY ON users has no name: a re-run builds a second identical index");
    expect(finding!.help).toBe("Name the index and add IF NOT EXISTS: CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_id_idx ON users (…)");
  });

  it("reports CREATE SCHEMA with schema elements without a fix (IF NOT EXISTS is refused there)", () => {
    const [finding] = lintSql(`CREATE SCHEMA app CREATE TABLE t (id int);${LATER}`, { rules: [rule] }).findings;
    expect(finding!.fix).toBeUndefined();
    expect(finding!.help).toContain("(CREATE SCHEMA IF NOT EXISTS app)");
    expect(finding!.explanation).toContain("PostgreSQL refuses IF NOT EXISTS on a CREATE SCHEMA that includes schema elements");
  });

  it("does not report statements that already guard themselves", () => {
    const sql = [
      "CREATE TABLE IF NOT EXISTS users (id int);",
      "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx ON users (id);",
      "CREATE SCHEMA IF NOT EXISTS s;",
      "CREATE SEQUENCE IF NOT EXISTS seq;",
      "CREATE EXTENSION IF NOT EXISTS pgcrypto;",
      "CREATE OR REPLACE VIEW v AS SELECT 1;",
      "CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1;",
      "ALTER TABLE users ADD COLUMN IF NOT EXISTS c int, DROP COLUMN IF EXISTS d, DROP CONSTRAINT IF EXISTS k;",
      "DROP TABLE IF EXISTS users;",
      "DROP INDEX CONCURRENTLY IF EXISTS idx;",
      "DROP DATABASE IF EXISTS d;",
      "DROP ROLE IF EXISTS r;",
      "DROP TABLESPACE IF EXISTS ts;",
      "DROP SUBSCRIPTION IF EXISTS sub;",
      "DROP USER MAPPING IF EXISTS FOR joe SERVER s;",
      "DROP OWNED BY joe;",
      "ALTER TABLE users ALTER COLUMN c SET DEFAULT 1, ADD CONSTRAINT k CHECK (c > 0);",
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    ].join("\n");
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("still reports objects created earlier in the file: re-running the file hits them", () => {
    expect(findingsOf(rule, `CREATE TABLE IF NOT EXISTS t (id int);\nALTER TABLE t ADD COLUMN c int;${LATER}`)).toEqual([at(2, 15, 2, 31)]);
  });

  describe("only where a re-run can meet what the statement did", () => {
    const twoTables = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);";

    it("stays silent where the runner or a BEGIN block applies the statement and everything after it as one transaction", () => {
      expect(withSettings(twoTables, { assumeInTransaction: true })).toEqual([]);
      expect(findingsOf(rule, `BEGIN;\n${twoTables}\nCOMMIT;`)).toEqual([]);
      expect(findingsOf(rule, "-- +goose Up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\nDROP TABLE a;")).toEqual([]);
    });

    it("stays silent on the last statement of a migration and on a migration of one statement: their failure leaves nothing behind", () => {
      expect(findingsOf(rule, twoTables)).toEqual([at(1, 1, 1, 24)]);
      expect(findingsOf(rule, "DROP TABLE a;")).toEqual([]);
      expect(findingsOf(rule, "DROP INDEX CONCURRENTLY i;")).toEqual([]);
      expect(findingsOf(rule, "CREATE TABLE a (id int);\nCOMMIT;")).toEqual([]);
    });

    it("reports a statement that commits before a later one runs: a BEGIN block followed by more, goose NO TRANSACTION, dbmate transaction:false", () => {
      const [committed] = lintSql(`BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);`, { rules: [rule] }).findings;
      expect(committed!.explanation).toMatch(/^Its transaction commits before the rest of the migration runs, so it stays applied when a later statement fails: /);
      expect(withSettings("CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);", { assumeInTransaction: true })).toEqual([at(1, 1, 1, 24)]);
      const goose = "-- +goose Up\n-- +goose NO TRANSACTION\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\nDROP TABLE a;";
      expect(findingsOf(rule, goose)).toEqual([at(3, 1, 3, 24), at(6, 1, 6, 13)]);
      expect(findingsOf(rule, "-- migrate:up transaction:false\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\nDROP TABLE a;")).toEqual([at(2, 1, 2, 24)]);
    });

    it("reports a CREATE INDEX CONCURRENTLY wherever it is: when it fails it leaves an INVALID index of that name behind", () => {
      const sql = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);";
      expect(withSettings(sql, { assumeInTransaction: true })).toEqual([at(1, 1, 1, 59)]);
      const [finding] = lintSql(sql, { rules: [rule] }).findings;
      expect(finding!.message).toBe("CREATE INDEX CONCURRENTLY users_email_idx ON users has no IF NOT EXISTS: a re-run fails here");
      expect(finding!.explanation).toMatch(/^If it fails, it leaves an INVALID index behind: the re-run then fails here with an "already exists" error/);
      expect(findingsOf(rule, "CREATE INDEX CONCURRENTLY ON users (email);")).toEqual([at(1, 1, 1, 43)]);
    });
  });

  it("does not report SQL in comments and strings, nor statements run by DO blocks", () => {
    const sql = "-- CREATE TABLE users (id int);\n/* DROP TABLE users; */\nSELECT 'CREATE INDEX i ON t (c)';\nDO $$\nBEGIN\n  CREATE TABLE audit (id int);\n  DROP TABLE old_audit;\nEND\n$$;";
    expect(findingsOf(rule, sql)).toEqual([]);
  });

  it("keeps messages within 100 characters with long names", () => {
    const n = "n".repeat(60);
    const sqls = [
      `CREATE UNIQUE INDEX CONCURRENTLY ${n} ON ${n}.${n} (a);`,
      `CREATE INDEX CONCURRENTLY ON ${n}.${n} (a);`,
      `CREATE TABLE ${n}.${n} (id int);${LATER}`,
      `CREATE VIEW ${n}.${n} AS SELECT 1;${LATER}`,
      `CREATE SCHEMA ${n} CREATE TABLE t (id int);${LATER}`,
      `ALTER TABLE ${n}.${n} ADD COLUMN ${n} int, DROP COLUMN ${n}, DROP CONSTRAINT ${n};${LATER}`,
      `DROP TABLE ${n}, ${n}_b, ${n}_c;${LATER}`,
      `DROP TRIGGER ${n} ON ${n}.${n};${LATER}`,
      `DROP ROLE ${n}, ${n}_b;${LATER}`,
    ];
    for (const sql of sqls) {
      const { findings } = lintSql(sql, { rules: [rule] });
      expect(findings.length).toBeGreaterThan(0);
      for (const finding of findings) {
        expect(finding.message.length).toBeLessThanOrEqual(100);
        expect(finding.message).not.toContain("…");
        expect(finding.help.length).toBeLessThanOrEqual(200);
      }
    }
  });
});
