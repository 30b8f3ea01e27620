import { describe, expect, it } from "vitest";
import { diskAccess, lintSource } from "../../src/engine/lint-source.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { runnerOf, type FileRunner, type RunnerSettings } from "../../src/runners/file-runner.js";
import { useTempProjects } from "../cli/fixtures/temp-project.js";

const tempProject = useTempProjects();
const NOT_SET: RunnerSettings = { runner: undefined, assumeInTransaction: undefined };

/** The runner of `file` in a temp project holding `files` (the file itself among them). */
function runnerIn(files: Record<string, string>, file: string, settings: RunnerSettings = NOT_SET): FileRunner {
  const project = tempProject(files);
  return runnerOf(project.path(file), files[file]!, diskAccess, settings);
}

/** What a test asserts of a runner: its name, how it wraps the file, where the rollback lives. */
function summary(runner: FileRunner): { runner: string | undefined; wrapping: string; rollback: string | undefined } {
  return { runner: runner.profile?.name, wrapping: runner.wrapping, rollback: runner.rollback };
}

const SQL = "ALTER TABLE users ADD COLUMN role text;\n";

describe("runner detection, SQL migrations", () => {
  it("Prisma: migration.sql in a <timestamp>_<name> folder, with migration_lock.toml beside the folders", () => {
    const files = { "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n', "prisma/migrations/20240101000000_init/migration.sql": SQL, "package.json": '{"devDependencies":{"prisma":"^6"}}' };
    const runner = runnerIn(files, "prisma/migrations/20240101000000_init/migration.sql");
    expect(summary(runner)).toEqual({ runner: "prisma", wrapping: "single-query", rollback: "none" });
    expect(runner.reason).toBe("Prisma Migrate sends each migration.sql whole, as one query, which PostgreSQL runs as one implicit transaction (detected from migration_lock.toml beside the migration folders)");
    expect(runner.decidedBy.map((clue) => clue.what)).toEqual(["migration_lock.toml beside the migration folders", "package.json's dependency on prisma"]);
  });

  it("Prisma: without migration_lock.toml, the <14-digit timestamp>_<name> folder of a migration.sql is enough", () => {
    const runner = runnerIn({ "packages/prisma/migrations/20230404095503_initial_migration/migration.sql": SQL }, "packages/prisma/migrations/20230404095503_initial_migration/migration.sql");
    expect(summary(runner)).toEqual({ runner: "prisma", wrapping: "single-query", rollback: "none" });
    expect(runner.decidedBy.map((clue) => clue.what)).toEqual(["its folder name, which follows Prisma Migrate's <timestamp>_<name>/migration.sql layout"]);
    // A migration.sql in a folder named otherwise is nobody's in particular.
    expect(summary(runnerIn({ "migrations/init/migration.sql": SQL }, "migrations/init/migration.sql")).runner).toBeUndefined();
    expect(summary(runnerIn({ "migrations/20240101_init/migration.sql": SQL }, "migrations/20240101_init/migration.sql")).runner).toBeUndefined();
  });

  it("Diesel: up.sql/down.sql under diesel.toml, or in a folder named the Diesel way; metadata.toml turns the transaction off", () => {
    const files = { "diesel.toml": "[print_schema]\n", "migrations/20240101_init/up.sql": SQL, "migrations/20240101_init/down.sql": "ALTER TABLE users DROP COLUMN role;\n" };
    expect(summary(runnerIn(files, "migrations/20240101_init/up.sql"))).toEqual({ runner: "diesel", wrapping: "transaction", rollback: "down-file" });
    expect(summary(runnerIn({ "migrations/2024-01-01-120000_init/up.sql": SQL }, "migrations/2024-01-01-120000_init/up.sql")).runner).toBe("diesel");
    // Diesel 2.2 adds four digits to the folder's timestamp.
    expect(summary(runnerIn({ "migrations/2026-07-27-143313-0000_rename/up.sql": SQL }, "migrations/2026-07-27-143313-0000_rename/up.sql")).runner).toBe("diesel");
    const noTransaction = runnerIn({ ...files, "migrations/20240101_init/metadata.toml": "run_in_transaction = false\n" }, "migrations/20240101_init/up.sql");
    expect(noTransaction.wrapping).toBe("none");
    expect(noTransaction.reason).toBe("Diesel runs this migration without a transaction (run_in_transaction = false in metadata.toml)");
  });

  it("golang-migrate: <version>_<name>.up.sql, one query per file; go.mod agrees", () => {
    const files = { "go.mod": "module x\n\nrequire github.com/golang-migrate/migrate/v4 v4.19.1\n", "db/migrations/20240101_init.up.sql": SQL };
    const runner = runnerIn(files, "db/migrations/20240101_init.up.sql");
    expect(summary(runner)).toEqual({ runner: "golang-migrate", wrapping: "single-query", rollback: "down-file" });
    expect(runner.decidedBy.map((clue) => clue.what)).toEqual([
      "its file name, which follows golang-migrate's <version>_<name>.up.sql naming",
      "go.mod's requirement of github.com/golang-migrate/migrate",
    ]);
  });

  it("golang-migrate: the version's name may hold dots, and no go.mod or down file is needed", () => {
    const runner = runnerIn({ "make/migrations/postgresql/0031_2.0.3_schema.up.sql": SQL }, "make/migrations/postgresql/0031_2.0.3_schema.up.sql");
    expect(summary(runner)).toEqual({ runner: "golang-migrate", wrapping: "single-query", rollback: "down-file" });
    expect(runner.decidedBy.map((clue) => clue.what)).toEqual(["its file name, which follows golang-migrate's <version>_<name>.up.sql naming"]);
    expect(summary(runnerIn({ "m/20240101120000_init.up.sql": SQL }, "m/20240101120000_init.up.sql")).runner).toBe("golang-migrate");
  });

  it("pop: its template of the connection's options, a dialect in the file name, or go.mod; each migration in a transaction", () => {
    const templated = `ALTER TABLE {{ index .Options "Namespace" }}.users ADD COLUMN role text;\n`;
    const runner = runnerIn({ "migrations/20210710035447_alter_users.up.sql": templated }, "migrations/20210710035447_alter_users.up.sql");
    expect(summary(runner)).toEqual({ runner: "pop", wrapping: "transaction", rollback: "down-file" });
    expect(runner.reason).toBe("pop runs each migration in a transaction of its own (detected from its {{ … .Options … }} template, which pop renders with the connection's details)");
    expect(summary(runnerIn({ "m/20210710035447_init.postgres.up.sql": SQL }, "m/20210710035447_init.postgres.up.sql")).runner).toBe("pop");
    const goMod = "module github.com/supabase/auth\n\nrequire (\n\tgithub.com/gobuffalo/pop/v6 v6.1.1\n)\n";
    expect(runnerIn({ "go.mod": goMod, "migrations/20210710035447_init.up.sql": SQL }, "migrations/20210710035447_init.up.sql").decidedBy.map((clue) => clue.what)).toEqual([
      "go.mod's requirement of github.com/gobuffalo/pop",
      "its file name, which follows pop's <version>_<name>.up.sql naming",
    ]);
    // pop does not read a name with dots in it: golang-migrate's, whatever go.mod says.
    expect(summary(runnerIn({ "go.mod": goMod, "m/0031_2.0.3_schema.up.sql": SQL }, "m/0031_2.0.3_schema.up.sql")).runner).toBe("golang-migrate");
    // A module only some dependency requires decides nothing.
    const indirect = "module x\n\nrequire github.com/gobuffalo/pop/v6 v6.1.1 // indirect\n";
    expect(summary(runnerIn({ "go.mod": indirect, "m/20210710035447_init.up.sql": SQL }, "m/20210710035447_init.up.sql")).runner).toBe("golang-migrate");
  });

  it("Ory popx: .autocommit. or a version past 14 digits with a dialect, or go.mod", () => {
    const file = "persistence/sql/migrations/sql/20150100000001000000_networks.postgres.up.sql";
    const runner = runnerIn({ [file]: SQL }, file);
    expect(summary(runner)).toEqual({ runner: "popx", wrapping: "transaction", rollback: "down-file" });
    const autocommit = runnerIn({ "m/20260703000000000000_idx.postgres.autocommit.up.sql": SQL }, "m/20260703000000000000_idx.postgres.autocommit.up.sql");
    expect([autocommit.profile?.name, autocommit.wrapping, autocommit.reason]).toEqual(["popx", "none", "Ory popx runs this migration without a transaction (.autocommit. in its file name)"]);
    // Kratos's go.mod requires both pop and Ory's x: popx, which runs on pop.
    const goMod = "module github.com/ory/kratos\n\nrequire (\n\tgithub.com/gobuffalo/pop/v6 v6.1.1\n\tgithub.com/ory/x v0.0.600\n)\n";
    expect(summary(runnerIn({ "go.mod": goMod, "m/20200101000001_x.up.sql": SQL }, "m/20200101000001_x.up.sql")).runner).toBe("popx");
  });

  it("temporal-sql-tool: a version folder under versioned/, or the schema beside versioned/; statement by statement, forward only", () => {
    const file = "schema/postgresql/v12/temporal/versioned/v1.16/fix_data_encoding_column.sql";
    const runner = runnerIn({ [file]: SQL, "schema/postgresql/v12/temporal/versioned/v1.16/manifest.json": '{"CurrVersion":"1.16"}' }, file);
    expect(summary(runner)).toEqual({ runner: "temporal-sql-tool", wrapping: "none", rollback: "none" });
    expect(runner.profile?.toleratesRerun).toBe(true);
    expect(runner.decidedBy.map((clue) => clue.what)).toEqual(["its folder, a version folder under versioned/ (temporal-sql-tool's layout)", "manifest.json beside it"]);
    const setup = runnerIn({ "schema/postgresql/v12/temporal/schema.sql": SQL, [file]: SQL }, "schema/postgresql/v12/temporal/schema.sql");
    expect(summary(setup).runner).toBe("temporal-sql-tool");
    // A version-like folder elsewhere is nobody's in particular.
    expect(summary(runnerIn({ "db/v1.2/x.sql": SQL }, "db/v1.2/x.sql")).runner).toBeUndefined();
  });

  it("goose, dbmate, sql-migrate: their markers", () => {
    expect(summary(runnerIn({ "m/1_a.sql": `-- +goose Up\n${SQL}` }, "m/1_a.sql"))).toEqual({ runner: "goose", wrapping: "transaction", rollback: "down-section" });
    expect(runnerIn({ "m/1_a.sql": `-- +goose Up\n${SQL}`, "go.mod": "require github.com/pressly/goose/v3 v3.27.1\n" }, "m/1_a.sql").decidedBy.map((clue) => clue.what)).toEqual([
      "the -- +goose Up marker",
      "go.mod's requirement of github.com/pressly/goose",
    ]);
    expect(summary(runnerIn({ "m/1_a.sql": `-- migrate:up\n${SQL}` }, "m/1_a.sql")).runner).toBe("dbmate");
    expect(summary(runnerIn({ "m/1_a.sql": `-- +migrate Up\n${SQL}` }, "m/1_a.sql")).runner).toBe("sql-migrate");
  });

  it("Flyway: V<version>__, R__ and U<version>__ file names; an undo file is the rollback of its V file; <script>.conf can turn the transaction off", () => {
    const files = { "db/migration/V1.2__init.sql": SQL, "db/migration/U1.2__init.sql": "ALTER TABLE users DROP COLUMN role;\n", "build.gradle": "implementation 'org.flywaydb:flyway-core:8.5.13'\n" };
    const forward = runnerIn(files, "db/migration/V1.2__init.sql");
    expect(summary(forward)).toEqual({ runner: "flyway", wrapping: "transaction", rollback: "none" });
    expect(forward.partner).toEqual({ role: "forward", partnerPath: expect.stringMatching(/U1\.2__init\.sql$/) });
    expect(forward.decidedBy.map((clue) => clue.what)).toEqual(["its file name, which follows Flyway's V<version>__<name>.sql naming", "build.gradle's use of Flyway"]);
    expect(runnerIn(files, "db/migration/U1.2__init.sql").partner).toEqual({ role: "rollback", partnerPath: expect.stringMatching(/V1\.2__init\.sql$/) });
    expect(summary(runnerIn({ "db/R__views.sql": SQL }, "db/R__views.sql")).runner).toBe("flyway");
    const conf = runnerIn({ "db/V3__idx.sql": SQL, "db/V3__idx.sql.conf": "executeInTransaction=false\n" }, "db/V3__idx.sql");
    expect([conf.wrapping, conf.reason]).toEqual(["none", "Flyway runs this migration without a transaction (executeInTransaction = false in V3__idx.sql.conf)"]);
  });

  it("Sqitch: deploy/revert/verify under sqitch.plan; the revert script is the deploy script's rollback", () => {
    const files = { "schema/sqitch.plan": "%project=x\n", "schema/deploy/a/users.sql": `BEGIN;\n${SQL}COMMIT;\n`, "schema/revert/a/users.sql": "BEGIN;\nALTER TABLE users DROP COLUMN role;\nCOMMIT;\n", "schema/verify/a/users.sql": "SELECT role FROM users WHERE false;\n" };
    const deploy = runnerIn(files, "schema/deploy/a/users.sql");
    expect(summary(deploy)).toEqual({ runner: "sqitch", wrapping: "none", rollback: "revert-folder" });
    expect(deploy.partner).toEqual({ role: "forward", partnerPath: expect.stringMatching(/schema\/revert\/a\/users\.sql$/) });
    expect(runnerIn(files, "schema/revert/a/users.sql").partner).toEqual({ role: "rollback", partnerPath: expect.stringMatching(/schema\/deploy\/a\/users\.sql$/) });
  });

  it("Drizzle: --> statement-breakpoint, or meta/_journal.json beside the file", () => {
    expect(summary(runnerIn({ "drizzle/0001_x.sql": `${SQL}--> statement-breakpoint\n${SQL}` }, "drizzle/0001_x.sql"))).toEqual({ runner: "drizzle", wrapping: "transaction", rollback: "none" });
    expect(summary(runnerIn({ "drizzle/0000_x.sql": SQL, "drizzle/meta/_journal.json": "{}" }, "drizzle/0000_x.sql")).runner).toBe("drizzle");
  });

  it("no runner: a plain .sql file with nothing around it", () => {
    expect(runnerIn({ "migrations/001_init.sql": SQL }, "migrations/001_init.sql")).toMatchObject({ profile: undefined, wrapping: "none", reason: "", rollback: undefined });
  });
});

describe("files that are no migrations", () => {
  it("dbmate's schema dump, whatever its name or folder", () => {
    const dump = "SET statement_timeout = 0;\nCREATE TABLE public.users (id integer);\n\n--\n-- Dbmate schema migrations\n--\n\nINSERT INTO public.schema_migrations (version) VALUES\n    ('20240101');\n";
    const runner = runnerIn({ "migrations/schema.sql": dump, "migrations/db/migrations/20240101_a.sql": `-- migrate:up\n${SQL}` }, "migrations/schema.sql");
    expect([runner.profile?.name, runner.notAMigration]).toEqual([
      "dbmate",
      "it is dbmate's schema dump (it ends with a -- Dbmate schema migrations section): dbmate dump writes it and dbmate load loads it into an empty database, it is no migration",
    ]);
    expect(runnerIn({ "db/migrations/20240101_a.sql": `-- migrate:up\n${SQL}` }, "db/migrations/20240101_a.sql").notAMigration).toBeUndefined();
  });

  it("Sqitch: a verify script, and a script beside sqitch.plan", () => {
    const files = { "schema/sqitch.plan": "%project=x\n", "schema/deploy/a.sql": SQL, "schema/verify/a.sql": "BEGIN;\nSELECT role FROM users WHERE false;\nROLLBACK;\n", "schema/setup.sql": "REVOKE CONNECT ON DATABASE postgres FROM public;\n" };
    expect(runnerIn(files, "schema/verify/a.sql").notAMigration).toBe("it is a Sqitch verify script: it checks what its deploy script did, in a transaction it rolls back");
    expect(runnerIn(files, "schema/setup.sql")).toMatchObject({ notAMigration: "Sqitch runs only the scripts of the deploy/, revert/ and verify/ folders beside sqitch.plan" });
    expect(runnerIn(files, "schema/deploy/a.sql").notAMigration).toBeUndefined();
  });

  it("Drizzle: a SQL file its journal does not list", () => {
    const journal = JSON.stringify({ entries: [{ idx: 0, tag: "0000_init" }, { idx: 1, tag: "0001_users" }] });
    const files = { "drizzle/meta/_journal.json": journal, "drizzle/0000_init.sql": SQL, "drizzle/0001_users.sql": SQL, "drizzle/0001_orphan.sql": SQL };
    expect(runnerIn(files, "drizzle/0001_orphan.sql")).toMatchObject({ notAMigration: "it is not in Drizzle's journal (meta/_journal.json): drizzle-kit migrate runs only the migrations the journal lists" });
    expect(runnerIn(files, "drizzle/0001_users.sql").notAMigration).toBeUndefined();
    // A journal that does not list its entries, or cannot be read, says nothing.
    expect(runnerIn({ ...files, "drizzle/meta/_journal.json": "{}" }, "drizzle/0001_orphan.sql").notAMigration).toBeUndefined();
    expect(runnerIn({ ...files, "drizzle/meta/_journal.json": "{ not json" }, "drizzle/0001_orphan.sql").notAMigration).toBeUndefined();
  });

  it("pop and popx: a file for another database", () => {
    expect(runnerIn({ "m/20200101000000000001_x.mysql.up.sql": SQL }, "m/20200101000000000001_x.mysql.up.sql").notAMigration).toBe(
      "it is a MySQL migration (.mysql. in its name): Ory popx runs it only on MySQL",
    );
    expect(runnerIn({ "m/20200101000001_x.sqlite3.up.sql": SQL }, "m/20200101000001_x.sqlite3.up.sql").notAMigration).toBe("it is a SQLite migration (.sqlite3. in its name): pop runs it only on SQLite");
    expect(runnerIn({ "m/20200101000001_x.postgres.up.sql": SQL }, "m/20200101000001_x.postgres.up.sql").notAMigration).toBeUndefined();
  });

  it("another database's migrations, in a folder named after it beside the PostgreSQL folder", () => {
    const migration = 'import { MigrationInterface, QueryRunner } from "typeorm";\nexport class Init1 implements MigrationInterface {\n  async up(q: QueryRunner) { await q.query("SELECT 1"); }\n}\n';
    const files = { "migrations/postgres/1-Init.ts": migration, "migrations/mysql/1-Init.ts": migration };
    expect(runnerIn(files, "migrations/mysql/1-Init.ts").notAMigration).toBe("it is a MySQL migration (in mysql/, beside postgres/): the project runs the migrations of postgres/ on PostgreSQL");
    expect(runnerIn(files, "migrations/postgres/1-Init.ts").notAMigration).toBeUndefined();
    // Without a PostgreSQL folder beside it, a mysql/ folder may be anything.
    expect(runnerIn({ "db/mysql/001_a.sql": SQL }, "db/mysql/001_a.sql").notAMigration).toBeUndefined();
  });
});

describe("runner detection, TypeScript/JavaScript migrations", () => {
  it("TypeORM: implements MigrationInterface; transaction = false turns the transaction off", () => {
    const migration = 'import { MigrationInterface, QueryRunner } from "typeorm";\nexport class Init1 implements MigrationInterface {\n  async up(q: QueryRunner) { await q.query("SELECT 1"); }\n}\n';
    expect(summary(runnerIn({ "m/1-Init.ts": migration }, "m/1-Init.ts"))).toEqual({ runner: "typeorm", wrapping: "transaction", rollback: "down-function" });
    const off = runnerIn({ "m/2-Idx.ts": migration.replace("{\n", "{\n  transaction = false;\n") }, "m/2-Idx.ts");
    expect([off.wrapping, off.reason]).toEqual(["none", "TypeORM runs this migration without a transaction (transaction = false)"]);
  });

  it("MikroORM: its import; isTransactional() returning false turns the transaction off", () => {
    const migration = 'import { Migration } from "@mikro-orm/migrations";\nexport class Migration1 extends Migration {\n  async up() { this.addSql("select 1"); }\n}\n';
    expect(summary(runnerIn({ "m/Migration1.ts": migration }, "m/Migration1.ts")).runner).toBe("mikro-orm");
    const off = migration.replace("{\n", "{\n  isTransactional(): boolean {\n    return false;\n  }\n");
    expect(runnerIn({ "m/Migration2.ts": off }, "m/Migration2.ts").wrapping).toBe("none");
  });

  it("Knex: exports.config = { transaction: false } turns the transaction off, and a migration may open its own", () => {
    const migration = "exports.up = function (knex) {\n  return knex.raw('SELECT 1');\n};\n";
    expect(summary(runnerIn({ "m/1_a.cjs": migration }, "m/1_a.cjs"))).toEqual({ runner: "knex", wrapping: "transaction", rollback: "down-function" });
    expect(runnerIn({ "m/1_a.cjs": migration, "package.json": '{"dependencies":{"knex":"3.1.0"}}' }, "m/1_a.cjs").decidedBy.map((clue) => clue.what)).toEqual([
      "its up function taking knex",
      "package.json's dependency on knex",
    ]);
    const off = `exports.config = { transaction: false };\n${migration}`;
    expect(runnerIn({ "m/2_b.cjs": off }, "m/2_b.cjs").wrapping).toBe("none");
    const own = runnerIn({ "m/3_c.cjs": `${off}exports.down = (knex) => knex.transaction(async (trx) => trx.raw('SELECT 2'));\n` }, "m/3_c.cjs");
    expect([own.wrapping, own.reason]).toEqual(["transaction", "this migration opens its own transaction (knex.transaction())"]);
  });

  it("node-pg-migrate: its import; pgm.noTransaction() turns the transaction off", () => {
    const migration = "import { MigrationBuilder } from 'node-pg-migrate';\nexport const up = (pgm: MigrationBuilder) => {\n  pgm.sql('SELECT 1');\n};\n";
    expect(summary(runnerIn({ "m/1_a.ts": migration }, "m/1_a.ts")).runner).toBe("node-pg-migrate");
    expect(runnerIn({ "m/2_b.ts": migration.replace("=> {\n", "=> {\n  pgm.noTransaction();\n") }, "m/2_b.ts").wrapping).toBe("none");
  });

  it("Kysely: its import", () => {
    const migration = "import { Kysely, sql } from 'kysely';\nexport async function up(db: Kysely<unknown>) {\n  await sql`SELECT 1`.execute(db);\n}\n";
    expect(summary(runnerIn({ "m/1-a.ts": migration }, "m/1-a.ts"))).toEqual({ runner: "kysely", wrapping: "transaction", rollback: "down-function" });
  });

  it("Sequelize: no transaction, unless the migration opens one", () => {
    const migration = 'module.exports = {\n  up: async (queryInterface, Sequelize) => {\n    await queryInterface.addColumn("users", "role", { type: Sequelize.TEXT });\n  },\n};\n';
    const runner = runnerIn({ "m/1-a.js": migration }, "m/1-a.js");
    expect(summary(runner)).toEqual({ runner: "sequelize", wrapping: "none", rollback: "down-function" });
    expect(runner.reason).toBe("Sequelize runs each migration function as it is, without a transaction (detected from its functions taking Sequelize's queryInterface)");
    const own = migration.replace("=> {\n", "=> {\n    await queryInterface.sequelize.transaction(async (transaction) => {\n").replace("});\n  },", "}, { transaction });\n    });\n  },");
    expect(runnerIn({ "m/2-b.js": own }, "m/2-b.js").reason).toBe("this migration opens its own transaction (queryInterface.sequelize.transaction())");
    // Queries not passed the transaction run outside it (Sequelize without CLS).
    const notPassed = migration.replace("=> {\n", "=> {\n    await queryInterface.sequelize.transaction(async (transaction) => {\n").replace("});\n  },", "});\n    });\n  },");
    expect(runnerIn({ "m/3-c.js": notPassed }, "m/3-c.js").wrapping).toBe("none");
  });

  it("the nearest package.json names the runner when the migration's text does not", () => {
    const files = { "package.json": '{"dependencies":{"knex":"3.1.0"}}', "lib/migrations/1_a.ts": "export async function up(db) {\n  await db.raw('SELECT 1');\n}\n" };
    const runner = runnerIn(files, "lib/migrations/1_a.ts");
    expect(runner.profile?.name).toBe("knex");
    expect(runner.decidedBy).toEqual([{ what: "package.json's dependency on knex", file: expect.stringMatching(/package\.json$/) }]);
  });
});

describe("the configuration and the detected runner", () => {
  const prisma = { "prisma/migrations/migration_lock.toml": "", "prisma/migrations/1_init/migration.sql": SQL };
  const file = "prisma/migrations/1_init/migration.sql";

  it("an explicit assumeInTransaction decides how the file is wrapped, over the detected runner", () => {
    const assumed = runnerIn(prisma, file, { runner: undefined, assumeInTransaction: true });
    expect(summary(assumed)).toEqual({ runner: "prisma", wrapping: "transaction", rollback: "none" });
    expect(assumed.reason).toBe("the configuration says the runner wraps each file in a transaction (assumeInTransaction)");
    expect(runnerIn(prisma, file, { runner: undefined, assumeInTransaction: false }).wrapping).toBe("none");
  });

  it("the runner key forces a profile, or none", () => {
    const forced = runnerIn({ "db/001_init.sql": SQL }, "db/001_init.sql", { runner: "flyway", assumeInTransaction: undefined });
    expect(summary(forced)).toEqual({ runner: "flyway", wrapping: "transaction", rollback: "none" });
    expect(forced.reason).toBe("Flyway runs each migration in a transaction of its own (the configuration names it)");
    const none = runnerIn(prisma, file, { runner: "none", assumeInTransaction: undefined });
    expect(summary(none)).toEqual({ runner: undefined, wrapping: "none", rollback: undefined });
    expect(none.reason).toBe('the configuration says no runner wraps the file ("runner": "none")');
  });

  it("a migration's own switch wins over the configuration", () => {
    const knex = { "m/1_a.cjs": "exports.config = { transaction: false };\nexports.up = (knex) => knex.raw('SELECT 1');\n" };
    expect(runnerIn(knex, "m/1_a.cjs", { runner: undefined, assumeInTransaction: true }).wrapping).toBe("none");
  });
});

describe("Sqitch's scripts run in psql", () => {
  it("read psql's variables as psql replaces them: no syntax error, findings at their place", () => {
    const script = 'begin;\ncreate role enroller;\ngrant connect on database :"DBNAME" to enroller;\ncommit;\n';
    const files = { "schema/sqitch.plan": "%project=x\n", "schema/deploy/roles/enroller.sql": script, "other/enroller.sql": script };
    const project = tempProject(files);
    const options = { rules: allRules, settings: DEFAULT_SETTINGS };
    const sqitch = lintSource(script, project.path("schema/deploy/roles/enroller.sql"), options);
    expect(sqitch.errors).toEqual([]);
    expect(sqitch.text).toBe(script);
    // Not run by psql: the variable is a syntax error, as PostgreSQL would say.
    expect(lintSource(script, project.path("other/enroller.sql"), options).errors.map((error) => error.loc?.start.line)).toEqual([3]);
  });
});
