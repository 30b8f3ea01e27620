/**
 * What migsafe knows of each migration runner: how it sends a migration to PostgreSQL (in a transaction of
 * its own, as one query string, or statement by statement), what turns that off, where the rollback lives,
 * and the order migrations run in. Each profile says why, with the runner's documentation or source.
 */

export const RUNNER_NAMES = [
  "prisma",
  "diesel",
  "golang-migrate",
  "pop",
  "popx",
  "goose",
  "dbmate",
  "sql-migrate",
  "flyway",
  "sqitch",
  "drizzle",
  "temporal-sql-tool",
  "kysely",
  "typeorm",
  "mikro-orm",
  "knex",
  "node-pg-migrate",
  "sequelize",
] as const;

export type RunnerName = (typeof RUNNER_NAMES)[number];

/**
 * How a runner sends a migration (a file, a section of one, or a migration function) to PostgreSQL:
 * - `transaction`: inside a transaction the runner opens (alone, or with the other pending migrations);
 * - `single-query`: the whole file as one query string, which PostgreSQL runs as one implicit transaction
 *   when it holds more than one statement (a BEGIN … COMMIT in the file takes that transaction over, and the
 *   statements after a COMMIT form the next one); a file of one statement runs on its own;
 * - `none`: statement by statement, each committing on its own unless the file opens a transaction.
 */
export type Wrapping = "transaction" | "single-query" | "none";

/**
 * Where a migration's rollback lives: a down file beside it (`down.sql`, `x.down.sql`), a down section in the
 * file (goose, dbmate, sql-migrate), a down function in a script migration, a script in sqitch's `revert/`
 * folder, or nowhere: the runner only goes forward, and no rollback is asked for.
 */
export type RollbackPlace = "down-file" | "down-section" | "down-function" | "revert-folder" | "none";

/**
 * The order a runner applies migrations in: by file (or folder) name, by the version number at the start of
 * the name compared as a number, by the order of a plan or journal file, or by the timestamp a class name ends with.
 */
export type MigrationOrder = "name" | "version" | "plan" | "journal" | "class-timestamp";

export interface RunnerProfile {
  name: RunnerName;
  /** The runner as its users write it: "Prisma Migrate", "golang-migrate". */
  title: string;
  /** How the runner sends each migration, before anything the file or the project turns off. */
  wrapping: Wrapping;
  /** Completes "… runs a migration that way" for messages: why migsafe thinks the runner wraps (or does not). */
  how: string;
  /** What turns the runner's transaction off for one migration, as the file writes it; undefined when nothing does. */
  optOut: string | undefined;
  /**
   * True when the runner runs a script without a transaction if every statement of it is one PostgreSQL refuses
   * in a transaction block (Flyway's PostgreSQL parser: CREATE INDEX CONCURRENTLY, VACUUM, …).
   */
  aloneWhenRefused?: true;
  /**
   * True when running a partly applied migration again finishes it: the runner ignores "already exists" and
   * "not found" errors (temporal-sql-tool), so a failure half-way is repaired by running the migration again.
   */
  toleratesRerun?: true;
  rollback: RollbackPlace;
  order: MigrationOrder;
  /** How the order is decided, in words. */
  orderRule: string;
  /** The runner's documentation (or source) that says how it wraps migrations. */
  docs: string;
}

export const PROFILES: Readonly<Record<RunnerName, RunnerProfile>> = {
  prisma: {
    name: "prisma",
    title: "Prisma Migrate",
    wrapping: "single-query",
    how: "Prisma Migrate sends each migration.sql whole, as one query, which PostgreSQL runs as one implicit transaction",
    optOut: undefined,
    rollback: "none",
    order: "name",
    orderRule: "by migration folder name (<timestamp>_<name>)",
    docs: "https://github.com/prisma/prisma-engines/blob/main/schema-engine/connectors/sql-schema-connector/src/flavour/postgres/connection.rs",
  },
  diesel: {
    name: "diesel",
    title: "Diesel",
    wrapping: "transaction",
    how: "Diesel runs each migration in a transaction of its own",
    optOut: "run_in_transaction = false in the migration folder's metadata.toml",
    rollback: "down-file",
    order: "name",
    orderRule: "by migration folder name (<version>_<name>)",
    docs: "https://docs.rs/diesel_migrations/latest/diesel_migrations/",
  },
  "golang-migrate": {
    name: "golang-migrate",
    title: "golang-migrate",
    wrapping: "single-query",
    how: "golang-migrate sends each file whole, as one query, which PostgreSQL runs as one implicit transaction",
    optOut: undefined,
    rollback: "down-file",
    order: "version",
    orderRule: "by the version number the file name starts with",
    docs: "https://github.com/golang-migrate/migrate/blob/master/database/postgres/README.md",
  },
  pop: {
    name: "pop",
    title: "pop",
    wrapping: "transaction",
    how: "pop runs each migration in a transaction of its own",
    optOut: undefined,
    rollback: "down-file",
    order: "name",
    orderRule: "by the version the file name starts with",
    docs: "https://github.com/gobuffalo/pop/blob/main/migrator.go",
  },
  popx: {
    name: "popx",
    title: "Ory popx",
    wrapping: "transaction",
    how: "popx runs each migration in a transaction of its own",
    optOut: "the .autocommit. file name (<version>_<name>.<dialect>.autocommit.up.sql)",
    rollback: "down-file",
    order: "name",
    orderRule: "by the version the file name starts with; a dialect's own file instead of the dialect-generic one",
    docs: "https://github.com/ory/x/blob/master/popx/migrator.go",
  },
  goose: {
    name: "goose",
    title: "goose",
    wrapping: "transaction",
    how: "goose runs each migration in a transaction",
    optOut: "-- +goose NO TRANSACTION",
    rollback: "down-section",
    order: "version",
    orderRule: "by the version number the file name starts with",
    docs: "https://pressly.github.io/goose/documentation/annotations/",
  },
  dbmate: {
    name: "dbmate",
    title: "dbmate",
    wrapping: "transaction",
    how: "dbmate runs each migration in a transaction",
    optOut: "-- migrate:up transaction:false",
    rollback: "down-section",
    order: "name",
    orderRule: "by file name (<version>_<name>.sql)",
    docs: "https://github.com/amacneil/dbmate#options",
  },
  "sql-migrate": {
    name: "sql-migrate",
    title: "sql-migrate",
    wrapping: "transaction",
    how: "sql-migrate runs each migration in a transaction",
    optOut: "-- +migrate Up notransaction",
    rollback: "down-section",
    order: "version",
    orderRule: "by the number the file name starts with, else by file name",
    docs: "https://github.com/rubenv/sql-migrate#writing-migrations",
  },
  flyway: {
    name: "flyway",
    title: "Flyway",
    wrapping: "transaction",
    how: "Flyway runs each migration in a transaction of its own",
    optOut: "executeInTransaction=false in the script's .conf file",
    aloneWhenRefused: true,
    rollback: "none",
    order: "version",
    orderRule: "versioned migrations (V<version>__) by version compared as numbers, then repeatable ones (R__) by description",
    docs: "https://documentation.red-gate.com/fd/flyway-execute-in-transaction-setting-277578997.html",
  },
  sqitch: {
    name: "sqitch",
    title: "Sqitch",
    wrapping: "none",
    how: "Sqitch runs each script with psql and adds no transaction: the script's own BEGIN … COMMIT decides",
    optOut: undefined,
    rollback: "revert-folder",
    order: "plan",
    orderRule: "in the order of sqitch.plan",
    docs: "https://sqitch.org/docs/manual/sqitch-deploy/",
  },
  drizzle: {
    name: "drizzle",
    title: "Drizzle Kit",
    wrapping: "transaction",
    how: "Drizzle's migrator runs the pending migrations in one transaction",
    optOut: undefined,
    rollback: "none",
    order: "journal",
    orderRule: "in the order of meta/_journal.json",
    docs: "https://orm.drizzle.team/docs/migrations",
  },
  "temporal-sql-tool": {
    name: "temporal-sql-tool",
    title: "temporal-sql-tool",
    wrapping: "none",
    how: "temporal-sql-tool runs each statement on its own, without a transaction, and ignores \"already exists\" and \"not found\" errors when a partly applied version runs again",
    optOut: undefined,
    toleratesRerun: true,
    rollback: "none",
    order: "version",
    orderRule: "by version folder (v1.2 before v1.10), each folder's files in the order of its manifest.json",
    docs: "https://github.com/temporalio/temporal/blob/main/tools/common/schema/updatetask.go",
  },
  kysely: {
    name: "kysely",
    title: "Kysely",
    wrapping: "transaction",
    how: "Kysely's Migrator runs the pending migrations in one transaction on PostgreSQL",
    optOut: undefined,
    rollback: "down-function",
    order: "name",
    orderRule: "by migration name",
    docs: "https://kysely.dev/docs/migrations",
  },
  typeorm: {
    name: "typeorm",
    title: "TypeORM",
    wrapping: "transaction",
    how: "TypeORM runs migrations in a transaction",
    optOut: "transaction = false in the migration class (with migrationsTransactionMode \"each\" or \"none\")",
    rollback: "down-function",
    order: "class-timestamp",
    orderRule: "by the timestamp the migration class name ends with",
    docs: "https://typeorm.io/docs/migrations/faking",
  },
  "mikro-orm": {
    name: "mikro-orm",
    title: "MikroORM",
    wrapping: "transaction",
    how: "MikroORM runs migrations in a transaction",
    optOut: "isTransactional() returning false",
    rollback: "down-function",
    order: "name",
    orderRule: "by migration name, or in the order of migrationsList",
    docs: "https://mikro-orm.io/docs/migrations",
  },
  knex: {
    name: "knex",
    title: "Knex",
    wrapping: "transaction",
    how: "Knex runs migrations in a transaction",
    optOut: "exports.config = { transaction: false }",
    rollback: "down-function",
    order: "name",
    orderRule: "by file name",
    docs: "https://knexjs.org/guide/migrations.html#transactions-in-migrations",
  },
  "node-pg-migrate": {
    name: "node-pg-migrate",
    title: "node-pg-migrate",
    wrapping: "transaction",
    how: "node-pg-migrate runs migrations in a transaction",
    optOut: "pgm.noTransaction()",
    rollback: "down-function",
    order: "name",
    orderRule: "by file name",
    docs: "https://salsita.github.io/node-pg-migrate/migrations/misc",
  },
  sequelize: {
    name: "sequelize",
    title: "Sequelize",
    wrapping: "none",
    how: "Sequelize runs each migration function as it is, without a transaction",
    optOut: undefined,
    rollback: "down-function",
    order: "name",
    orderRule: "by file name",
    docs: "https://sequelize.org/docs/v6/other-topics/migrations/",
  },
};

export function isRunnerName(value: unknown): value is RunnerName {
  return typeof value === "string" && (RUNNER_NAMES as readonly string[]).includes(value);
}
