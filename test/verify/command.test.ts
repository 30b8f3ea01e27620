/**
 * `migsafe verify` as the command line runs it: arguments, exit codes, formats, stderr.
 * One PGlite is shared (passed in, emptied before each run); one test lets the command
 * start and close its own.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERIFY_HELP, verifyCommand, type VerifyCommandOptions } from "../../src/verify/command.js";
import type { VerifyDatabase } from "../../src/verify/database.js";
import { openPgliteDatabase } from "../../src/verify/pglite-database.js";
import type { JsonResult } from "../../src/formatters/json.js";
import { tempTree } from "../helpers.js";

const root = path.resolve(import.meta.dirname, "../..");
const SHOP = "fixtures/verify/shop";
let db: VerifyDatabase;

beforeAll(async () => {
  db = await openPgliteDatabase();
}, 120_000);

afterAll(async () => {
  await db?.close();
});

async function empty(): Promise<void> {
  await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
}

/** Runs verify on the shared database, from an emptied schema. */
async function verify(argv: string[], options: VerifyCommandOptions = {}) {
  await empty();
  return verifyCommand(argv, { cwd: root, env: {}, database: db, ...options });
}

const project = (files: Record<string, string>) => tempTree(files, "migsafe-verify-cli-");

const DESCRIPTION = /^PGlite \d+\.\d+\.\d+ \(PostgreSQL 18\.\d+\)$/;

describe("arguments", () => {
  it("prints the help", async () => {
    expect(await verifyCommand(["--help"], { cwd: root, env: {} })).toEqual({ output: VERIFY_HELP, stderr: "", exitCode: 0 });
  });

  it.each([
    [["--bogus"], "migsafe: unknown option '--bogus' (run 'migsafe verify --help' for usage)\n"],
    [["--rows=-3", SHOP], "migsafe: --rows takes a whole number of rows from 0 to 1,000,000, not '-3'\n"],
    [["--rows", "2000000", SHOP], "migsafe: --rows takes a whole number of rows from 0 to 1,000,000, not '2000000'\n"],
    [["--rows", "many", SHOP], "migsafe: --rows takes a whole number of rows from 0 to 1,000,000, not 'many'\n"],
    [["--format", "yaml", SHOP], "migsafe: unknown format 'yaml' for --format (expected stylish, json, sarif, github, gitlab, junit, markdown or compact)\n"],
    [["fixtures/verify/nope.sql"], "migsafe: fixtures/verify/nope.sql: no such file\n"],
    [["--seed", "fixtures/verify/missing-seed.sql", SHOP], "migsafe: cannot read --seed fixtures/verify/missing-seed.sql: ENOENT\n"],
    [["--timezone", "Mars; DROP", SHOP], "migsafe: --timezone takes a time zone name (UTC, Europe/Paris, America/New_York), not 'Mars; DROP'\n"],
    [["fixtures/cases/diesel/2024-01-01-000000_add_bio/down.sql", "src/verify/verify.ts"], "migsafe: no SQL migration to verify in fixtures/cases/diesel/2024-01-01-000000_add_bio/down.sql, src/verify/verify.ts\n"],
  ])("refuses %j with one line and exit 2", async (argv, stderr) => {
    expect(await verifyCommand(argv, { cwd: root, env: {} })).toEqual({ output: "", stderr, exitCode: 2 });
  });

  it("looks for the usual migration folders when given no path", async () => {
    const dir = project({ "README.md": "no migrations here\n" });
    const result = await verifyCommand([], { cwd: dir, env: {} });
    expect(result.stderr).toBe(
      `migsafe: no migration folder found in ${dir} (looked for migrations/, db/migrations/, supabase/migrations/, prisma/migrations/); pass the folder or files to verify\n`,
    );
    expect(result.exitCode).toBe(2);
  });

  it("uses a server for --database-url, or DATABASE_URL, and says in one line why it cannot", async () => {
    const expected = {
      output: "",
      stderr: 'migsafe: invalid database URL "mysql://me:***@db/app": expected postgres://user:password@host:port/database\n',
      exitCode: 2,
    };
    expect(await verifyCommand(["--database-url", "mysql://me:secret@db/app", SHOP], { cwd: root, env: {} })).toEqual(expected);
    expect(await verifyCommand([SHOP], { cwd: root, env: { DATABASE_URL: "mysql://me:secret@db/app" } })).toEqual({
      ...expected,
      stderr: `migsafe: using DATABASE_URL from the environment: mysql://me:***@db/app\n${expected.stderr}`,
    });
  });
});

describe("reports", () => {
  it("exits 1 for a migration PostgreSQL rejects (--rows), with a summary on stderr", async () => {
    const result = await verify([SHOP, "--rows", "10"]);
    expect(result.exitCode).toBe(1);
    // The findings' lines, not the summary per rule at the end.
    const lines = result.output.split("\n").filter((line) => /^ +\d+:\d+ .* verify-/.test(line));
    expect(lines).toEqual([
      "  2:1  careful  The rollback leaves column users.premium_tier, which did not exist before the migration  verify-rollback",
      '  2:1   dangerous  Fails on PostgreSQL 18: column "channel" of relation "orders" contains null values (23502)  verify-error',
    ]);
    expect(result.output).toContain(
      "  4:20  careful  ALTER COLUMN total_cents TYPE bigint rewrites orders unless binary-compatible (ACCESS EXCLUSIVE)  change-column-type\n" +
        "        help: Expand/contract: add total_cents_new bigint, backfill in batches, switch the code over, drop total_cents\n" +
        "        verified: PostgreSQL 18: took ACCESS EXCLUSIVE on orders, held from line 4 to COMMIT at line 6; orders was rewritten and its 2 indexes rebuilt.\n",
    );
    const json = await verify([SHOP, "--rows", "10", "--format", "json"]);
    const channel = (JSON.parse(json.output) as JsonResult[]).flatMap((file) => file.messages).find((message) => message.ruleId === "verify-error");
    expect(channel?.explanation).toBe(
      'PostgreSQL 18 rejects this statement: column "channel" of relation "orders" contains null values (SQLSTATE 23502). Every table had at least 10 synthetic rows (--rows 10).',
    );
    expect(result.stderr).toBe(`migsafe: verified 5 migrations on ${db.description} with 10 rows per table; 1 did not apply\n`);
    expect(db.description).toMatch(DESCRIPTION);
  });

  it("prints what it could not check with --debug", async () => {
    const result = await verify([SHOP, "--debug", "--format", "json"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(
      `migsafe: debug: ${db.description} started ${db.started}\n` +
        "migsafe: debug: 003_add_premium_tier.sql:7: runs outside a transaction, so the locks it takes are released before they can be read\n" +
        `migsafe: verified 5 migrations on ${db.description}\n`,
    );
    const files = (JSON.parse(result.output) as { filePath: string; messages: { ruleId: string }[] }[]).map((file) => [
      path.relative(root, file.filePath),
      file.messages.map((message) => message.ruleId).filter((id) => id.startsWith("verify-")),
    ]);
    expect(files).toEqual([
      ["fixtures/verify/shop/001_create_users.sql", []],
      ["fixtures/verify/shop/001_create_users_rollback.sql", []],
      ["fixtures/verify/shop/002_create_orders.sql", []],
      ["fixtures/verify/shop/003_add_premium_tier.sql", []],
      ["fixtures/verify/shop/003_add_premium_tier_rollback.sql", ["verify-rollback"]],
      ["fixtures/verify/shop/004_widen_total.sql", []],
      ["fixtures/verify/shop/005_add_channel.sql", []],
    ]);
  });

  it("lists verify's findings as rules in SARIF, and writes --output-file", async () => {
    const dir = project({});
    const result = await verify([SHOP, "--format", "sarif", "--output-file", path.join(dir, "verify.sarif")]);
    expect(result.output).toBe("");
    const log = JSON.parse(fs.readFileSync(path.join(dir, "verify.sarif"), "utf8")) as {
      runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: { ruleId: string; ruleIndex?: number }[] }[];
    };
    const rules = log.runs[0]!.tool.driver.rules;
    const rollback = log.runs[0]!.results.find((sarifResult) => sarifResult.ruleId === "verify-rollback")!;
    expect(rules[rollback.ruleIndex!]).toMatchObject({ id: "verify-rollback", defaultConfiguration: { level: "warning" } });
    expect(rules.filter((rule) => rule.id.startsWith("verify-")).map((rule) => [rule.id, rule.defaultConfiguration.level])).toEqual([
      ["verify-error", "error"],
      ["verify-refused", "error"],
      ["verify-lock", "warning"],
      ["verify-mismatch", "warning"],
      ["verify-rewrite", "warning"],
      ["verify-rollback", "warning"],
      ["verify-rerun", "warning"],
    ]);
  });

  it("runs the migrations before the configuration's startAfter without reporting them", async () => {
    const dir = project({
      "migrations/migsafe.config.json": '{ "startAfter": "001_users.sql" }\n',
      "migrations/001_users.sql": "CREATE TABLE users (id BIGINT PRIMARY KEY);\n",
      "migrations/002_orders.sql": "CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users (id));\n",
    });
    const result = await verify(["--rerun", "--format", "compact"], { cwd: dir });
    const verified = result.output.split("\n").filter((line) => / verify-/.test(line));
    expect(verified).toEqual([
      'migrations/002_orders.sql:1:1: careful verify-rerun Not re-runnable: a second run fails here: relation "orders" already exists (42P07)',
    ]);
    expect(result.stderr).toBe(`migsafe: verified 2 migrations on ${db.description}\n`);
  });

  it("reports a --seed that fails in one line, with exit 2", async () => {
    const dir = project({ "seed.sql": "INSERT INTO nowhere VALUES (1);\n", "migrations/001.sql": "SELECT 1;\n" });
    const result = await verify(["--seed", "seed.sql", "migrations"], { cwd: dir });
    expect(result).toEqual({ output: "", stderr: 'migsafe: --seed seed.sql:1:13: relation "nowhere" does not exist (SQLSTATE 42P01).\n', exitCode: 2 });
  });

  it("starts and closes its own PGlite when given no database, with the contrib extensions the migrations create", async () => {
    const dir = project({
      "migrations/001_extensions.sql": 'CREATE EXTENSION IF NOT EXISTS citext;\nCREATE EXTENSION IF NOT EXISTS "uuid-ossp";\n',
      "migrations/002_users.sql": "CREATE TABLE IF NOT EXISTS users (id UUID PRIMARY KEY DEFAULT uuid_generate_v4(), email CITEXT NOT NULL UNIQUE);\n",
      "migrations/003_postgis.sql": "CREATE EXTENSION IF NOT EXISTS postgis;\n",
    });
    const result = await verifyCommand(["--format", "compact", "--rows", "2"], { cwd: dir, env: {} });
    expect(result.output.split("\n").filter((line) => / verify-/.test(line))).toEqual([
      'migrations/003_postgis.sql:1:1: dangerous verify-error Fails on PostgreSQL 18: extension "postgis" is not available (0A000)',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^migsafe: the migrations create extension postgis, which PGlite has no build of: CREATE EXTENSION postgis will fail, and what uses it after; verify on a server that has it \(--database-url\)\nmigsafe: verified 3 migrations on PGlite \d+\.\d+\.\d+ \(PostgreSQL 18\.\d+\) with 2 rows per table; 1 did not apply\n$/,
    );
  }, 120_000);
});

describe("extensions in packages of their own", () => {
  it("loads pgvector for a Prisma history that creates the vector extension: every migration applies", async () => {
    const result = await verifyCommand(["--format", "compact", "--rows", "2", "fixtures/verify/prisma-vector/migrations"], { cwd: root, env: {} });
    expect(result.output).not.toContain("verify-error");
    expect(result.stderr).toMatch(/^migsafe: verified 2 migrations on PGlite \d+\.\d+\.\d+ \(PostgreSQL 18\.\d+\) with 2 rows per table\n$/);
  }, 120_000);
});

describe("--timezone", () => {
  it("refuses a zone PostgreSQL does not know, in one line", async () => {
    const result = await verify(["--timezone", "Mars/Olympus", SHOP]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('migsafe: --timezone Mars/Olympus: invalid value for parameter "TimeZone": "Mars/Olympus" (SQLSTATE 22023).\n');
  });
});

describe("--order", () => {
  // temporal-sql-tool's layout: version folders, whose name order (v1.10 before v1.2) is not the order they run in.
  const versioned = () =>
    project({
      "versioned/v1.0/base.sql": "CREATE TABLE executions (id bigint PRIMARY KEY);\n",
      "versioned/v1.2/add_state.sql": "ALTER TABLE executions ADD COLUMN state int;\n",
      "versioned/v1.10/index_state.sql": "CREATE INDEX executions_state ON executions (state);\n",
    });

  it("runs version folders in version order by default: every migration applies", async () => {
    const dir = versioned();
    const result = await verify(["--format", "compact", "versioned"], { cwd: dir });
    expect(result.output).not.toContain("verify-error");
    expect(result.stderr).toBe("migsafe: verified 3 migrations on " + db.description + "\n");
  });

  it("runs them as given with --order as-given, and in a list file's order", async () => {
    const dir = versioned();
    const asGiven = await verify(["--order", "as-given", "--format", "compact", "versioned/v1.0/base.sql", "versioned/v1.10/index_state.sql", "versioned/v1.2/add_state.sql"], { cwd: dir });
    expect(asGiven.output).toContain('versioned/v1.10/index_state.sql:1:1: dangerous verify-error Fails on PostgreSQL 18: column "state" does not exist (42703)');
    fs.writeFileSync(path.join(dir, "order.txt"), "# the order we deploy in\nversioned/v1.0/base.sql\nversioned/v1.2/add_state.sql\n");
    const listed = await verify(["--order", "order.txt", "--format", "compact", "versioned"], { cwd: dir });
    expect(listed.output).not.toContain("verify-error");
    expect(listed.stderr).toBe(`migsafe: order.txt leaves out a migration, not run: versioned/v1.10/index_state.sql\nmigsafe: verified 2 migrations on ${db.description}\n`);
    const missing = await verify(["--order", "nope.txt", "versioned"], { cwd: dir });
    expect([missing.exitCode, missing.stderr]).toEqual([2, "migsafe: cannot read --order nope.txt: ENOENT (--order takes runner, as-given or a file that lists the migrations)\n"]);
  });
});

describe("up and down files", () => {
  it("pairs them by version when their names differ, and runs the down file as the rollback, not as a migration", async () => {
    const dir = project({
      "migrations/1510262030_add_jobs.up.sql": "CREATE TABLE jobs (id bigint PRIMARY KEY);\n",
      "migrations/1510262030_add_job.down.sql": "DROP TABLE jobs;\n",
      "migrations/1510262031_add_builds.up.sql": "CREATE TABLE builds (id bigint PRIMARY KEY, job_id bigint REFERENCES jobs);\n",
      "migrations/1510262031_add_builds.down.sql": "DROP TABLE builds;\n",
    });
    const result = await verify(["--format", "json", "migrations"], { cwd: dir });
    const report = JSON.parse(result.output) as JsonResult[];
    expect(report.flatMap((file) => file.messages.filter((message) => message.ruleId?.startsWith("verify-")).map((message) => `${path.basename(file.filePath)} ${message.ruleId}`))).toEqual([]);
    expect(result.stderr).toBe(`migsafe: verified 2 migrations on ${db.description}\n`);
  });
});

describe("the runner's own tables", () => {
  it("are created as the runner creates them, so that a migration that uses them applies", async () => {
    const dir = project({
      "diesel.toml": "[print_schema]\nfile = \"src/schema.rs\"\n",
      "migrations/2024-01-01-000000_users/up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
      "migrations/2024-01-01-000000_users/down.sql": "DROP TABLE users;\n",
      "migrations/2024-02-01-000000_forbid_cli/up.sql": "SELECT count(*) FROM __diesel_schema_migrations;\n",
      "migrations/2024-02-01-000000_forbid_cli/down.sql": "SELECT 1;\n",
    });
    const result = await verify(["--debug", "--format", "compact", "migrations"], { cwd: dir });
    expect(result.output).not.toContain("verify-error");
    expect(result.stderr).toContain("migsafe: debug: created diesel's __diesel_schema_migrations before the first migration, as diesel does on a new database\n");
  });

  it("are each runner's real definition (every one runs on PostgreSQL), and a --seed's own table wins", async () => {
    const { BOOKKEEPING } = await import("../../src/verify/bookkeeping.js");
    for (const { sql } of Object.values(BOOKKEEPING)) {
      await empty();
      await db.exec(sql);
    }
    await db.exec("DROP SCHEMA IF EXISTS drizzle CASCADE;");
    const dir = project({
      "seed.sql": "CREATE TABLE __diesel_schema_migrations (version text PRIMARY KEY, note text NOT NULL);\n",
      "diesel.toml": "",
      "migrations/2024-02-01-000000_note/up.sql": "INSERT INTO __diesel_schema_migrations (version, note) VALUES ('x', 'seeded');\n",
      "migrations/2024-02-01-000000_note/down.sql": "DELETE FROM __diesel_schema_migrations WHERE version = 'x';\n",
    });
    const result = await verify(["--seed", "seed.sql", "--format", "compact", "migrations"], { cwd: dir });
    expect(result.output).not.toContain("verify-error");
  });
});

describe("goose's Go migrations", () => {
  it("are named, as what verify does not run, before the run's summary", async () => {
    const dir = project({
      "migrations/00001_users.sql": "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY);\n-- +goose Down\nDROP TABLE users;\n",
      "migrations/00002_backfill.go": "package migrations\n",
      "migrations/00002_backfill_test.go": "package migrations\n",
      "migrations/00003_use.sql": "-- +goose Up\nCREATE INDEX users_id ON users (id);\n-- +goose Down\nDROP INDEX users_id;\n",
    });
    const result = await verify(["--format", "compact", "migrations"], { cwd: dir });
    expect(result.stderr).toBe(
      "migsafe: migrations has a Go migration, which goose runs as code and verify does not: what it makes is missing for the migrations after it (00002_backfill.go)\n" +
        `migsafe: verified 2 migrations on ${db.description}\n`,
    );
  });
});

describe("extensions PGlite does not have", () => {
  it("are named before the run, and the contrib ones and plpgsql are not", async () => {
    const own = await openPgliteDatabase({ extensions: ["postgis", "citext", "plpgsql"] });
    try {
      expect(own.notices).toEqual([
        "the migrations create extension postgis, which PGlite has no build of: CREATE EXTENSION postgis will fail, and what uses it after; verify on a server that has it (--database-url)",
      ]);
    } finally {
      await own.close();
    }
  }, 60_000);
});

describe("a Sqitch project (psql runs its scripts)", () => {
  it("has psql's own variables and Sqitch's registry, so that grants on the database and the registry apply", async () => {
    const dir = project({
      "sqitch.plan": "%syntax-version=1.0.0\n%project=app\n\nroles 2024-01-01T00:00:00Z Someone <someone@example.com> # roles\n",
      "deploy/roles.sql": [
        "-- Deploy app:roles to pg",
        "begin;",
        "create role reader;",
        'grant connect on database :"DBNAME" to reader;',
        "grant usage on schema sqitch to reader;",
        "select :'DBNAME' = current_database() as same_database, :'USER' = session_user as same_user;",
        "commit;",
        "",
      ].join("\n"),
      "revert/roles.sql": "begin;\nrevoke usage on schema sqitch from reader;\nrevoke connect on database :\"DBNAME\" from reader;\ndrop role reader;\ncommit;\n",
    });
    const result = await verify(["--debug", "--format", "compact", "deploy"], { cwd: dir });
    const problems = result.output.split("\n").filter((line) => /verify-(error|refused)/.test(line));
    // On PGlite, verify's own instance, the role and the grants run (on a server they are refused).
    expect(problems).toEqual([]);
    expect(result.output).not.toMatch(/syntax error|schema "sqitch" does not exist/);
    expect(result.stderr).toContain("migsafe: debug: created sqitch's the sqitch schema (releases, projects, changes, tags, dependencies, events) before the first migration");
  });
});

describe("files the runner does not run", () => {
  it("leaves out a Drizzle file its journal does not list, and says so", async () => {
    const dir = project({
      "drizzle/meta/_journal.json": JSON.stringify({ entries: [{ idx: 0, tag: "0000_init" }, { idx: 1, tag: "0001_entrypoint" }] }),
      "drizzle/0000_init.sql": 'CREATE TABLE "domain" (id bigint PRIMARY KEY);\n',
      "drizzle/0001_abandoned.sql": 'ALTER TABLE "domain" ADD COLUMN "customEntrypoint" text;\n',
      "drizzle/0001_entrypoint.sql": 'ALTER TABLE "domain" ADD COLUMN "customEntrypoint" text;\n',
    });
    const result = await verify(["--format", "compact", "drizzle"], { cwd: dir });
    expect(result.output).not.toContain("verify-error");
    expect(result.stderr).toBe(
      "migsafe: skipped 1 file verify does not run (not SQL, a rollback file without its migration, a file its runner does not run, or a TS/JS migration whose SQL it does not spell out): drizzle/0001_abandoned.sql\n" +
        `migsafe: verified 2 migrations on ${db.description}\n`,
    );
  });
});

describe("--locks", () => {
  const migrations = {
    "migrations/001_init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
    "migrations/002_change.sql":
      "SET lock_timeout = '5s';\nBEGIN;\nALTER TABLE users ADD COLUMN plan text;\n-- the index\nCREATE INDEX users_email_idx ON users (email);\n" +
      "ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE users ALTER COLUMN email TYPE varchar(100);\nCOMMIT;\nUPDATE orders SET user_id = 1;\n",
  };

  it("prints each lock a statement took on an existing table, in order, as PostgreSQL reported it (JSON)", async () => {
    const dir = project(migrations);
    const result = await verify(["--locks", "--format", "json", "migrations"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const rows = (JSON.parse(result.output) as { file: string; line: number; table: string; mode: string; heldSince?: number; heldTo: number; blocks: string; rewrite: boolean }[]).map(
      ({ file, line, table, mode, heldSince, heldTo, blocks, rewrite }) => `${file}:${line} ${table} ${mode} ${heldSince ?? line}-${heldTo} ${blocks}${rewrite ? " rewrite" : ""}`,
    );
    expect(rows).toEqual([
      "migrations/002_change.sql:3 users ACCESS EXCLUSIVE 3-8 reads and writes",
      "migrations/002_change.sql:5 users SHARE 5-8 writes",
      "migrations/002_change.sql:6 orders SHARE ROW EXCLUSIVE 6-8 writes",
      "migrations/002_change.sql:6 users SHARE ROW EXCLUSIVE 6-8 writes",
      "migrations/002_change.sql:7 users ACCESS EXCLUSIVE 3-8 reads and writes rewrite",
      "migrations/002_change.sql:9 orders ROW EXCLUSIVE 9-9 schema changes",
    ]);
  });

  it("prints a markdown table for a pull-request comment, and refuses formats that are no table", async () => {
    const dir = project(migrations);
    const markdown = await verify(["--locks", "--format", "markdown", "migrations"], { cwd: dir });
    expect(markdown.output).toMatch(/^### Locks taken, by statement\n\n\| statement \| table \| lock \| held \| blocks \| rewrite \| ms \|\n/);
    expect(markdown.output.split("\n").filter((line) => line.startsWith("| migrations/"))).toHaveLength(6);
    const sarif = await verify(["--locks", "--format", "sarif", "migrations"], { cwd: dir });
    expect([sarif.exitCode, sarif.stderr]).toEqual([2, "migsafe: --locks prints a table as text (stylish, compact), json or markdown, not sarif\n"]);
  });
});

describe("TypeScript and JavaScript migrations", () => {
  it("runs the SQL lint reads in them, up then down as the rollback, with findings at their lines in the source", async () => {
    const dir = project({
      "package.json": JSON.stringify({ dependencies: { typeorm: "^0.3.20" } }),
      "src/migrations/1700000000000-AddUsers.ts": [
        'import { MigrationInterface, QueryRunner } from "typeorm";',
        "",
        "export class AddUsers1700000000000 implements MigrationInterface {",
        "  public async up(queryRunner: QueryRunner): Promise<void> {",
        '    await queryRunner.query(`CREATE TABLE "users" ("id" SERIAL PRIMARY KEY, "email" text)`);',
        '    await queryRunner.query(`CREATE INDEX "users_email_idx" ON "users" ("email")`);',
        "  }",
        "",
        "  public async down(queryRunner: QueryRunner): Promise<void> {",
        '    await queryRunner.query(`DROP INDEX "users_email_idx"`);',
        "  }",
        "}",
        "",
      ].join("\n"),
      "src/migrations/1700000000001-AddAge.ts": [
        'import { MigrationInterface, QueryRunner } from "typeorm";',
        "",
        "export class AddAge1700000000001 implements MigrationInterface {",
        "  public async up(queryRunner: QueryRunner): Promise<void> {",
        '    await queryRunner.query(`ALTER TABLE "users" ADD COLUMN "age" integer NOT NULL`);',
        "  }",
        "",
        "  public async down(queryRunner: QueryRunner): Promise<void> {",
        '    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "age"`);',
        "  }",
        "}",
        "",
      ].join("\n"),
      "src/migrations/1700000000002-Builder.js": "exports.up = (knex) => knex.schema.createTable('orders', (t) => { t.increments('id').comment('order number'); });\nexports.down = (knex) => knex.schema.dropTable('orders');\n",
    });
    const result = await verify(["--rows", "2", "--format", "compact", "src/migrations"], { cwd: dir });
    expect(result.output.split("\n").filter((line) => / verify-/.test(line))).toEqual([
      "src/migrations/1700000000000-AddUsers.ts:10:30: careful verify-rollback The rollback leaves table users, which did not exist before the migration",
      'src/migrations/1700000000001-AddAge.ts:5:30: dangerous verify-error Fails on PostgreSQL 18: column "age" of relation "users" contains null values (23502)',
    ]);
    expect(result.stderr).toContain("src/migrations/1700000000002-Builder.js");
    expect(result.stderr).toContain("migsafe: verified 2 migrations on");
  }, 60_000);
});

describe("a TS/JS migration verify cannot run", () => {
  it("takes the later failures on what it makes as its knock-ons, said on stderr, not as findings", async () => {
    const dir = project({
      "package.json": JSON.stringify({ dependencies: { knex: "^3.1.0" } }),
      "migrations/20240101000000_orders.js": "exports.up = (knex) => knex.schema.createTable('orders', (t) => { t.increments('id').comment('order number'); });\nexports.down = (knex) => knex.schema.dropTable('orders');\n",
      "migrations/20240102000000_index.js":
        "exports.up = (knex) => knex.raw('CREATE INDEX orders_id_idx ON orders (id)');\nexports.down = (knex) => knex.raw('DROP INDEX orders_id_idx');\n",
      "migrations/20240103000000_other.js": "exports.up = (knex) => knex.raw('SELECT * FROM nowhere');\nexports.down = (knex) => knex.raw('SELECT 1');\n",
    });
    const result = await verify(["--format", "compact", "migrations"], { cwd: dir });
    // The index fails on orders, which the builder migration makes: a knock-on. nowhere is named by no earlier migration: a finding.
    expect(result.output.split("\n").filter((line) => / verify-/.test(line))).toEqual([
      'migrations/20240103000000_other.js:1:48: dangerous verify-error Fails on PostgreSQL 18: relation "nowhere" does not exist (42P01)',
    ]);
    expect(result.stderr).toContain(
      'migsafe: 20240101000000_orders.js was not run (verify runs a TS/JS migration only when migsafe writes out all of its SQL): a later migration then failed on what it makes, not reported as findings of their own: 20240102000000_index.js:1 relation "orders" does not exist (42P01)\n',
    );
    expect(result.stderr).toContain("2 did not apply (1 of them on what an earlier failure, refused statement or migration verify could not run did not make");
  }, 60_000);
});

describe("node-pg-migrate's schema builders", () => {
  it("run as the SQL node-pg-migrate sends for them, when migsafe writes every call's SQL from names the file spells out", async () => {
    const dir = project({
      "package.json": JSON.stringify({ dependencies: { "node-pg-migrate": "^7.0.0" } }),
      "migrations/1700000000000_users.js": [
        "exports.up = (pgm) => {",
        "  pgm.createTable('users', { id: 'id', email: { type: 'text', notNull: true } });",
        "  pgm.createIndex('users', 'email', { unique: true });",
        "};",
        "exports.down = (pgm) => {",
        "  pgm.dropTable('users');",
        "};",
        "",
      ].join("\n"),
      "migrations/1700000000001_age.js": "exports.up = (pgm) => {\n  pgm.addColumn('users', { age: { type: 'integer', notNull: true } });\n};\nexports.down = (pgm) => {\n  pgm.dropColumn('users', 'age');\n};\n",
      "migrations/1700000000002_policy.js": "exports.up = (pgm) => {\n  pgm.createPolicy('users', 'own_rows');\n};\n",
      "migrations/1700000000003_named.js": "const { TABLE } = require('../src/names');\nexports.up = (pgm) => {\n  pgm.addColumn(TABLE, { note: 'text' });\n};\n",
    });
    const result = await verify(["--rows", "2", "--format", "compact", "migrations"], { cwd: dir });
    // The index's and the column's statements come from the builder calls: findings cover the call.
    expect(result.output.split("\n").filter((line) => / verify-/.test(line))).toEqual([
      'migrations/1700000000001_age.js:2:3: dangerous verify-error Fails on PostgreSQL 18: column "age" of relation "users" contains null values (23502)',
    ]);
    expect(result.stderr).toContain("migsafe: verified 2 migrations on");
    // The first one ran, its rollback too (the rollback check found nothing to say).
    expect(result.output).not.toContain("1700000000000_users.js:");
    // A call migsafe writes no SQL for, or a name computed at run time: not run, and said.
    expect(result.stderr).toMatch(/skipped 2 files verify does not run .*: migrations\/1700000000002_policy\.js, migrations\/1700000000003_named\.js\n/);
  }, 60_000);
});

describe("Knex's schema builder", () => {
  it("runs as the SQL Knex sends: a new table's columns before its keys, `.alter()` as Knex alters a column", async () => {
    const dir = project({
      "package.json": JSON.stringify({ dependencies: { knex: "^3.1.0" } }),
      "migrations/20240101000000_teams.js":
        "exports.up = (knex) => knex.schema.createTable('teams', (t) => {\n  t.increments('id').primary();\n  t.string('name', 'varchar(255)').notNullable();\n});\nexports.down = (knex) => knex.schema.dropTable('teams');\n",
      "migrations/20240102000000_users.js": [
        "exports.up = (knex) => knex.schema.createTable('users', (t) => {",
        "  t.foreign('team_id').references('id').inTable('teams').onDelete('CASCADE');",
        "  t.integer('team_id').unsigned();",
        "  t.enu('role', ['admin', 'member']).defaultTo('member');",
        "  t.string('nickname');",
        "  t.timestamps(true, true);",
        "  t.unique(['team_id', 'role']);",
        "});",
        "exports.down = (knex) => knex.schema.dropTable('users');",
        "",
      ].join("\n"),
      "migrations/20240103000000_required.js":
        "exports.up = (knex) => knex.schema.alterTable('users', (t) => {\n  t.text('nickname').alter().notNullable().defaultTo('anonymous');\n});\nexports.down = (knex) => knex.schema.alterTable('users', (t) => {\n  t.string('nickname').alter().nullable();\n});\n",
    });
    const result = await verify(["--format", "compact", "migrations"], { cwd: dir });
    // The foreign key to teams, a table that existed before, locks it until the new table's transaction commits.
    expect(result.output.split("\n").filter((line) => / verify-/.test(line))).toEqual([
      "migrations/20240102000000_users.js:1:24: careful verify-lock SHARE ROW EXCLUSIVE on teams held from line 1 until the transaction commits after line 8, and no…",
    ]);
    expect(result.stderr).toContain("migsafe: verified 3 migrations on");
    const columns = await db.query<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
      "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position",
    );
    expect(columns.map((column) => `${column.column_name} ${column.data_type} ${column.is_nullable === "YES" ? "null" : "not null"} ${column.column_default ?? "-"}`)).toEqual([
      "team_id integer null -",
      "role text null 'member'::text",
      "nickname text not null 'anonymous'::text",
      "created_at timestamp with time zone not null CURRENT_TIMESTAMP",
      "updated_at timestamp with time zone not null CURRENT_TIMESTAMP",
    ]);
    const constraints = await db.query<{ name: string }>("SELECT conname AS name FROM pg_catalog.pg_constraint WHERE conrelid = 'users'::regclass AND contype <> 'n' ORDER BY conname");
    expect(constraints.map((constraint) => constraint.name)).toEqual(["users_role_check", "users_team_id_foreign", "users_team_id_role_unique"]);
  }, 60_000);
});

describe("Kysely's schema builder", () => {
  it("runs as the SQL Kysely sends, when migsafe writes every chain of the file", async () => {
    const up = (body: string, down = "") =>
      `import { type Kysely } from 'kysely'\nexport async function up(db: Kysely<unknown>): Promise<void> {\n${body}\n}\nexport async function down(db: Kysely<unknown>): Promise<void> {\n${down}\n}\n`;
    const dir = project({
      "package.json": JSON.stringify({ dependencies: { kysely: "^0.27.0" } }),
      "migrations/20240101T000000000Z-account.ts": up(
        "  await db.schema.createTable('account').addColumn('id', 'serial', (col) => col.primaryKey()).addColumn('email', 'varchar', (col) => col.notNull()).execute()\n" +
          "  await db.schema.createIndex('account_email_idx').on('account').column('email').execute()",
        "  await db.schema.dropTable('account').execute()",
      ),
      "migrations/20240102T000000000Z-age.ts": up(
        "  await db.schema.alterTable('account').addColumn('age', 'integer', (col) => col.notNull()).execute()",
        "  await db.schema.alterTable('account').dropColumn('age').execute()",
      ),
      "migrations/20240103T000000000Z-view.ts": up("  await db.schema.createView('emails').as(db.selectFrom('account').select('email')).execute()"),
    });
    const result = await verify(["--rows", "2", "--format", "compact", "migrations"], { cwd: dir });
    expect(result.output.split("\n").filter((line) => / verify-/.test(line))).toEqual([
      'migrations/20240102T000000000Z-age.ts:3:9: dangerous verify-error Fails on PostgreSQL 18: column "age" of relation "account" contains null values (23502)',
    ]);
    expect(result.stderr).toContain("migsafe: verified 2 migrations on");
    expect(result.stderr).toMatch(/skipped 1 file verify does not run .*: migrations\/20240103T000000000Z-view\.ts\n/);
  }, 60_000);
});

describe("popx's split migrations", () => {
  it("are run in order, their down files reported but not checked one by one (they undo the group in reverse)", async () => {
    const dir = project({
      "go.mod": "module example.com/app\n\ngo 1.22\n\nrequire github.com/ory/x v0.0.600\n",
      "migrations/20191100000001000000_identities.postgres.up.sql": "CREATE TABLE identities (id uuid PRIMARY KEY);\n",
      "migrations/20191100000001000000_identities.postgres.down.sql": "DROP TABLE identity_credentials;\n",
      "migrations/20191100000001000001_identities.postgres.up.sql": "CREATE TABLE identity_credentials (id uuid PRIMARY KEY, identity_id uuid REFERENCES identities (id));\n",
      "migrations/20191100000001000001_identities.postgres.down.sql": "DROP TABLE identities;\n",
    });
    const result = await verify(["--debug", "--format", "compact", "migrations"], { cwd: dir });
    expect(result.output).not.toContain("verify-");
    expect(result.output).toContain("20191100000001000000_identities.postgres.down.sql");
    expect(result.stderr).toContain(
      "migsafe: debug: 20191100000001000000_identities.postgres.up.sql: its rollback is not checked: popx's down files undo a migration's numbered files together, in reverse, not one up file each\n",
    );
  });
});
