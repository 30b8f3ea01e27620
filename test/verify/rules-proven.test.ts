/**
 * Rules proven, not claimed: every rule's docs page says, under "Why it is risky", which lock a
 * statement takes and whether it rewrites the table. This test runs the SQL of each page's
 * "Example" on PostgreSQL and checks those claims against what PostgreSQL did:
 *
 * - the lock level a bullet names must be the strongest lock (pg_locks, pid = pg_backend_pid())
 *   the statement held on the relation it is about;
 * - a bullet that says the table is rewritten must see its relfilenode change with its rows kept,
 *   one that says it is not (or "none") must see it unchanged, and TRUNCATE's "new empty files"
 *   must see a new relfilenode with no rows;
 * - an error message a bullet quotes must be the one PostgreSQL gave.
 *
 * It runs on PGlite (PostgreSQL 18, in process) and, when MIGSAFE_TEST_DATABASE_URL names one, on
 * a real server (PostgreSQL 15 in CI, see scripts/ci-postgres.sh), in a scratch database.
 *
 * The examples use tables they do not create: SPECS gives each rule the few tables (with rows) its
 * example needs, and says which bullet each statement is checked against. Each statement runs in a
 * transaction of its own, so that pg_locks shows exactly its locks (the example's BEGIN and COMMIT
 * are left out). Where the docs claim what PostgreSQL does not do, the test does not hide it:
 * KNOWN_MISMATCHES lists each such claim with what each engine did, and fails once the docs or
 * PostgreSQL stop disagreeing, so that the list is emptied as the docs are fixed.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseFile } from "../../src/parser/parse-file.js";
import { databaseError, type DatabaseError, type VerifyDatabase } from "../../src/verify/database.js";
import { openPgliteDatabase } from "../../src/verify/pglite-database.js";
import { openServerDatabase } from "../../src/verify/server-database.js";
import { docsSqlBlocks } from "../helpers.js";
import { testDatabaseUrl, testMissingServer } from "./server.js";

type Level =
  | "ACCESS SHARE"
  | "ROW SHARE"
  | "ROW EXCLUSIVE"
  | "SHARE UPDATE EXCLUSIVE"
  | "SHARE"
  | "SHARE ROW EXCLUSIVE"
  | "EXCLUSIVE"
  | "ACCESS EXCLUSIVE";

/** From weakest to strongest, with pg_locks' names. */
const LEVELS: readonly [Level, string][] = [
  ["ACCESS SHARE", "AccessShareLock"],
  ["ROW SHARE", "RowShareLock"],
  ["ROW EXCLUSIVE", "RowExclusiveLock"],
  ["SHARE UPDATE EXCLUSIVE", "ShareUpdateExclusiveLock"],
  ["SHARE", "ShareLock"],
  ["SHARE ROW EXCLUSIVE", "ShareRowExclusiveLock"],
  ["EXCLUSIVE", "ExclusiveLock"],
  ["ACCESS EXCLUSIVE", "AccessExclusiveLock"],
];

/** What happened to a relation's storage: "rewrite" keeps the rows in a new relfilenode, "new-empty-storage" does not. */
type Storage = "none" | "rewrite" | "new-empty-storage";

/** A claim checked: the bullet of "Why it is risky" whose bold label is `bullet`, about `relation`, for statement `statement`. */
type Check =
  /** The bullet's `nth` lock level (0: the first it names) is the strongest lock the statement held on the relation. */
  | { kind: "lock"; statement: number; relation: string; bullet: string; nth: number }
  /** The bullet says, in `quote`, that the relation is not locked: the statement held no lock on it. */
  | { kind: "no-lock"; statement: number; relation: string; bullet: string; quote: string }
  /** The bullet's rewrite claim (see rewriteClaim) is what happened to the relation's storage. */
  | { kind: "rewrite"; statement: number; relation: string; bullet: string }
  /** The statement fails, and the bullet quotes PostgreSQL's message. */
  | { kind: "error"; statement: number; bullet: string };

const lock = (statement: number, relation: string, bullet: string, nth = 0): Check => ({ kind: "lock", statement, relation, bullet, nth });
const noLock = (statement: number, relation: string, bullet: string, quote: string): Check => ({ kind: "no-lock", statement, relation, bullet, quote });
const rewrite = (statement: number, relation: string, bullet: string): Check => ({ kind: "rewrite", statement, relation, bullet });
const fails = (statement: number, bullet: string): Check => ({ kind: "error", statement, bullet });

interface Spec {
  /** What the example needs to exist first: tables with a few rows. */
  setup?: string;
  checks?: Check[];
  /** Statements that cannot run in a transaction block: they run alone, and only their rewrites can be seen. */
  outsideTransaction?: number[];
  /** Statements not run, and why. */
  skip?: Record<number, string>;
  /** Run all the statements in one transaction, because the claim is about sharing one. */
  oneTransaction?: true;
  /** Why the example is not run at all. */
  notRun?: string;
  /** Why the "Lock" or "Rewrite" bullet, which makes a claim, is not checked. */
  unchecked?: { Lock?: string; Rewrite?: string };
}

const rows = (table: string, columns: string, values: string) => `INSERT INTO ${table} (${columns}) VALUES ${values};`;

/** Statement indexes count across the example's SQL blocks, BEGIN and COMMIT left out. */
const SPECS: Record<string, Spec> = {
  "add-serial-column": {
    setup: `CREATE TABLE events (name text); ${rows("events", "name", "('a'), ('b')")}
            CREATE TABLE audit (action text); ${rows("audit", "action", "('x'), ('y')")}`,
    checks: [lock(0, "events", "Lock"), rewrite(0, "events", "Rewrite"), lock(1, "audit", "Lock"), rewrite(1, "audit", "Rewrite")],
  },
  "add-stored-generated-column": {
    setup: `CREATE TABLE orders (id bigint PRIMARY KEY, price numeric, quantity int); ${rows("orders", "id, price, quantity", "(1, 2.5, 2), (2, 10, 1)")}`,
    checks: [lock(0, "orders", "Lock"), rewrite(0, "orders", "Rewrite")],
  },
  "change-column-type": {
    setup: `CREATE TABLE orders (id bigint PRIMARY KEY, amount int); ${rows("orders", "id, amount", "(1, 100), (2, 250)")}`,
    checks: [lock(0, "orders", "Lock"), rewrite(0, "orders", "Rewrite")],
  },
  "change-default": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, status text); ${rows("users", "id, status", "(1, 'new'), (2, NULL)")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Rewrite")],
  },
  "constraint-missing-not-valid": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY); ${rows("users", "id", "(1), (2)")}
            CREATE TABLE shops (id bigint PRIMARY KEY); ${rows("shops", "id", "(1)")}
            CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, shop_id bigint, total numeric);
            ${rows("orders", "id, user_id, shop_id, total", "(1, 1, 1, 10), (2, 2, 1, 0)")}`,
    checks: [
      lock(0, "orders", "CHECK"),
      rewrite(0, "orders", "CHECK"),
      lock(1, "orders", "FOREIGN KEY"),
      lock(1, "users", "FOREIGN KEY"),
      lock(2, "orders", "ADD COLUMN"),
      // "the ADD's … SHARE ROW EXCLUSIVE (foreign key) lock": the 4th level the bullet names.
      lock(3, "orders", "VALIDATE in the same transaction", 3),
      lock(3, "shops", "VALIDATE in the same transaction", 3),
      // "VALIDATE CONSTRAINT on its own takes only SHARE UPDATE EXCLUSIVE (…; ROW SHARE on the referenced table)".
      lock(4, "orders", "VALIDATE in the same transaction", 0),
      lock(4, "shops", "VALIDATE in the same transaction", 1),
    ],
  },
  "delete-without-where": {
    setup: `CREATE TABLE sessions (id bigint PRIMARY KEY, data text); ${rows("sessions", "id, data", "(1, 'a'), (2, 'b')")}`,
    checks: [lock(0, "sessions", "Lock"), rewrite(0, "sessions", "Rewrite")],
  },
  "domain-constraint": {
    setup: `CREATE DOMAIN us_zip AS text; CREATE DOMAIN email AS text;
            CREATE TABLE addresses (id bigint PRIMARY KEY, zip us_zip); ${rows("addresses", "id, zip", "(1, '12345'), (2, '54321')")}
            CREATE TABLE contacts (id bigint PRIMARY KEY, address email); ${rows("contacts", "id, address", "(1, 'a@example.com')")}`,
    checks: [lock(0, "addresses", "Lock"), rewrite(0, "addresses", "Lock"), lock(1, "contacts", "Lock"), rewrite(1, "contacts", "Lock")],
  },
  "drop-column": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, legacy_name text); ${rows("users", "id, legacy_name", "(1, 'a'), (2, 'b')")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Lock")],
  },
  "drop-database": {
    notRun:
      "DROP DATABASE drops a database of the server, outside any scratch database or schema, and cannot run in a transaction block; it takes no table lock to observe",
  },
  "not-checked": {
    notRun: "the example is TypeScript whose SQL is built at run time, which is what the rule reports; the page claims no lock",
  },
  "drop-function": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, updated_at timestamptz); ${rows("users", "id", "(1), (2)")}
            CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
            CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();`,
    // With the trigger, CASCADE drops it: the CASCADE bullet's lock on its table.
    checks: [lock(0, "users", "CASCADE")],
  },
  "drop-materialized-view": {
    setup: `CREATE TABLE payments (id bigint PRIMARY KEY, paid_at timestamptz, amount numeric);
            ${rows("payments", "id, paid_at, amount", "(1, '2024-01-05', 10), (2, '2024-02-07', 20)")}
            CREATE MATERIALIZED VIEW monthly_revenue AS SELECT date_trunc('month', paid_at) AS month, sum(amount) AS revenue FROM payments GROUP BY 1;`,
    checks: [
      lock(0, "monthly_revenue", "Lock"),
      noLock(0, "payments", "Lock", "the underlying tables are not locked"),
      rewrite(0, "payments", "Lock"),
    ],
  },
  "drop-not-null": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL); ${rows("users", "id, email", "(1, 'a@example.com'), (2, 'b@example.com')")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Rewrite")],
  },
  "drop-schema": {
    setup: `CREATE SCHEMA reporting; CREATE TABLE reporting.daily (day date PRIMARY KEY, total numeric);
            ${rows("reporting.daily", "day, total", "('2024-01-01', 1), ('2024-01-02', 2)")}`,
    checks: [lock(0, "reporting.daily", "Lock"), rewrite(0, "reporting.daily", "Lock")],
  },
  "drop-sequence": {
    setup: `CREATE SEQUENCE invoice_number_seq;
            CREATE TABLE invoices (id bigint PRIMARY KEY, number bigint DEFAULT nextval('invoice_number_seq')); ${rows("invoices", "id", "(1), (2)")}`,
    checks: [lock(0, "invoice_number_seq", "Lock"), lock(0, "invoices", "CASCADE")],
  },
  "drop-table": {
    setup: `CREATE TABLE legacy_sessions (id bigint PRIMARY KEY, data text); ${rows("legacy_sessions", "id, data", "(1, 'a'), (2, 'b')")}`,
    checks: [lock(0, "legacy_sessions", "Lock")],
  },
  "drop-type": {
    setup: `CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
            CREATE TABLE orders (id bigint PRIMARY KEY, status order_status); ${rows("orders", "id, status", "(1, 'pending'), (2, 'paid')")}`,
    checks: [lock(0, "orders", "CASCADE: data loss."), rewrite(0, "orders", "CASCADE: data loss.")],
  },
  "drop-view": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, email text, deleted_at timestamptz); ${rows("users", "id, email", "(1, 'a@example.com')")}
            CREATE VIEW active_users AS SELECT id, email FROM users WHERE deleted_at IS NULL;`,
    // Two SQL blocks, each run from the setup: statement 0 is the first block's DROP, 1 the second's.
    checks: [
      lock(0, "active_users", "Lock"),
      noLock(0, "users", "Lock", "The tables under the view are not locked"),
      rewrite(0, "users", "Lock"),
      lock(1, "active_users", "Lock"),
      noLock(1, "users", "Lock", "The tables under the view are not locked"),
    ],
  },
  "dynamic-sql-in-do-block": {
    setup: `CREATE TABLE tmp_import (id bigint); CREATE TABLE users (id bigint PRIMARY KEY); ${rows("users", "id", "(1)")}`,
    checks: [lock(0, "tmp_import", "Lock"), noLock(0, "users", "What breaks", "a loop over `pg_tables` can touch many more tables than intended")],
  },
  "enum-add-value-in-transaction": {
    setup: `CREATE TYPE order_status AS ENUM ('pending', 'paid');
            CREATE TABLE orders (id bigint PRIMARY KEY, status order_status, shipped_at timestamptz);
            ${rows("orders", "id, status, shipped_at", "(1, 'paid', '2024-01-01'), (2, 'pending', NULL)")}`,
    oneTransaction: true,
    checks: [fails(1, "What breaks, PostgreSQL 12+")],
  },
  "forbidden-in-transaction": {
    setup: `CREATE TABLE orders (id bigint PRIMARY KEY); ${rows("orders", "id", "(1), (2)")}`,
    checks: [fails(1, "What breaks"), rewrite(1, "orders", "Lock and rewrite")],
  },
  "hard-delete": {
    setup: `CREATE TABLE accounts (id bigint PRIMARY KEY, last_login date); ${rows("accounts", "id, last_login", "(1, '2019-05-01'), (2, '2024-05-01')")}`,
    checks: [lock(0, "accounts", "Lock"), rewrite(0, "accounts", "Rewrite")],
  },
  "ignore-directive": {
    // The page makes no lock or rewrite claim; its example must still run.
    setup: `CREATE TABLE legacy_sessions (id bigint); CREATE TABLE users (id bigint PRIMARY KEY, middle_name text); ${rows("users", "id", "(1)")}`,
  },
  "missing-if-not-exists": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, email text); ${rows("users", "id, email", "(1, 'a@example.com'), (2, 'b@example.com')")}`,
    outsideTransaction: [0],
    checks: [rewrite(0, "users", "Rewrite"), rewrite(1, "users", "Rewrite")],
  },
  "not-null-without-backfill": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, email text); ${rows("users", "id, email", "(1, 'a@example.com'), (2, 'b@example.com')")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Rewrite")],
  },
  "prefer-bigint-keys": {
    // Its lock and rewrite claims are about a later ALTER COLUMN … TYPE ("Rewrite and lock, later").
    setup: `CREATE TABLE users (id bigint PRIMARY KEY); ${rows("users", "id", "(1)")}`,
  },
  "prefer-identity": {},
  "prefer-text": {},
  "prefer-timestamptz": {},
  "refresh-matview-concurrently": {
    setup: `CREATE TABLE payments (id bigint PRIMARY KEY, paid_at timestamptz, amount numeric);
            ${rows("payments", "id, paid_at, amount", "(1, '2024-01-05', 10), (2, '2024-01-06', 20)")}
            CREATE MATERIALIZED VIEW daily_revenue AS SELECT paid_at::date AS day, sum(amount) AS revenue FROM payments GROUP BY 1;`,
    checks: [lock(0, "daily_revenue", "Lock"), rewrite(0, "daily_revenue", "Rewrite")],
  },
  "rename-column": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, email text); ${rows("users", "id, email", "(1, 'a@example.com')")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Lock")],
  },
  "rename-table": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, email text); ${rows("users", "id, email", "(1, 'a@example.com')")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Lock")],
  },
  "rename-type": {
    setup: `CREATE TYPE order_status AS ENUM ('pending', 'shipped');
            CREATE TABLE orders (id bigint PRIMARY KEY, status order_status); ${rows("orders", "id, status", "(1, 'pending'), (2, 'shipped')")}`,
    // Two SQL blocks, each run from the setup: statement 0 renames a value, 1 the type.
    checks: [noLock(0, "orders", "Lock", "no table lock"), rewrite(0, "orders", "Lock"), noLock(1, "orders", "Lock", "no table lock"), rewrite(1, "orders", "Lock")],
  },
  "require-concurrent-index-drop": {
    setup: `CREATE TABLE orders (id bigint PRIMARY KEY, status text, legacy text); ${rows("orders", "id, status", "(1, 'paid'), (2, 'new')")}
            CREATE INDEX orders_status_idx ON orders (status); CREATE INDEX orders_legacy_idx ON orders (legacy);`,
    checks: [lock(0, "orders", "Lock"), rewrite(0, "orders", "How long")],
  },
  "require-concurrent-index": {
    setup: `CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint); ${rows("orders", "id, customer_id", "(1, 10), (2, 20)")}`,
    checks: [lock(0, "orders", "Lock"), rewrite(0, "orders", "Rewrite")],
  },
  "require-concurrent-reindex": {
    setup: `CREATE TABLE orders (id bigint PRIMARY KEY, status text); ${rows("orders", "id, status", "(1, 'paid'), (2, 'new')")}`,
    // "a SHARE lock on the table … and an ACCESS EXCLUSIVE lock on the index being rebuilt".
    checks: [lock(0, "orders", "Lock", 0), lock(0, "orders_pkey", "Lock", 1), rewrite(0, "orders", "Rewrite")],
  },
  "require-lock-timeout": {
    setup: `CREATE TABLE orders (id bigint PRIMARY KEY); ${rows("orders", "id", "(1), (2)")}`,
    checks: [lock(0, "orders", "Lock")],
  },
  "require-primary-key": {},
  "require-rollback": {
    // "Lock: none by itself" is about the missing rollback, not about the example's ALTER TABLE.
    setup: `CREATE TABLE users (id bigint PRIMARY KEY); ${rows("users", "id", "(1), (2)")}`,
    checks: [rewrite(0, "users", "Rewrite")],
  },
  "require-transaction": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY); ${rows("users", "id", "(1), (2)")}`,
  },
  "schema-change-with-backfill": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY); ${rows("users", "id", "(1), (2)")}`,
    checks: [lock(0, "users", "Lock")],
  },
  "standard-conforming-strings-off": {
    setup: "CREATE TABLE settings (name text, value text);",
  },
  "table-rewrite": {
    setup: `CREATE TABLE orders (id bigint PRIMARY KEY, note text); ${rows("orders", "id, note", "(1, 'a'), (2, 'b')")}
            CREATE TABLE events (id bigint PRIMARY KEY); ${rows("events", "id", "(1)")}`,
    outsideTransaction: [0],
    skip: { 1: "SET TABLESPACE archive needs a tablespace, whose directory is on the server's file system, outside any database" },
    checks: [rewrite(0, "orders", "Rewrite")],
    unchecked: { Lock: "VACUUM FULL cannot run in a transaction block, where pg_locks would show its lock after it ends" },
  },
  "transaction-nesting": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY); ${rows("users", "id", "(1), (2)")}`,
  },
  truncate: {
    setup: `CREATE TABLE events (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text); ${rows("events", "name", "('a'), ('b')")}
            CREATE TABLE event_tags (event_id bigint REFERENCES events, tag text); ${rows("event_tags", "event_id, tag", "(1, 'x')")}`,
    checks: [lock(0, "events", "Lock"), lock(0, "event_tags", "Lock"), rewrite(0, "events", "Rewrite"), rewrite(0, "event_tags", "Rewrite")],
  },
  "unique-constraint-without-index": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, email text); ${rows("users", "id, email", "(1, 'a@example.com'), (2, 'b@example.com')")}
            CREATE TABLE accounts (id bigint, name text); ${rows("accounts", "id, name", "(1, 'a'), (2, 'b')")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Rewrite"), lock(1, "accounts", "Lock"), rewrite(1, "accounts", "Rewrite")],
  },
  "update-without-where": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY, email text); ${rows("users", "id, email", "(1, 'A@example.com'), (2, 'b@example.com')")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Every row rewritten in place")],
  },
  "volatile-default": {
    setup: `CREATE TABLE users (id bigint PRIMARY KEY); ${rows("users", "id", "(1), (2)")}`,
    checks: [lock(0, "users", "Lock"), rewrite(0, "users", "Rewrite")],
  },
};

type EngineName = "PostgreSQL 15 server" | "PGlite";

/** What PostgreSQL did that the docs do not say, per engine; the test fails when one of these stops being true. */
interface Mismatch {
  rule: string;
  check: Check;
  /** What was observed, per engine where it differs from the claim. */
  observed: Partial<Record<EngineName, Level | Storage | "no lock" | string>>;
  why: string;
}

const KNOWN_MISMATCHES: Mismatch[] = [];

// ---------------------------------------------------------------------------------------------
// Reading the docs

interface Bullet {
  label: string;
  text: string;
}

/** The bullets of a page's "Why it is risky" section: label (bold lead, backticks and colon dropped) and the text after it. */
function riskBullets(ruleId: string): Bullet[] {
  const page = fs.readFileSync(new URL(`../../docs/rules/${ruleId}.md`, import.meta.url), "utf8");
  const section = page.split("\n## Why it is risky\n")[1]?.split("\n## ")[0] ?? "";
  const bullets: string[] = [];
  for (const line of section.split("\n")) {
    if (line.startsWith("- ")) bullets.push(line.slice(2));
    else if (line.trim() !== "" && bullets.length > 0 && /^\s/.test(line)) bullets[bullets.length - 1] += ` ${line.trim()}`;
  }
  return bullets.flatMap((bullet) => {
    const match = /^\*\*(.+?)\*\*(.*)$/.exec(bullet);
    if (!match) return [];
    return [{ label: match[1]!.replace(/`/g, "").replace(/:$/, ""), text: match[2]!.trim() }];
  });
}

function bullet(ruleId: string, label: string): Bullet {
  const found = riskBullets(ruleId).find((b) => b.label === label);
  if (!found) throw new Error(`docs/rules/${ruleId}.md has no "**${label}:**" bullet under "Why it is risky"`);
  return found;
}

/** The lock levels a bullet names, in order (each in backticks). */
function namedLevels(text: string): Level[] {
  const names = LEVELS.map(([level]) => level)
    .sort((a, b) => b.length - a.length)
    .join("|");
  return [...text.matchAll(new RegExp(`\`(${names})\``, "g"))].map((m) => m[1] as Level);
}

/**
 * What a bullet says about the table's storage. The phrases are the docs' own: "new empty files"
 * (TRUNCATE), "none" / "no rewrite" / "not rewritten" / "untouched", and "rewrite(s)" /
 * "new copy" / "written again" / "rebuilt in full".
 */
function rewriteClaim(text: string): Storage | undefined {
  if (/unknown until run time|depends on the statement/i.test(text)) return undefined;
  if (/new empty files/i.test(text)) return "new-empty-storage";
  if (/\bnone\b|no rewrite|not rewritten|nothing is rewritten|no table is rewritten|does not rewrite|untouched/i.test(text)) return "none";
  if (/rewrit|new copy|written again|rebuilt in full/i.test(text)) return "rewrite";
  return undefined;
}

/** The error messages a bullet quotes (in backticks, an "ERROR: " prefix dropped). */
function quotedMessages(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/^ERROR:\s*/, ""));
}

// ---------------------------------------------------------------------------------------------
// Running an example

interface Relation {
  oid: number;
  name: string;
  /** pg_class.relkind: "r" table, "m" materialized view, "i" index, "S" sequence, "v" view… */
  kind: string;
}

interface StatementRun {
  sql: string;
  /** Strongest lock held on each relation that existed before the example, by name; undefined when it could not be read. */
  locks?: Record<string, Level>;
  storage: Record<string, Storage>;
  error?: DatabaseError;
}

const strongest = (modes: string[]): Level | undefined => {
  let best = -1;
  for (const mode of modes) best = Math.max(best, LEVELS.findIndex(([, name]) => name === mode));
  return best === -1 ? undefined : LEVELS[best]![0];
};

/** The example's statements, each block on its own, without transaction control. */
function exampleBlocks(ruleId: string): string[][] {
  return docsSqlBlocks(ruleId, "Example").map((sql) =>
    parseFile(sql)
      .statements.filter((statement) => statement.kind !== "TransactionStmt")
      .map((statement) => statement.text),
  );
}

async function reset(db: VerifyDatabase): Promise<void> {
  await db.exec("ROLLBACK").catch(() => {});
  await db.exec(`DO $$
    DECLARE s text;
    BEGIN
      FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', s);
      END LOOP;
    END $$;
    CREATE SCHEMA public;`);
}

async function relations(db: VerifyDatabase): Promise<Relation[]> {
  return db.query<{ oid: number; name: string; kind: string }>(
    `SELECT c.oid, c.oid::regclass::text AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY c.oid`,
  );
}

async function fileNodes(db: VerifyDatabase, existing: Relation[]): Promise<Map<number, number>> {
  const rows = await db.query<{ oid: number; node: number }>("SELECT oid, relfilenode AS node FROM pg_class WHERE oid = ANY($1::oid[])", [
    existing.map((r) => r.oid),
  ]);
  return new Map(rows.map((r) => [r.oid, r.node]));
}

async function observe(db: VerifyDatabase, existing: Relation[], before: Map<number, number>, readLocks: boolean) {
  let locks: Record<string, Level> | undefined;
  if (readLocks) {
    const held = await db.query<{ oid: number; mode: string }>(
      "SELECT relation AS oid, mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND relation = ANY($1::oid[])",
      [existing.map((r) => r.oid)],
    );
    locks = {};
    for (const relation of existing) {
      const level = strongest(held.filter((h) => h.oid === relation.oid).map((h) => h.mode));
      if (level) locks[relation.name] = level;
    }
  }
  const after = await fileNodes(db, existing);
  const storage: Record<string, Storage> = {};
  for (const relation of existing) {
    const node = after.get(relation.oid);
    if (node === undefined || node === before.get(relation.oid)) {
      storage[relation.name] = "none"; // unchanged, or dropped (its files go at commit, unread)
    } else {
      // A table's new relfilenode with its rows in it is a rewrite; with none, new empty storage (TRUNCATE).
      let empty = false;
      if (relation.kind === "r" || relation.kind === "m") {
        const [{ name }] = (await db.query<{ name: string }>("SELECT $1::oid::regclass::text AS name", [relation.oid])) as [{ name: string }];
        empty = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`))[0]!.n === 0;
      }
      storage[relation.name] = empty ? "new-empty-storage" : "rewrite";
    }
  }
  return { locks, storage };
}

/** Runs a rule's example from its setup, statement by statement, and records what each one did. */
async function runExample(db: VerifyDatabase, ruleId: string, spec: Spec): Promise<StatementRun[]> {
  const runs: StatementRun[] = [];
  let index = 0;
  for (const block of exampleBlocks(ruleId)) {
    await reset(db);
    if (spec.setup) await db.exec(spec.setup);
    const existing = await relations(db);
    if (spec.oneTransaction) await db.exec("BEGIN");
    for (const sql of block) {
      const i = index++;
      if (spec.skip?.[i] !== undefined) {
        runs.push({ sql, storage: {}, error: { message: `skipped: ${spec.skip[i]}` } });
        continue;
      }
      const outside = spec.outsideTransaction?.includes(i) ?? false;
      const before = await fileNodes(db, existing);
      let error: DatabaseError | undefined;
      if (spec.oneTransaction) {
        await db.exec("SAVEPOINT statement");
        try {
          await db.exec(sql);
          await db.exec("RELEASE SAVEPOINT statement");
        } catch (e) {
          error = databaseError(e);
          await db.exec("ROLLBACK TO SAVEPOINT statement");
        }
        runs.push({ sql, ...(await observe(db, existing, before, true)), ...(error ? { error } : {}) });
      } else if (outside) {
        await db.exec(sql).catch((e: unknown) => (error = databaseError(e)));
        runs.push({ sql, ...(await observe(db, existing, before, false)), ...(error ? { error } : {}) });
      } else {
        await db.exec("BEGIN");
        try {
          await db.exec(sql);
          runs.push({ sql, ...(await observe(db, existing, before, true)) });
          await db.exec("COMMIT");
        } catch (e) {
          await db.exec("ROLLBACK");
          runs.push({ sql, ...(await observe(db, existing, before, false)), error: databaseError(e) });
        }
      }
    }
    if (spec.oneTransaction) await db.exec("ROLLBACK");
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Checking

/** What the docs claim for a check, and what was observed. */
function claimAndObservation(ruleId: string, check: Check, runs: StatementRun[]): { claimed: string; observed: string } {
  const run = runs[check.statement];
  if (!run) throw new Error(`${ruleId}: the example has no statement ${check.statement}`);
  if (run.error?.message.startsWith("skipped:")) throw new Error(`${ruleId}: statement ${check.statement} is checked but skipped`);
  const { text } = bullet(ruleId, check.bullet);
  switch (check.kind) {
    case "lock": {
      const claimed = namedLevels(text)[check.nth];
      if (!claimed) throw new Error(`${ruleId}: the "${check.bullet}" bullet names no lock level #${check.nth}`);
      if (run.error) throw new Error(`${ruleId}: statement ${check.statement} failed: ${run.error.message}`);
      if (!run.locks) throw new Error(`${ruleId}: the locks of statement ${check.statement} cannot be read`);
      return { claimed, observed: run.locks[check.relation] ?? "no lock" };
    }
    case "no-lock": {
      if (!text.includes(check.quote)) throw new Error(`${ruleId}: the "${check.bullet}" bullet does not say "${check.quote}"`);
      if (!run.locks) throw new Error(`${ruleId}: the locks of statement ${check.statement} cannot be read`);
      return { claimed: "no lock", observed: run.locks[check.relation] ?? "no lock" };
    }
    case "rewrite": {
      const claimed = rewriteClaim(text);
      if (!claimed) throw new Error(`${ruleId}: the "${check.bullet}" bullet makes no rewrite claim`);
      const observed = run.storage[check.relation];
      if (!observed) throw new Error(`${ruleId}: ${check.relation} did not exist before the example`);
      return { claimed, observed };
    }
    case "error": {
      const observed = run.error?.message ?? "no error";
      const quoted = quotedMessages(text);
      return { claimed: quoted.includes(observed) ? observed : `one of: ${quoted.join(" | ")}`, observed };
    }
  }
}

const ruleIds = fs
  .readdirSync(new URL("../../docs/rules/", import.meta.url))
  .filter((name) => name.endsWith(".md"))
  .map((name) => name.slice(0, -3))
  .sort();

describe("rules proven: the map of examples", () => {
  test("has an entry for every rule's docs page", () => {
    expect(Object.keys(SPECS).sort()).toEqual(ruleIds);
  });

  test("checks every Lock and Rewrite bullet that makes a claim, or says why not", () => {
    const unaccounted: string[] = [];
    for (const id of ruleIds) {
      const spec = SPECS[id]!;
      if (spec.notRun) continue;
      const bullets = riskBullets(id);
      const cited = (kind: Check["kind"], label: string) => spec.checks?.some((c) => c.kind === kind && c.bullet === label) ?? false;
      const lockBullet = bullets.find((b) => b.label === "Lock");
      if (lockBullet && namedLevels(lockBullet.text).length > 0 && !cited("lock", "Lock") && !spec.unchecked?.Lock) {
        unaccounted.push(`${id}: Lock`);
      }
      const rewriteBullet = bullets.find((b) => b.label === "Rewrite");
      if (rewriteBullet && rewriteClaim(rewriteBullet.text) && !cited("rewrite", "Rewrite") && !spec.unchecked?.Rewrite) {
        unaccounted.push(`${id}: Rewrite`);
      }
    }
    expect(unaccounted).toEqual([]);
  });

  test("reads claims the way the docs word them", () => {
    expect(namedLevels(bullet("constraint-missing-not-valid", "VALIDATE in the same transaction").text)).toEqual([
      "SHARE UPDATE EXCLUSIVE",
      "ROW SHARE",
      "ACCESS EXCLUSIVE",
      "SHARE ROW EXCLUSIVE",
    ]);
    expect(rewriteClaim(bullet("change-default", "Rewrite").text)).toBe("none");
    expect(rewriteClaim(bullet("truncate", "Rewrite").text)).toBe("new-empty-storage");
    expect(rewriteClaim(bullet("volatile-default", "Rewrite").text)).toBe("rewrite");
    expect(rewriteClaim(bullet("schema-change-with-backfill", "Rewrite").text)).toBeUndefined();
    expect(exampleBlocks("constraint-missing-not-valid").flat()).toHaveLength(5);
  });
});

interface Engine {
  name: EngineName;
  open(): Promise<VerifyDatabase>;
}

const serverUrl = testDatabaseUrl();
const engines: Engine[] = [
  { name: "PGlite", open: openPgliteDatabase },
  {
    name: "PostgreSQL 15 server",
    open: async () => {
      const db = await openServerDatabase(serverUrl!, { allowNonEmpty: false });
      if (db.scratch.kind !== "database") {
        // Between examples the test drops every schema: only ever in a scratch database of its own.
        await db.close();
        throw new Error("the rules-proven test needs a role that may create databases (MIGSAFE_TEST_DATABASE_URL)");
      }
      return db;
    },
  },
];

for (const engine of engines) {
  describe(`rules proven on ${engine.name}`, () => {
    if (engine.name === "PostgreSQL 15 server" && !serverUrl) {
      testMissingServer("docs claims on a real server");
      return;
    }
    let db: VerifyDatabase;
    beforeAll(async () => {
      db = await engine.open();
    }, 120_000);
    afterAll(async () => {
      await db?.close();
    });

    test("runs the PostgreSQL version the test expects", () => {
      expect(db.majorVersion).toBe(engine.name === "PGlite" ? 18 : 15);
    });

    for (const id of ruleIds) {
      const spec = SPECS[id] ?? {};
      test.skipIf(spec.notRun !== undefined)(`${id}${spec.notRun ? ` (not run: ${spec.notRun})` : ""}`, async () => {
        const runs = await runExample(db, id, spec);
        const expectedErrors = new Set(spec.checks?.filter((c) => c.kind === "error").map((c) => c.statement));
        const unexpected = runs.flatMap((run, i) =>
          run.error && !expectedErrors.has(i) && spec.skip?.[i] === undefined ? [`statement ${i} (${run.sql}): ${run.error.message}`] : [],
        );
        expect(unexpected).toEqual([]);
        const results = (spec.checks ?? []).map((check) => {
          const { claimed, observed } = claimAndObservation(id, check, runs);
          const known = KNOWN_MISMATCHES.find((m) => m.rule === id && JSON.stringify(m.check) === JSON.stringify(check));
          const expected = known?.observed[engine.name] ?? claimed;
          return { check: describeCheck(check), claimed, observed, expected };
        });
        expect(results.map(({ check, observed }) => ({ check, observed }))).toEqual(
          results.map(({ check, expected }) => ({ check, observed: expected })),
        );
        // A known mismatch that no longer is one must leave the list.
        for (const result of results) {
          if (result.expected !== result.claimed) expect(result.observed, `${result.check}: listed as a known mismatch`).not.toBe(result.claimed);
        }
      });
    }
  });
}

function describeCheck(check: Check): string {
  switch (check.kind) {
    case "lock":
      return `statement ${check.statement}: lock on ${check.relation} ("${check.bullet}" #${check.nth})`;
    case "no-lock":
      return `statement ${check.statement}: no lock on ${check.relation} ("${check.bullet}")`;
    case "rewrite":
      return `statement ${check.statement}: storage of ${check.relation} ("${check.bullet}")`;
    case "error":
      return `statement ${check.statement}: error ("${check.bullet}")`;
  }
}
