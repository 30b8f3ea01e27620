/**
 * migsafe verify's engine on PGlite (PostgreSQL 18 in process), and on a real server
 * (PostgreSQL 15 in CI) when MIGSAFE_TEST_DATABASE_URL names one: one database per engine,
 * emptied before each case. Each case writes its migrations to a fresh folder. Messages
 * name the server's major version; everything else is the same on both.
 */
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tempTree } from "../helpers.js";
import type { FileResult } from "../../src/engine/lint.js";
import type { VerifyDatabase } from "../../src/verify/database.js";
import { openPgliteDatabase } from "../../src/verify/pglite-database.js";
import { openServerDatabase } from "../../src/verify/server-database.js";
import { verifyMigrations, type VerifyOptions } from "../../src/verify/verify.js";
import { testDatabaseUrl, testMissingServer } from "./server.js";

let db: VerifyDatabase;
/** "PostgreSQL 18": how messages name the engine. */
let PG = "";

const folder = (files: Record<string, string>) => tempTree(files, "migsafe-verify-");

async function verify(files: Record<string, string>, options: Omit<VerifyOptions, "database" | "files"> = {}) {
  const dir = folder(files);
  const outcome = await verifyMigrations({ database: db, files: Object.keys(files).map((name) => path.join(dir, name)), ...options });
  if (!outcome.ok) throw new Error(outcome.message);
  return { ...outcome, dir, result: (name: string) => outcome.results.find((result) => result.filePath === path.join(dir, name))! };
}

/** verify's own findings of a file, as "line:column-line:column rule-id explanation" (the whole of what it says: its message is the short form). */
function verifyFindings(result: FileResult): string[] {
  return result.findings
    .filter((finding) => finding.ruleId.startsWith("verify-"))
    .map((finding) => `${finding.loc.start.line}:${finding.loc.start.column}-${finding.loc.end.line}:${finding.loc.end.column} ${finding.ruleId} ${finding.explanation ?? finding.message}`);
}

/** verify's own findings of a file, as "rule-id message | help": what one line of the report shows. */
function shortFindings(result: FileResult): string[] {
  return result.findings.filter((finding) => finding.ruleId.startsWith("verify-")).map((finding) => `${finding.ruleId} ${finding.message} | ${finding.help}`);
}

function finding(result: FileResult, ruleId: string) {
  return result.findings.find((candidate) => candidate.ruleId === ruleId);
}

/** What verify observed, attached to a static finding. */
function expectEvidence(found: { evidence?: string } | undefined, evidence: string): void {
  expect(found?.evidence).toBe(evidence);
}

const USERS = "CREATE TABLE IF NOT EXISTS users (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email TEXT, age INTEGER);\n";

const url = testDatabaseUrl();
const engines: [string, () => Promise<VerifyDatabase>][] = [["PGlite", openPgliteDatabase]];
if (url) engines.push(["a PostgreSQL server", () => openServerDatabase(url, { allowNonEmpty: false })]);
else testMissingServer("verify's engine on a PostgreSQL server");

describe.each(engines)("on %s", (_name, open) => {
  beforeAll(async () => {
    db = await open();
    PG = `PostgreSQL ${db.majorVersion}`;
  }, 120_000);

  afterAll(async () => {
    await db?.close();
  });

  /** An empty database: every schema but the system's dropped, public created again. */
  beforeEach(async () => {
    const schemas = await db.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_'",
    );
    for (const { name } of schemas) await db.exec(`DROP SCHEMA "${name}" CASCADE`);
    await db.exec("CREATE SCHEMA public");
  });

  describe("applying migrations", () => {
    it("runs the migrations in migration order, each on the schema its predecessors built", async () => {
      // 2 before 10 (numbers compare as numbers), and 10_orders needs 2_users' table.
      const run = await verify({
        "10_orders.sql": "CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users (id));\n",
        "2_users.sql": USERS,
      });
      expect(run.results.map((result) => path.basename(result.filePath))).toEqual(["2_users.sql", "10_orders.sql"]);
      expect(run.migrations).toBe(2);
      expect(run.failed).toBe(0);
      expect(run.results.flatMap(verifyFindings)).toEqual([]);
      const tables = await db.query<{ name: string }>("SELECT relname AS name FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1");
      expect(tables.map((table) => table.name)).toEqual(["orders", "users"]);
    });

    it("reports a NOT NULL column added to a table with rows (--rows) with PostgreSQL's error and SQLSTATE, at the statement", async () => {
      const run = await verify(
        {
          "001_users.sql": USERS,
          "002_add_plan.sql": "-- 002: every user gets a plan.\nALTER TABLE users\n  ADD COLUMN IF NOT EXISTS plan TEXT NOT NULL;\n",
          "003_after.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname TEXT;\nCREATE INDEX IF NOT EXISTS users_plan_idx ON users (plan);\n",
        },
        { rows: 5 },
      );
      // The later migration runs without it and fails on the column it did not add: a knock-on, listed under the cause.
      expect(verifyFindings(run.result("002_add_plan.sql"))).toEqual([
        `2:1-3:46 verify-error ${PG} rejects this statement: column "plan" of relation "users" contains null values (SQLSTATE 23502). Every table had at least 5 synthetic rows (--rows 5). ` +
          'A later migration then failed on what this did not make, reported here instead of as findings of their own: 003_after.sql:2 column "plan" does not exist (42703).',
      ]);
      expect(finding(run.result("002_add_plan.sql"), "verify-error")!.severity).toBe("dangerous");
      expect(verifyFindings(run.result("003_after.sql"))).toEqual([]);
      expect([run.failed, run.knockOn]).toEqual([2, 1]);
      expect((await db.query<{ count: number }>("SELECT count(*)::int AS count FROM users"))[0]!.count).toBe(5);
    });

    it("does not run a migration that does not parse: its syntax error is the file's, and later failures name it", async () => {
      const run = await verify({ "001_users.sql": "CREATE TABEL users (id BIGINT PRIMARY KEY);\n", "002_orders.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS x INT;\n" });
      expect(run.result("001_users.sql").errors.map((error) => `${error.loc!.start.line}:${error.loc!.start.column} ${error.message}`)).toEqual([
        '1:8 syntax error at or near "TABEL"',
      ]);
      expect(verifyFindings(run.result("002_orders.sql"))).toEqual([
        `1:1-1:49 verify-error ${PG} rejects this statement: relation "users" does not exist (SQLSTATE 42P01). An earlier migration, 001_users.sql, did not apply: this may follow from it.`,
      ]);
      expect(run.failed).toBe(2);
    });

    it("runs a file's BEGIN; SET TRANSACTION ISOLATION LEVEL … as PostgreSQL takes it: verify reads nothing in between", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_backfill.sql": "BEGIN;\nSET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS plan text;\nCOMMIT;\n",
      });
      expect(verifyFindings(run.result("002_backfill.sql")).filter((line) => line.includes("verify-error"))).toEqual([]);
      expect(run.failed).toBe(0);
    });

    it("runs in a time zone other than UTC by default, where timestamp → timestamptz rewrites the table, and says the result depends on it", async () => {
      const files = { "001_events.sql": "CREATE TABLE events (id bigint PRIMARY KEY, at timestamp);\n", "002_tz.sql": "ALTER TABLE events ALTER COLUMN at TYPE timestamptz;\n" };
      const zoned = await verify(files);
      const change = finding(zoned.result("002_tz.sql"), "change-column-type")!;
      expect(change.evidence).toContain("events was rewritten and its index rebuilt (in time zone America/New_York, --timezone: between timestamp and timestamptz PostgreSQL rewrites the table unless the session's time zone is UTC)");
      await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
      const utc = await verify(files, { timezone: "UTC" });
      expect(finding(utc.result("002_tz.sql"), "change-column-type")!.evidence).toContain("events was not rewritten (in time zone UTC, --timezone:");
    });

    it("applies the same migration to an empty table without error (no --rows)", async () => {
      const run = await verify({ "001_users.sql": USERS, "002_add_plan.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS plan TEXT NOT NULL;\n" });
      expect(run.results.flatMap(verifyFindings)).toEqual([]);
    });

    it("fills every column type it knows, NULL in every other row of a nullable column, and children after their parents", async () => {
      await verify(
        {
          "001_types.sql":
            "CREATE TYPE mood AS ENUM ('happy', 'sad');\n" +
            "CREATE TABLE IF NOT EXISTS teams (id UUID PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE, active BOOLEAN NOT NULL, founded DATE NOT NULL);\n" +
            "CREATE TABLE IF NOT EXISTS members (id SERIAL PRIMARY KEY, team_id UUID NOT NULL REFERENCES teams (id), mood mood NOT NULL, " +
            "joined TIMESTAMPTZ NOT NULL, score NUMERIC(6, 2) NOT NULL, data JSONB, note TEXT);\n",
          // The rows are added before each migration: the tables of 001 get theirs before 002.
          "002_next.sql": "SELECT 1;\n",
        },
        { rows: 4 },
      );
      const members = await db.query<Record<string, unknown>>("SELECT id, mood::text AS mood, score::text AS score, data::text AS data, note FROM members ORDER BY id");
      expect(members).toEqual([
        { id: 1, mood: "happy", score: "1.00", data: '{"n": 1}', note: "note-1" },
        { id: 2, mood: "happy", score: "2.00", data: null, note: null },
        { id: 3, mood: "happy", score: "3.00", data: '{"n": 3}', note: "note-3" },
        { id: 4, mood: "happy", score: "4.00", data: null, note: null },
      ]);
      const teams = await db.query<{ name: string; refs: number }>(
        "SELECT t.name, (SELECT count(*)::int FROM members m WHERE m.team_id = t.id) AS refs FROM teams t ORDER BY t.name",
      );
      expect(teams).toEqual([
        { name: "name-1", refs: 1 },
        { name: "name-2", refs: 1 },
        { name: "name-3", refs: 1 },
        { name: "name-4", refs: 1 },
      ]);
    });

    it("says in a note which table --rows cannot fill, and goes on", async () => {
      const run = await verify(
        { "001_checked.sql": "CREATE TABLE IF NOT EXISTS checked (code TEXT NOT NULL CHECK (code IN ('a', 'b')));\n", "002_next.sql": "SELECT 1;\n" },
        { rows: 3 },
      );
      expect(run.notes).toEqual([
        '--rows: cannot fill checked (it keeps 0 rows): new row for relation "checked" violates check constraint "checked_code_check" (SQLSTATE 23514). Failing row contains (code-1).',
      ]);
      expect(run.failed).toBe(0);
    });

    it("leaves alone the schemas that held objects before it started (a server database's own)", async () => {
      await db.exec("CREATE SCHEMA legacy; CREATE TABLE legacy.accounts (id INTEGER PRIMARY KEY);");
      const run = await verify({ "001_users.sql": USERS, "002_next.sql": "SELECT 1;\n" }, { rows: 2 });
      expect(run.notes).toEqual(["schemas that held objects before verify started are left alone (not read, filled or compared): legacy"]);
      expect(await db.query("SELECT (SELECT count(*)::int FROM legacy.accounts) AS legacy, (SELECT count(*)::int FROM users) AS users")).toEqual([{ legacy: 0, users: 2 }]);
    });

    it("runs --seed first", async () => {
      const run = await verify(
        { "001_unique_email.sql": "CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users (email);\n" },
        { seed: { path: "seed.sql", text: `${USERS}INSERT INTO users (email) VALUES ('a@example.com'), ('a@example.com');\n` } },
      );
      expect(verifyFindings(run.result("001_unique_email.sql"))).toEqual([
        `1:1-1:67 verify-error ${PG} rejects this statement: could not create unique index "users_email_key" (SQLSTATE 23505). Key (email)=(a@example.com) is duplicated.`,
      ]);
    });

    it("stops at a --seed that fails, with its position", async () => {
      const outcome = await verifyMigrations({
        database: db,
        files: [path.join(folder({ "001.sql": "SELECT 1;\n" }), "001.sql")],
        seed: { path: "seed.sql", text: "CREATE TABLE a (id int);\nINSERT INTO missing VALUES (1);\n" },
      });
      expect(outcome).toEqual({ ok: false, message: '--seed seed.sql:2:13: relation "missing" does not exist (SQLSTATE 42P01).' });
    });

    it("points inside the statement when PostgreSQL gives a position", async () => {
      const run = await verify({ "001_bad.sql": "BEGIN;\nSELECT id,\n       nope\nFROM (SELECT 1 AS id) AS t;\nCOMMIT;\n" });
      expect(verifyFindings(run.result("001_bad.sql"))).toEqual([
        `3:8-3:12 verify-error ${PG} rejects this statement: column "nope" does not exist (SQLSTATE 42703). Its transaction (from line 1) was rolled back. The rest of the migration did not run.`,
      ]);
    });

    it("runs CREATE INDEX CONCURRENTLY outside the transaction it opens around the file", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_index.sql": "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS plan TEXT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_plan_idx ON users (plan);\n",
      });
      expect(run.results.flatMap(verifyFindings)).toEqual([]);
      expect(run.notes).toEqual([`002_index.sql:3: runs outside a transaction, so the locks it takes are released before they can be read`]);
      const indexes = await db.query<{ name: string }>("SELECT indexrelid::regclass::text AS name FROM pg_catalog.pg_index WHERE indrelid = 'users'::regclass ORDER BY 1");
      expect(indexes.map((index) => index.name)).toEqual(["users_pkey", "users_plan_idx"]);
    });
  });

  describe("locks and rewrites", () => {
    it("adds the ACCESS EXCLUSIVE lock and the rewrite of ALTER COLUMN TYPE to the change-column-type finding", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_widen.sql": "BEGIN;\nALTER TABLE users ALTER COLUMN age TYPE BIGINT;\nUPDATE users SET age = 0 WHERE age < 0;\nCOMMIT;\n",
      });
      const result = run.result("002_widen.sql");
      expectEvidence(finding(result, "change-column-type"), `${PG}: took ACCESS EXCLUSIVE on users, held from line 2 to COMMIT at line 4; users was rewritten and its index rebuilt.`);
      expect(verifyFindings(result)).toEqual([]);
    });

    it("adds the SHARE lock of CREATE INDEX to the require-concurrent-index finding", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_index.sql": "SET lock_timeout = '2s';\nCREATE INDEX IF NOT EXISTS users_email_idx ON users (email);\n",
      });
      const result = run.result("002_index.sql");
      expectEvidence(finding(result, "require-concurrent-index"), `${PG}: took SHARE on users, held from line 2 until the transaction commits after line 2.`);
      expect(verifyFindings(result)).toEqual([]);
    });

    it("sees no rewrite for ADD COLUMN with a constant default (PostgreSQL 11+), and reports none", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_add.sql": "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS premium BOOLEAN DEFAULT false;\n",
      });
      const result = run.result("002_add.sql");
      expect(result.findings.filter((candidate) => /rewritten|Verified/.test(candidate.message))).toEqual([]);
      expect(verifyFindings(result)).toEqual([]);
    });

    it("says when a rewrite a static rule claims did not happen", async () => {
      // varchar(20) → varchar(40) is binary-compatible: change-column-type warns, PostgreSQL does not rewrite.
      const run = await verify({
        "001_users.sql": "CREATE TABLE IF NOT EXISTS users (id BIGINT PRIMARY KEY, name VARCHAR(20));\n",
        "002_widen.sql": "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN name TYPE VARCHAR(40);\n",
      });
      expectEvidence(finding(run.result("002_widen.sql"), "change-column-type"), `${PG}: took ACCESS EXCLUSIVE on users, held from line 2 until the transaction commits after line 2; users was not rewritten.`);
    });

    it("reports a rewrite no static rule reported: one a function runs", async () => {
      const run = await verify({
        "001_users.sql":
          USERS +
          "CREATE OR REPLACE FUNCTION widen_age() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  ALTER TABLE users ALTER COLUMN age TYPE BIGINT;\nEND\n$$;\n",
        "002_widen.sql": "SET lock_timeout = '2s';\nSELECT widen_age();\n",
      });
      expect(verifyFindings(run.result("002_widen.sql"))).toEqual([
        `2:1-2:19 verify-rewrite This statement rewrote users on ${PG}: the table got a new file (its relfilenode changed), so every row was copied and its index rebuilt, ` +
          "under an ACCESS EXCLUSIVE lock. No static finding reported the rewrite; on a large table it lasts as long as copying the table.",
      ]);
      expect(shortFindings(run.result("002_widen.sql"))).toEqual([
        "verify-rewrite This statement rewrote users under ACCESS EXCLUSIVE, and no rule reported it | " +
          "Use a form that needs no rewrite (a constant default, a binary-compatible type, NOT VALID then VALIDATE), or expand/contract with batched backfills",
      ]);
    });

    it("reports a lock that blocks writes, held while later statements run, when no static finding mentions it", async () => {
      const run = await verify({
        "001_tables.sql": `${USERS}CREATE TABLE IF NOT EXISTS audit (id BIGINT PRIMARY KEY, at TIMESTAMPTZ);\n`,
        "002_lock.sql":
          "BEGIN;\nSET LOCAL lock_timeout = '2s';\nLOCK TABLE users IN SHARE MODE;\nINSERT INTO audit (id) VALUES (1);\nINSERT INTO audit (id) VALUES (2);\nCOMMIT;\n",
      });
      expect(verifyFindings(run.result("002_lock.sql"))).toEqual([
        "3:1-3:31 verify-lock SHARE on users held from line 3 to COMMIT at line 6: it blocks INSERT, UPDATE and DELETE on the table; reads go on while the statements after it run. " +
          `Observed on ${PG}; no static finding reported this lock.`,
      ]);
      expect(shortFindings(run.result("002_lock.sql"))).toEqual([
        "verify-lock SHARE on users held from line 3 to COMMIT at line 6, and no rule reported it | " +
          "Take the lock on users last in its transaction or move the statements after it to their own transaction; set lock_timeout",
      ]);
    });

    it("says a statement's lock was held since an earlier line when an earlier statement took it", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_serial.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS note text;\nALTER TABLE users ADD COLUMN IF NOT EXISTS seq serial;\n",
      });
      const result = run.result("002_serial.sql");
      const onSerial = result.findings.filter((each) => each.loc.start.line === 3 && !each.ruleId.startsWith("verify-"));
      // The case: SERIAL's sequence adds SHARE, under the ACCESS EXCLUSIVE the line before took (it said "took SHARE").
      expect(onSerial.map((each) => each.evidence).join("\n")).toContain(`${PG}: ACCESS EXCLUSIVE on users, held since line 2 (it also took SHARE); users was rewritten`);
      expect(result.findings.filter((each) => each.ruleId === "verify-mismatch")).toEqual([]);
    });

    it("gives a statement that took no new lock the one it ran under, from the earlier line that took it", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_check.sql": "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS note text;\nALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0);\n",
      });
      const result = run.result("002_check.sql");
      const onCheck = result.findings.filter((each) => each.loc.start.line === 3 && !each.ruleId.startsWith("verify-"));
      expect(onCheck.map((each) => `${each.ruleId}: ${each.evidence}`)).toContain(`constraint-missing-not-valid: ${PG}: ACCESS EXCLUSIVE on users needed, ACCESS EXCLUSIVE held since line 2.`);
    });

    it("reports a lock PostgreSQL took that the static analysis did not claim as verify-mismatch", async () => {
      // Dropping a foreign key takes ACCESS EXCLUSIVE on the table it references; with a name that says nothing of it
      // (and no earlier migration in the file), the facts do not know the key is one, nor which table it references.
      const run = await verify({
        "001_users.sql": `${USERS}CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, user_id BIGINT CONSTRAINT owner REFERENCES users (id));\n`,
        "002_cascade.sql": "SET lock_timeout = '5s';\nALTER TABLE orders DROP CONSTRAINT owner, ADD CONSTRAINT by_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;\n",
      });
      const mismatch = finding(run.result("002_cascade.sql"), "verify-mismatch");
      expect(mismatch?.message).toBe("SHARE ROW EXCLUSIVE on users claimed, PostgreSQL took ACCESS EXCLUSIVE");
      expect(mismatch?.severity).toBe("careful");
      expect(mismatch?.explanation).toMatch(new RegExp(`^The static analysis says .* takes a SHARE ROW EXCLUSIVE lock on users; on ${PG}, right after the statement, its transaction took ACCESS EXCLUSIVE on users\\.`));
      // The gap it found on marquez and hatchet (the key dropped and added again under its name) is closed: no mismatch.
      await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
      const fixed = await verify({
        "001_users.sql": `${USERS}CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, user_id BIGINT CONSTRAINT orders_user_fkey REFERENCES users (id));\n`,
        "002_cascade.sql":
          "SET lock_timeout = '5s';\nALTER TABLE orders DROP CONSTRAINT orders_user_fkey, ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;\n",
      });
      expect(finding(fixed.result("002_cascade.sql"), "verify-mismatch")).toBeUndefined();
    });

    it("takes no lock from IF NOT EXISTS that had nothing to do for a mismatch, and resolves names through search_path", async () => {
      const run = await verify({
        "001_users.sql": `${USERS}CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY);\nCREATE SCHEMA IF NOT EXISTS app;\nCREATE TABLE app.users (id BIGINT PRIMARY KEY);\n`,
        "002_orders.sql": "CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users (id));\n",
        "003_app.sql": "BEGIN;\nSET LOCAL search_path TO app;\nCREATE TABLE items (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users (id));\nCOMMIT;\n",
      });
      expect(finding(run.result("002_orders.sql"), "verify-mismatch")).toBeUndefined();
      expect(finding(run.result("003_app.sql"), "verify-mismatch")).toBeUndefined();
    });

    it("lints each migration with what the earlier ones left, as migsafe lint does: a key they created, dropped, is no mismatch (openmeter)", async () => {
      const run = await verify({
        "V1__init.sql": "CREATE TABLE apps (id bigint PRIMARY KEY);\nCREATE TABLE profiles (id bigint PRIMARY KEY, app_id bigint);\nALTER TABLE profiles ADD CONSTRAINT profiles_apps_app FOREIGN KEY (app_id) REFERENCES apps (id);\n",
        "V2__swap.sql": "ALTER TABLE profiles DROP CONSTRAINT profiles_apps_app, ADD CONSTRAINT profiles_app FOREIGN KEY (app_id) REFERENCES apps (id);\n",
      });
      expect(finding(run.result("V2__swap.sql"), "verify-mismatch")).toBeUndefined();
      expect(finding(run.result("V2__swap.sql"), "require-lock-timeout")?.explanation).toContain("It also takes an ACCESS EXCLUSIVE lock on apps");
    });

    it("takes no mismatch from IF EXISTS that had nothing to do under a weaker lock an earlier statement took (hatchet)", async () => {
      const run = await verify({
        "001_users.sql": `${USERS}CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n`,
        "002_triggers.sql":
          "BEGIN;\nCREATE TRIGGER users_touch AFTER INSERT ON users FOR EACH STATEMENT EXECUTE FUNCTION touch();\nDROP TRIGGER IF EXISTS users_gone ON users;\nCOMMIT;\n",
      });
      expect(finding(run.result("002_triggers.sql"), "verify-mismatch")).toBeUndefined();
    });

    it("reports the ACCESS EXCLUSIVE lock of ALTER TABLE held through an index build in the same transaction", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_plan.sql":
          "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS plan TEXT;\nCREATE INDEX IF NOT EXISTS users_plan_idx ON users (plan);\n",
      });
      const result = run.result("002_plan.sql");
      expect(verifyFindings(result)).toEqual([
        "2:1-2:53 verify-lock ACCESS EXCLUSIVE on users held from line 2 until the transaction commits after line 3: it blocks every read and write of the table while the statements after it run. " +
          `Observed on ${PG}; no static finding reported this lock.`,
      ]);
      // The index build's own SHARE lock is evidence on its static finding.
      expectEvidence(finding(result, "require-concurrent-index"), `${PG}: ACCESS EXCLUSIVE on users, held since line 2 (it also took SHARE).`);
    });

    it("adds what dynamic SQL in a DO block did to the finding that could not see it", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_do.sql": "SET lock_timeout = '2s';\nDO $$ DECLARE t text := 'bigint'; BEGIN EXECUTE 'ALTER TABLE users ALTER COLUMN age TYPE ' || t; END $$;\n",
      });
      expectEvidence(finding(run.result("002_do.sql"), "dynamic-sql-in-do-block"), `${PG}: took ACCESS EXCLUSIVE on users, held from line 2 until the transaction commits after line 2; users was rewritten and its index rebuilt.`);
    });
  });

  describe("rollback round trip", () => {
    it("reports what a rollback file leaves behind, at the rollback file", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_premium.sql":
          "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS premium_tier TEXT DEFAULT 'free';\nALTER TABLE users ADD COLUMN IF NOT EXISTS premium_since DATE;\n",
        "002_premium_rollback.sql": "-- Undo 002.\nALTER TABLE users DROP COLUMN IF EXISTS premium_since;\n",
      });
      expect(verifyFindings(run.result("002_premium_rollback.sql"))).toEqual([
        "2:1-2:54 verify-rollback The rollback leaves column users.premium_tier, which did not exist before the migration (the rollback file was run right after the migration, and the schemas compared).",
      ]);
      expect(verifyFindings(run.result("002_premium.sql"))).toEqual([]);
      // The database goes on from the migration, not from its rollback.
      const columns = await db.query<{ name: string }>("SELECT attname AS name FROM pg_catalog.pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 ORDER BY attnum");
      expect(columns.map((column) => column.name)).toEqual(["id", "email", "age", "premium_tier", "premium_since"]);
    });

    it("reports what a rollback does not restore, and a definition it changes", async () => {
      const run = await verify({
        "001_users.sql": `${USERS}CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);\n`,
        "002_change.sql":
          "BEGIN;\nSET LOCAL lock_timeout = '2s';\nDROP INDEX IF EXISTS users_email_idx;\nALTER TABLE users ALTER COLUMN email SET DEFAULT '';\nCOMMIT;\n\n" +
          "-- Rollback:\n-- BEGIN;\n-- ALTER TABLE users ALTER COLUMN email SET DEFAULT 'none';\n-- COMMIT;\n",
      });
      expect(verifyFindings(run.result("002_change.sql"))).toEqual([
        "7:1-10:11 verify-rollback The rollback does not restore column users.email as it was: text before the migration, text DEFAULT 'none'::text after the rollback " +
          "(the rollback block was run right after the migration, and the schemas compared).",
        "7:1-10:11 verify-rollback The rollback does not restore index users_email_idx, which existed before the migration (the rollback block was run right after the migration, and the schemas compared).",
      ]);
    });

    it("accepts a rollback that restores the schema, and proves the round trip", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_premium.sql":
          "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS premium_tier TEXT DEFAULT 'free';\nCOMMIT;\n" +
          "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_premium_tier_idx ON users (premium_tier);\n",
        "002_premium_rollback.sql": "DROP INDEX CONCURRENTLY IF EXISTS users_premium_tier_idx;\nALTER TABLE users DROP COLUMN IF EXISTS premium_tier;\n",
      });
      expect(run.results.map((result) => path.basename(result.filePath))).toEqual(["001_users.sql", "002_premium.sql", "002_premium_rollback.sql"]);
      expect(run.results.flatMap(verifyFindings)).toEqual([]);
    });

    it("reports a round trip that fails: the migration does not apply again after its rollback", async () => {
      // The rollback restores the schema, but leaves a row the migration's INSERT cannot add twice.
      const run = await verify({
        "001_plans.sql": "CREATE TABLE IF NOT EXISTS plans (name TEXT PRIMARY KEY);\n",
        "002_seed.sql": "INSERT INTO plans (name) VALUES ('free');\n\n-- Rollback:\n-- SELECT 1;\n",
      });
      expect(verifyFindings(run.result("002_seed.sql"))).toEqual([
        '1:1-1:41 verify-rollback The round trip fails: after the rollback block, applying the migration again fails here: duplicate key value violates unique constraint "plans_pkey" (SQLSTATE 23505). ' +
          "Key (name)=(free) already exists. The rollback does not return the database to a state the migration applies to.",
      ]);
    });

    it("reports a rollback that PostgreSQL rejects, as dangerous", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_premium.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS premium_tier TEXT;\n",
        "002_premium.down.sql": "ALTER TABLE users DROP COLUMN premium;\n",
      });
      const result = run.result("002_premium.down.sql");
      expect(verifyFindings(result)).toEqual([
        `1:1-1:38 verify-error ${PG} rejects this statement of the rollback file, run right after the migration: column "premium" of relation "users" does not exist (SQLSTATE 42703). ` +
          "The rollback would fail when it is needed.",
      ]);
      expect(finding(result, "verify-error")!.severity).toBe("dangerous");
    });

    it("reports a rollback block that does not parse, as dangerous", async () => {
      const run = await verify({ "001_users.sql": `${USERS}\n-- Rollback:\n/*\nDROP TABL users;\n*/\n` });
      expect(verifyFindings(run.result("001_users.sql"))).toEqual([
        '5:6-5:16 verify-error The rollback block does not parse, so PostgreSQL would reject it: syntax error at or near "TABL".',
      ]);
    });

    it("does not take a 'now' constant a rollback freezes again for a difference", async () => {
      const recent = "CREATE OR REPLACE VIEW recent AS SELECT id FROM events WHERE at > 'now'::timestamp - interval '1 day';\n";
      const run = await verify({
        "001_events.sql": `CREATE TABLE events (id bigint, at timestamp);\n${recent}`,
        "002_all.sql": "CREATE OR REPLACE VIEW recent AS SELECT id FROM events;\n",
        "002_all_rollback.sql": recent,
      });
      expect(verifyFindings(run.result("002_all_rollback.sql"))).toEqual([]);
    });

    it("checks a goose down section as the rollback", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_premium.sql": "-- +goose Up\nALTER TABLE users ADD COLUMN IF NOT EXISTS premium_tier TEXT;\nALTER TABLE users ADD COLUMN IF NOT EXISTS referrer TEXT;\n\n-- +goose Down\nALTER TABLE users DROP COLUMN IF EXISTS premium_tier;\n",
      });
      expect(verifyFindings(run.result("002_premium.sql"))).toEqual([
        "5:1-5:15 verify-rollback The rollback leaves column users.referrer, which did not exist before the migration (the down section was run right after the migration, and the schemas compared).",
      ]);
    });
  });

  describe("knock-on failures and names", () => {
    it("lists the failures that follow from a refused statement under it, naming migrations by their folder", async () => {
      const run = await verify({
        "20240101000000_touch/migration.sql": "CREATE TABLE users (id bigint);\nCREATE FUNCTION touch(cmd text) RETURNS void LANGUAGE plperlu AS $$ system($_[0]) $$;\n",
        "20240102000000_use/migration.sql": "SELECT touch('ANALYZE users');\n",
        "20240103000000_more/migration.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS name text;\n",
      });
      const refused = finding(run.result("20240101000000_touch/migration.sql"), "verify-refused")!;
      expect(refused.explanation).toMatch(
        /A later migration then failed on what this did not make, reported here instead of as findings of their own: 20240102000000_use\/migration\.sql:1 function touch\(unknown\) does not exist \(42883\)\.$/,
      );
      expect(verifyFindings(run.result("20240102000000_use/migration.sql"))).toEqual([]);
      expect([run.failed, run.knockOn]).toEqual([1, 1]);
    });

    it("keeps a failure that names nothing an earlier failure made as a finding of its own", async () => {
      const run = await verify({
        "001_users.sql": "CREATE TABLE users (id bigint);\nALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';\nSELECT * FROM nope;\n",
        "002_orders.sql": "SELECT * FROM missing_table;\n",
      });
      expect(finding(run.result("002_orders.sql"), "verify-error")?.message).toBe(`Fails on ${PG}: relation "missing_table" does not exist (42P01)`);
      expect([run.failed, run.knockOn]).toEqual([2, 0]);
    });

    it("takes prose after a rollback word for a plan, not for SQL to run", async () => {
      const run = await verify({
        "001_users.sql": USERS,
        "002_nick.sql": "-- ROLLBACK SAFETY: dropping the column is safe, nothing reads it yet.\nALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;\n",
      });
      expect(verifyFindings(run.result("002_nick.sql"))).toEqual([]);
    });
  });

  describe("--rerun", () => {
    it("does not run twice a migration its runner runs in one transaction (Prisma), and says so", async () => {
      const run = await verify({ "20240101000000_users/migration.sql": "CREATE TABLE users (id BIGINT PRIMARY KEY);\n" }, { rerun: true });
      expect(verifyFindings(run.result("20240101000000_users/migration.sql"))).toEqual([]);
      expect(run.notes).toContain("20240101000000_users/migration.sql: not run twice (--rerun): prisma runs it in one transaction, so a run that fails leaves nothing applied and runs again from the start");
    });

    it("reports a migration that fails the second time: CREATE TABLE without IF NOT EXISTS", async () => {
      const run = await verify(
        {
          "001_users.sql": "CREATE TABLE users (id BIGINT PRIMARY KEY);\n",
          "002_orders.sql": "CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY);\n",
        },
        { rerun: true },
      );
      expect(verifyFindings(run.result("001_users.sql"))).toEqual([
        '1:1-1:43 verify-rerun Not re-runnable: applying the migration a second time fails here: relation "users" already exists (SQLSTATE 42P07). ' +
          "A migration interrupted halfway (a lock timeout, a killed deploy) cannot simply be run again. " +
          "migsafe does not know which runner runs it: if yours runs each file in one transaction, a failed run leaves nothing applied and this does not matter.",
      ]);
      expect(finding(run.result("001_users.sql"), "verify-rerun")!.severity).toBe("careful");
      expect(shortFindings(run.result("001_users.sql"))).toEqual([
        'verify-rerun Not re-runnable: a second run fails here: relation "users" already exists (42P07) | ' +
          "Make each statement safe to run twice: CREATE … IF NOT EXISTS, DROP … IF EXISTS, ADD COLUMN IF NOT EXISTS, CREATE OR REPLACE",
      ]);
      expect(verifyFindings(run.result("002_orders.sql"))).toEqual([]);
      // The second application was rolled back: the database holds each table once, and 002 ran after 001.
      expect((await db.query<{ count: number }>("SELECT count(*)::int AS count FROM pg_catalog.pg_class WHERE relname IN ('users', 'orders')"))[0]!.count).toBe(2);
    });
  });
});
