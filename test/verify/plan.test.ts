/** The parts of verify that need no database: migration order, transaction segments, lock names, catalog differences. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { MigrationFacts } from "../../src/facts/index.js";
import { NO_ROLLBACK } from "../../src/facts/sections.js";
import { assumedRunner, NO_RUNNER } from "../../src/runners/file-runner.js";
import { parseFile } from "../../src/parser/parse-file.js";
import { lockModeName, planSegments, transactionalText } from "../../src/verify/apply.js";
import { extensionsIn, packagedExtension } from "../../src/verify/pglite-database.js";
import { describeDifference, diffCatalog, differingParts, withoutFrozen, type CatalogEntry } from "../../src/verify/catalog.js";
import { selectMigrations } from "../../src/verify/verify.js";
import { tempTree } from "../helpers.js";
import { compareMigrations, orderMigrations } from "../../src/verify/order.js";
import { FileRunners } from "../../src/verify/file-runners.js";

describe("a TS/JS migration's SQL in a verify run", () => {
  it("is put together once per text and options, and again when either changes", () => {
    const options = { rules: allRules, settings: DEFAULT_SETTINGS };
    const runners = new FileRunners(() => options);
    const up = "exports.up = (knex) => knex.raw('CREATE TABLE a (id int)');\n";
    const first = runners.embeddedSql("/m/001_a.js", up, options);
    expect(runners.embeddedSql("/m/001_a.js", up, options)).toBe(first);
    const changed = runners.embeddedSql("/m/001_a.js", up.replace("a (id", "b (id"), options);
    expect(changed).not.toBe(first);
    expect("sql" in changed && changed.sql).toContain("CREATE TABLE b");
    expect(runners.embeddedSql("/m/001_a.js", up, { ...options })).not.toBe(first);
  });
});

describe("migration order", () => {
  it("compares numbers as numbers, and sorts by the folder of up.sql and migration.sql", () => {
    const files = [
      "/m/10_c.sql",
      "/m/2_b.sql",
      "/m/1_a.sql",
      "/m/R__views.sql",
      "/m/V1_10__x.sql",
      "/m/V1_2__y.sql",
      "/d/2024-01-02-000000_b/up.sql",
      "/d/2024-01-01-000000_a/up.sql",
      "/p/20240105000000_z/migration.sql",
      "/p/20240103000000_y/migration.sql",
    ];
    expect([...files].sort(compareMigrations)).toEqual([
      "/m/1_a.sql",
      "/m/2_b.sql",
      "/m/10_c.sql",
      "/d/2024-01-01-000000_a/up.sql",
      "/d/2024-01-02-000000_b/up.sql",
      "/p/20240103000000_y/migration.sql",
      "/p/20240105000000_z/migration.sql",
      "/m/V1_2__y.sql",
      "/m/V1_10__x.sql",
      "/m/R__views.sql",
    ]);
  });

  it("puts version folders in version order (v1.2 before v1.10, delta/9 before delta/10), each folder's files by name", () => {
    const files = ["/t/versioned/v1.10/a.sql", "/t/versioned/v1.2/b.sql", "/t/versioned/v1.2/a.sql", "/t/versioned/v1.0/z.sql", "/d/delta/10/x.sql", "/d/delta/9/y.sql"];
    expect([...files].sort(compareMigrations)).toEqual(["/d/delta/9/y.sql", "/d/delta/10/x.sql", "/t/versioned/v1.0/z.sql", "/t/versioned/v1.2/a.sql", "/t/versioned/v1.2/b.sql", "/t/versioned/v1.10/a.sql"]);
  });

  const options = () => ({ rules: allRules, settings: DEFAULT_SETTINGS });
  const show = (dir: string) => (file: string) => path.relative(dir, file);
  const tree = (files: Record<string, string>) => tempTree(files, "migsafe-order-");

  it("runs a known runner's migrations in its order: Sqitch's plan, not the names", () => {
    const dir = tree({
      "sqitch.plan": "%syntax-version=1.0.0\n%project=app\n\nusers 2024-01-01T00:00:00Z A <a@b.c> # users\naccounts [users] 2024-01-02T00:00:00Z A <a@b.c> # accounts\n",
      "deploy/users.sql": "CREATE TABLE users (id bigint);\n",
      "deploy/accounts.sql": "CREATE TABLE accounts (user_id bigint REFERENCES users);\n",
    });
    const given = ["deploy/accounts.sql", "deploy/users.sql"].map((name) => path.join(dir, name));
    const ordered = orderMigrations(given, { kind: "runner" }, new FileRunners(options), show(dir));
    expect(ordered.files.map(show(dir))).toEqual(["deploy/users.sql", "deploy/accounts.sql"]);
    expect(ordered.warnings).toEqual([]);
  });

  it("runs each version of a reworked Sqitch change where the plan has it: the kept script of each but the last, named by a tag before the next", () => {
    const dir = tree({
      "sqitch.plan": [
        "%syntax-version=1.0.0",
        "%project=app",
        "",
        "views 2024-01-01T00:00:00Z A <a@b.c> # views",
        "@v1 2024-01-02T00:00:00Z A <a@b.c> # v1",
        "users 2024-01-03T00:00:00Z A <a@b.c> # users",
        "@v2 2024-01-04T00:00:00Z A <a@b.c> # v2",
        "views [views@v1] 2024-01-05T00:00:00Z A <a@b.c> # views again",
        "@v2b 2024-01-05T12:00:00Z A <a@b.c> # a tag whose name no kept script has",
        "@v3 2024-01-06T00:00:00Z A <a@b.c> # v3",
        "views [views@v3] 2024-01-07T00:00:00Z A <a@b.c> # views, third",
        "",
      ].join("\n"),
      "deploy/views.sql": "SELECT 3;\n",
      "deploy/views@v1.sql": "SELECT 1;\n",
      "deploy/views@v3.sql": "SELECT 2;\n",
      "deploy/users.sql": "SELECT 0;\n",
    });
    const given = ["deploy/views.sql", "deploy/views@v1.sql", "deploy/views@v3.sql", "deploy/users.sql"].map((name) => path.join(dir, name));
    const ordered = orderMigrations(given, { kind: "runner" }, new FileRunners(options), show(dir));
    expect(ordered.files.map(show(dir))).toEqual(["deploy/views@v1.sql", "deploy/users.sql", "deploy/views@v3.sql", "deploy/views.sql"]);
    expect(ordered.warnings).toEqual([]);
  });

  it("keeps the arguments' order with as-given, and a list's with a list file (saying what it leaves out or does not know)", () => {
    const dir = tree({ "m/001_a.sql": "SELECT 1;\n", "m/002_b.sql": "SELECT 2;\n", "m/003_c.sql": "SELECT 3;\n" });
    const given = ["m/003_c.sql", "m/001_a.sql", "m/002_b.sql"].map((name) => path.join(dir, name));
    expect(orderMigrations(given, { kind: "as-given" }, new FileRunners(options), show(dir)).files.map(show(dir))).toEqual(["m/003_c.sql", "m/001_a.sql", "m/002_b.sql"]);
    const list = orderMigrations(given, { kind: "list", files: [path.join(dir, "m/002_b.sql"), path.join(dir, "m/009_x.sql"), path.join(dir, "m/001_a.sql")], source: "order.txt" }, new FileRunners(options), show(dir));
    expect(list.files.map(show(dir))).toEqual(["m/002_b.sql", "m/001_a.sql"]);
    expect(list.warnings).toEqual([
      "order.txt names a file that is not a migration given to verify: m/009_x.sql",
      "order.txt leaves out a migration, not run: m/003_c.sql",
    ]);
  });

  it("warns once for each migration whose version another migration of its folder has", () => {
    const dir = tree({
      "m/001_a.sql": "SELECT 1;\n",
      "m/1_b.sql": "SELECT 2;\n",
      "m/002_c.sql": "SELECT 3;\n",
      "n/001_a.sql": "SELECT 4;\n",
      "m/V3__x.sql": "SELECT 5;\n",
      "m/V3__y.sql": "SELECT 6;\n",
      "d/2026-01-08-132525_a/up.sql": "SELECT 7;\n",
      "d/2026-07-27-143313_b/up.sql": "SELECT 8;\n",
    });
    const given = ["m/001_a.sql", "m/1_b.sql", "m/002_c.sql", "n/001_a.sql", "m/V3__x.sql", "m/V3__y.sql", "d/2026-01-08-132525_a/up.sql", "d/2026-07-27-143313_b/up.sql"].map((name) => path.join(dir, name));
    expect(orderMigrations(given, { kind: "runner" }, new FileRunners(options), show(dir)).warnings).toEqual([
      "m/001_a.sql and m/1_b.sql have the same version 1: they run in name order here, and a runner may refuse them or run them the other way",
      "m/V3__x.sql and m/V3__y.sql have the same version 3: they run in name order here, and a runner may refuse them or run them the other way",
    ]);
  });

  it("keeps the forward SQL migrations and leaves out scripts and rollback files; a file named like a rollback without its forward migration is a forward migration", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-order-"));
    const names = ["002_b.sql", "002_b_rollback.sql", "001_a.sql", "003_c.down.sql", "004_d.ts", "x/up.sql", "x/down.sql"];
    for (const name of names) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), "SELECT 1;\n");
    }
    const { forward, skipped } = selectMigrations(
      names.map((name) => path.join(dir, name)),
      () => ({ rules: allRules, settings: DEFAULT_SETTINGS }),
    );
    expect(forward.map((file) => path.relative(dir, file))).toEqual(["002_b.sql", "001_a.sql", "003_c.down.sql", "x/up.sql"]);
    expect(skipped.map((file) => path.relative(dir, file))).toEqual(["004_d.ts"]);
  });
});

/** The segments of a file, as "kind: first line-last line (end line)". */
function segmentsOf(sql: string, assumeInTransaction: boolean): string[] {
  const parsed = parseFile(sql);
  const { transactions } = new MigrationFacts(parsed, DEFAULT_SETTINGS, NO_ROLLBACK, assumeInTransaction ? assumedRunner(true) : NO_RUNNER);
  return planSegments(parsed.statements, (statement) => transactions.of(statement).id, 18).map((segment) => {
    const lines = segment.statements.map((statement) => statement.loc.start.line);
    return `${segment.kind}: ${lines.join(",")}${segment.end ? ` (ends ${segment.end.loc.start.line})` : ""}`;
  });
}

describe("transaction segments", () => {
  it("runs a file without BEGIN in one transaction, split around what refuses one", () => {
    const sql = "ALTER TABLE a ADD COLUMN b int;\nUPDATE a SET b = 1;\nCREATE INDEX CONCURRENTLY a_b ON a (b);\nVACUUM a;\nALTER TABLE a ADD COLUMN c int;\n";
    expect(segmentsOf(sql, true)).toEqual(["runner: 1,2", "bare: 3", "bare: 4", "runner: 5"]);
  });

  it("follows the file's own BEGIN … COMMIT, and wraps each statement outside it in its own transaction", () => {
    const sql = "SET lock_timeout = '1s';\nBEGIN;\nALTER TABLE a ADD COLUMN b int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY a_b ON a (b);\nUPDATE a SET b = 2;\n";
    expect(segmentsOf(sql, false)).toEqual(["autocommit: 1", "file: 2,3,4 (ends 4)", "bare: 5", "autocommit: 6"]);
  });

  it("runs a goose section with NO TRANSACTION statement by statement", () => {
    const sql = "-- +goose NO TRANSACTION\n-- +goose Up\nALTER TABLE a ADD COLUMN b int;\nUPDATE a SET b = 1;\n";
    expect(segmentsOf(sql, true)).toEqual(["autocommit: 3", "autocommit: 4"]);
  });
});

describe("statements run in a transaction that is rolled back", () => {
  it("drops CONCURRENTLY where that is all PostgreSQL refuses, keeping every position", () => {
    const parsed = parseFile("CREATE INDEX CONCURRENTLY IF NOT EXISTS a_b ON a (b);\nDROP INDEX CONCURRENTLY a_b;\nVACUUM a;\nALTER TABLE a ADD COLUMN c int;\n");
    expect(parsed.statements.map((statement) => transactionalText(statement, 18))).toEqual([
      "CREATE INDEX              IF NOT EXISTS a_b ON a (b)",
      "DROP INDEX              a_b",
      undefined,
      "ALTER TABLE a ADD COLUMN c int",
    ]);
  });
});

describe("lock modes", () => {
  it("names pg_locks' modes as the docs do", () => {
    expect(["AccessExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock", "RowExclusiveLock", "AccessShareLock", "SIReadLock"].map(lockModeName)).toEqual([
      "ACCESS EXCLUSIVE",
      "SHARE UPDATE EXCLUSIVE",
      "SHARE",
      "ROW EXCLUSIVE",
      "ACCESS SHARE",
      undefined,
    ]);
  });
});

describe("catalog differences", () => {
  const entry = (key: string, kind: string, name: string, definition: string, parent?: string): [string, CatalogEntry] => [
    key,
    { key, kind, name, definition, ...(parent ? { parent } : {}) },
  ];
  const before = new Map([
    entry("schema:public", "schema", "public", ""),
    entry("relation:public.users", "table", "users", "", "schema:public"),
    entry("column:public.users.email", "column", "users.email", "text NOT NULL", "relation:public.users"),
    entry("index:public.users_email_idx", "index", "users_email_idx", "CREATE INDEX users_email_idx ON public.users USING btree (email)", "relation:public.users"),
  ]);

  it("reports what is left, what is missing and what changed; not the parts of an object left or missing as a whole", () => {
    const after = new Map([
      entry("schema:public", "schema", "public", ""),
      entry("relation:public.users", "table", "users", "", "schema:public"),
      entry("column:public.users.email", "column", "users.email", "text", "relation:public.users"),
      entry("relation:public.orders", "table", "orders", "", "schema:public"),
      entry("column:public.orders.id", "column", "orders.id", "bigint NOT NULL", "relation:public.orders"),
    ]);
    expect(diffCatalog(before, after).map(describeDifference)).toEqual([
      "the rollback does not restore column users.email as it was: text NOT NULL before the migration, text after the rollback",
      "the rollback leaves table orders, which did not exist before the migration",
      "the rollback does not restore index users_email_idx, which existed before the migration",
    ]);
  });

  it("finds nothing when the schema is the same", () => {
    expect(diffCatalog(before, new Map(before))).toEqual([]);
  });

  const run = { from: Date.parse("2026-12-07T17:00:00Z"), to: Date.parse("2026-12-07T17:05:00Z") };

  it("takes a date or time constant of the run's own day for 'now' frozen at creation, and no other", () => {
    const view = (at: string) => `SELECT users.id FROM users WHERE users.created_at > '${at}'::timestamp without time zone`;
    expect(withoutFrozen(view("2026-12-07 12:03:55.123456"), run)).toBe(withoutFrozen(view("2026-12-07 12:04:10.5"), run));
    expect(withoutFrozen("DEFAULT '2026-12-08'::date", run)).toBe("DEFAULT '(created)'::date");
    expect(withoutFrozen(view("2020-01-01 00:00:00"), run)).toBe(view("2020-01-01 00:00:00"));
    const entries = (at: string) => new Map([entry("relation:public.recent", "view", "recent", view(at))]);
    expect(diffCatalog(entries("2026-12-07 12:03:55"), entries("2026-12-07 12:04:10"), run)).toEqual([]);
    expect(diffCatalog(entries("2020-01-01 00:00:00"), entries("2021-01-01 00:00:00"), run)).toHaveLength(1);
  });

  it("quotes where a long definition differs, with some context", () => {
    const body = (value: string) => `BEGIN\n  -- ${"x".repeat(200)}\n  RETURN ${value};\nEND`;
    expect(differingParts(body("1"), body("2"))).toEqual([`…${"x".repeat(30)}\n  RETURN «1»…`.replace("\n  ", " "), `…${"x".repeat(30)}\n  RETURN «2»…`.replace("\n  ", " ")]);
    const long = [entry("function:public.f()", "function", "f()", body("1"))];
    const changed = [entry("function:public.f()", "function", "f()", body("2"))];
    expect(diffCatalog(new Map(long), new Map(changed)).map(describeDifference)).toEqual([
      `the rollback does not restore function f() as it was: its definition differs, before the migration …${"x".repeat(30)} RETURN «1»…, after the rollback …${"x".repeat(30)} RETURN «2»…`,
    ]);
  });
});

describe("extensions PGlite loads", () => {
  it("are those the SQL creates", () => {
    expect(extensionsIn('CREATE EXTENSION IF NOT EXISTS "uuid-ossp";\ncreate extension PG_TRGM with schema public;\nCREATE EXTENSION citext; CREATE EXTENSION citext;\n')).toEqual([
      "uuid-ossp",
      "pg_trgm",
      "citext",
    ]);
  });

  it("are those node-pg-migrate's createExtension and addExtension create in a TS/JS migration", () => {
    expect(extensionsIn("pgm.createExtension('uuid-ossp', { ifNotExists: true });\npgm.addExtension([\"pg_trgm\", `citext`]);\npgm.createExtension(name);\n")).toEqual([
      "uuid-ossp",
      "pg_trgm",
      "citext",
    ]);
  });
});

describe("extensions in packages of their own", () => {
  it("finds pgvector's package, and names the package to install when it is missing", () => {
    expect(packagedExtension("vector", (id) => `/node_modules/${id}/index.js`)).toEqual({ module: "/node_modules/@electric-sql/pglite-pgvector/index.js" });
    const missing = () => {
      throw new Error("Cannot find module");
    };
    expect(packagedExtension("vector", missing)).toEqual({
      notice: "the migrations create extension vector, which PGlite has in @electric-sql/pglite-pgvector, not installed: CREATE EXTENSION vector will fail (npm install --save-dev @electric-sql/pglite-pgvector@0.0.16)",
    });
    expect(packagedExtension("citext", missing)).toBeUndefined();
  });
});
