/**
 * The tables a migration runner keeps its history in, created before the first migration as the runner creates them
 * on a fresh database: migrations that read or change them (lemmy's `__diesel_schema_migrations`, harbor's
 * golang-migrate `schema_migrations`) then run as they do in production. Each is the runner's own definition, with
 * IF NOT EXISTS, so that a `--seed` that creates the table its own way comes first and wins.
 */
import type { FileRunners } from "./file-runners.js";

/** By runner profile (src/runners/profiles.ts): the table(s), as the runner's source creates them. */
export const BOOKKEEPING: Readonly<Record<string, { tables: string; sql: string }>> = {
  diesel: {
    tables: "__diesel_schema_migrations",
    sql: "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);",
  },
  "golang-migrate": {
    tables: "schema_migrations",
    sql: "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);",
  },
  dbmate: {
    tables: "schema_migrations",
    sql: "CREATE TABLE IF NOT EXISTS schema_migrations (version character varying(128) NOT NULL PRIMARY KEY);",
  },
  goose: {
    tables: "goose_db_version",
    sql: "CREATE TABLE IF NOT EXISTS goose_db_version (id serial NOT NULL PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL DEFAULT now());",
  },
  "sql-migrate": {
    tables: "gorp_migrations",
    sql: "CREATE TABLE IF NOT EXISTS gorp_migrations (id text NOT NULL PRIMARY KEY, applied_at timestamp with time zone);",
  },
  pop: {
    tables: "schema_migration",
    sql: "CREATE TABLE IF NOT EXISTS schema_migration (version VARCHAR(14) NOT NULL); CREATE UNIQUE INDEX IF NOT EXISTS schema_migration_version_idx ON schema_migration (version);",
  },
  popx: {
    tables: "schema_migration",
    sql: "CREATE TABLE IF NOT EXISTS schema_migration (version VARCHAR(48) NOT NULL, version_self INT NOT NULL DEFAULT 0); CREATE UNIQUE INDEX IF NOT EXISTS schema_migration_version_idx ON schema_migration (version); CREATE INDEX IF NOT EXISTS schema_migration_version_self_idx ON schema_migration (version_self);",
  },
  flyway: {
    tables: "flyway_schema_history",
    sql:
      "CREATE TABLE IF NOT EXISTS flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, " +
      "script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INT NOT NULL, success BOOLEAN NOT NULL); " +
      "CREATE INDEX IF NOT EXISTS flyway_schema_history_s_idx ON flyway_schema_history (success);",
  },
  prisma: {
    tables: "_prisma_migrations",
    sql:
      "CREATE TABLE IF NOT EXISTS _prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, " +
      "logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);",
  },
  drizzle: {
    tables: "drizzle.__drizzle_migrations",
    sql: 'CREATE SCHEMA IF NOT EXISTS drizzle; CREATE TABLE IF NOT EXISTS drizzle."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);',
  },
  // Sqitch's registry (its default name, sqitch): a migration may grant a role the use of it.
  sqitch: {
    tables: "the sqitch schema (releases, projects, changes, tags, dependencies, events)",
    sql:
      "CREATE SCHEMA IF NOT EXISTS sqitch; " +
      "CREATE TABLE IF NOT EXISTS sqitch.releases (version REAL PRIMARY KEY, installed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), installer_name TEXT NOT NULL, installer_email TEXT NOT NULL); " +
      "CREATE TABLE IF NOT EXISTS sqitch.projects (project TEXT PRIMARY KEY, uri TEXT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), creator_name TEXT NOT NULL, creator_email TEXT NOT NULL); " +
      "CREATE TABLE IF NOT EXISTS sqitch.changes (change_id TEXT PRIMARY KEY, script_hash TEXT NULL, change TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE, " +
      "note TEXT NOT NULL DEFAULT '', committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL, planned_at TIMESTAMPTZ NOT NULL, " +
      "planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE (project, script_hash)); " +
      "CREATE TABLE IF NOT EXISTS sqitch.tags (tag_id TEXT PRIMARY KEY, tag TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE, " +
      "change_id TEXT NOT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '', committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), " +
      "committer_name TEXT NOT NULL, committer_email TEXT NOT NULL, planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE (project, tag)); " +
      "CREATE TABLE IF NOT EXISTS sqitch.dependencies (change_id TEXT NOT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE ON DELETE CASCADE, type TEXT NOT NULL, dependency TEXT NOT NULL, " +
      "dependency_id TEXT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE CONSTRAINT dependencies_check CHECK ((type = 'require' AND dependency_id IS NOT NULL) OR (type = 'conflict' AND dependency_id IS NULL)), " +
      "PRIMARY KEY (change_id, dependency)); " +
      "CREATE TABLE IF NOT EXISTS sqitch.events (event TEXT NOT NULL CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail', 'merge')), change_id TEXT NOT NULL, change TEXT NOT NULL, " +
      "project TEXT NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '', requires TEXT[] NOT NULL DEFAULT '{}', conflicts TEXT[] NOT NULL DEFAULT '{}', " +
      "tags TEXT[] NOT NULL DEFAULT '{}', committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL, planned_at TIMESTAMPTZ NOT NULL, " +
      "planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, PRIMARY KEY (change_id, committed_at));",
  },
  "temporal-sql-tool": {
    tables: "schema_version, schema_update_history",
    sql:
      "CREATE TABLE IF NOT EXISTS schema_version (version_partition INT NOT NULL, db_name VARCHAR(255) NOT NULL, creation_time TIMESTAMP, curr_version VARCHAR(64), min_compatible_version VARCHAR(64), PRIMARY KEY (version_partition, db_name)); " +
      "CREATE TABLE IF NOT EXISTS schema_update_history (version_partition INT NOT NULL, year int NOT NULL, month int NOT NULL, update_time TIMESTAMP NOT NULL, description VARCHAR(255), manifest_md5 VARCHAR(64), new_version VARCHAR(64), old_version VARCHAR(64), PRIMARY KEY (version_partition, year, month, update_time));",
  },
};

/** The runners of the migrations (lint's runner detection), in the order first met, that keep a table verify creates. */
export function bookkeepingRunners(migrations: readonly string[], runners: FileRunners): string[] {
  const found = new Set<string>();
  for (const filePath of migrations) {
    const name = runners.of(filePath)?.profile?.name;
    if (name !== undefined && BOOKKEEPING[name]) found.add(name);
  }
  return [...found];
}
