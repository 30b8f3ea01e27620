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
import { extensionsIn } from "../../src/verify/pglite-database.js";
import { describeDifference, diffCatalog, type CatalogEntry } from "../../src/verify/catalog.js";
import { compareMigrations, selectMigrations } from "../../src/verify/verify.js";

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
    expect(forward.map((file) => path.relative(dir, file))).toEqual(["001_a.sql", "002_b.sql", "003_c.down.sql", "x/up.sql"]);
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
});

describe("extensions PGlite loads", () => {
  it("are those the SQL creates", () => {
    expect(extensionsIn('CREATE EXTENSION IF NOT EXISTS "uuid-ossp";\ncreate extension PG_TRGM with schema public;\nCREATE EXTENSION citext; CREATE EXTENSION citext;\n')).toEqual([
      "uuid-ossp",
      "pg_trgm",
      "citext",
    ]);
  });
});
