import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";
import { createRunDiskAccess, runnerAndPartner } from "../../src/engine/lint-source.js";
import { loadParser } from "../../src/parser/pg.js";
import { allRules } from "../../rules/index.js";

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus");
const projects = path.join(corpus, "projects");
const flattened = path.join(corpus, "sql");

interface Expected {
  project: string;
  folder: string;
  pattern: string;
  runner: string;
  /** How many of the migrations the runner runs without a transaction. */
  withoutTransaction?: number;
}

/**
 * Each corpus project (projects/SOURCES.md): its migration folder, the runner that runs its migrations, how many of
 * them the runner runs without a transaction, as SOURCES.md counts them.
 */
const EXPECTED: Expected[] = [
  { project: "flowise", folder: "packages/server/src/database/migrations/postgres", pattern: "*.ts", runner: "typeorm" },
  { project: "comet", folder: "demo/api/src/db/migrations", pattern: "Migration*.ts", runner: "mikro-orm" },
  // 109 files set transaction: false; one of them opens its own transaction (keystore's initial model).
  { project: "nango", folder: "packages", pattern: "*/lib/**/migrations/*.{ts,cjs}", runner: "knex", withoutTransaction: 108 },
  { project: "dcl-builder-server", folder: "migrations", pattern: "*_*.ts", runner: "node-pg-migrate" },
  { project: "atproto", folder: "packages", pattern: "*/src/**/migrations/20*.ts", runner: "kysely" },
  // 0130_abandoned_dagger.sql is not in the journal (not-a-migration below).
  { project: "dokploy", folder: "apps/dokploy/drizzle", pattern: "!(0130_abandoned_dagger).sql", runner: "drizzle" },
  { project: "langfuse", folder: "packages/shared/prisma/migrations", pattern: "*/migration.sql", runner: "prisma" },
  // 31 files say -- +goose NO TRANSACTION: the facts read that marker per section, the profile is goose's.
  { project: "hatchet", folder: "cmd/hatchet-migrate/migrate/migrations", pattern: "*.sql", runner: "goose" },
  { project: "supabase-postgres", folder: "migrations/db", pattern: "{migrations,init-scripts}/*.sql", runner: "dbmate" },
  { project: "marquez", folder: "api/src/main/resources/marquez/db/migration", pattern: "*.sql", runner: "flyway" },
  { project: "id3c", folder: "schema", pattern: "deploy/**/*.sql", runner: "sqitch", withoutTransaction: 180 },
  { project: "openmeter", folder: "tools/migrate/migrations", pattern: "*.up.sql", runner: "golang-migrate" },
];

/** The projects of sql/, stored flattened and without their manifests: their layout alone decides. */
const FLATTENED: Expected[] = [
  { project: "documenso", folder: "packages/prisma/migrations", pattern: "*/migration.sql", runner: "prisma" },
  { project: "harbor", folder: "make/migrations/postgresql", pattern: "*.up.sql", runner: "golang-migrate" },
  // Two migrations are .autocommit..
  { project: "kratos", folder: "persistence/sql/migrations/sql", pattern: "*.up.sql", runner: "popx", withoutTransaction: 2 },
  { project: "lemmy", folder: "migrations", pattern: "*/up.sql", runner: "diesel" },
  { project: "supabase-auth", folder: "migrations", pattern: "*.up.sql", runner: "pop" },
  { project: "temporal", folder: "schema/postgresql/v12", pattern: "**/*.sql", runner: "temporal-sql-tool", withoutTransaction: 48 },
];

/** What a file that is no migration says of itself, by project: how many, and one of them. */
const NOT_MIGRATIONS: { project: string; pattern: string; count: number; reason: string }[] = [
  { project: "supabase-postgres", pattern: "migrations/*.sql", count: 1, reason: "it is dbmate's schema dump" },
  { project: "dokploy", pattern: "apps/dokploy/drizzle/*.sql", count: 1, reason: "it is not in Drizzle's journal" },
  { project: "id3c", pattern: "schema/{verify/**/,}*.sql", count: 181, reason: "Sqitch" },
  { project: "flowise", pattern: "packages/server/src/database/migrations/{sqlite,mysql,mariadb}/*.ts", count: 148, reason: "beside postgres/" },
];

const folders = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => fs.statSync(path.join(dir, name)).isDirectory()).sort() : []);

/** The sql/ projects in their original layout (file names are paths with `/` as `__`), in a temp folder. */
function restoreLayout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-corpus-"));
  for (const project of folders(flattened)) {
    for (const file of fs.readdirSync(path.join(flattened, project))) {
      const target = path.join(root, project, ...file.split("__"));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(flattened, project, file), target);
    }
  }
  return root;
}

function checkProject(root: string, { project, folder, pattern, runner, withoutTransaction = 0 }: Expected): void {
  const files = createRunDiskAccess();
  const options = { rules: allRules, settings: DEFAULT_SETTINGS };
  const migrations = fg.sync(pattern, { cwd: path.join(root, project, folder), absolute: true });
  expect(migrations.length).toBeGreaterThan(0);
  const runners = migrations.map((file) => runnerAndPartner(file, fs.readFileSync(file, "utf8"), options, files).runner);
  expect(runners.flatMap((each, i) => (each.profile?.name === runner ? [] : [`${migrations[i]}: ${each.profile?.name}`]))).toEqual([]);
  expect(runners.filter((each) => each.wrapping === "none").length).toBe(withoutTransaction);
  expect(runners.flatMap((each, i) => (each.notAMigration ? [migrations[i]] : []))).toEqual([]);
}

describe.skipIf(!fs.existsSync(projects))("runner profiles on the corpus projects (../shared/corpus/projects), with no configuration", () => {
  it("lists every project it expects", () => {
    expect(folders(projects)).toEqual(EXPECTED.map((each) => each.project).sort());
  });

  it.each(EXPECTED)("$project: every migration is run by $runner", async (expected) => {
    await loadParser();
    checkProject(projects, expected);
  });

  it.each(NOT_MIGRATIONS)("$project: $count files are no migrations, and are not linted", async ({ project, pattern, count, reason }) => {
    await loadParser();
    const files = createRunDiskAccess();
    const candidates = fg.sync(pattern, { cwd: path.join(projects, project), absolute: true });
    const skipped = candidates.flatMap((file) => runnerAndPartner(file, fs.readFileSync(file, "utf8"), { rules: allRules, settings: DEFAULT_SETTINGS }, files).runner.notAMigration ?? []);
    expect(skipped.length).toBe(count);
    expect(skipped.every((why) => why.includes(reason))).toBe(true);
  });

  it("npx migsafe --print-config names the runner and what decided it", async () => {
    const printed = async (project: string, file: string) => JSON.parse((await run(["--print-config", file], { cwd: path.join(projects, project) })).output) as { runner: { name: string }; decidedBy: string[] };
    expect(await printed("openmeter", "tools/migrate/migrations/20240826120919_init.up.sql")).toMatchObject({
      runner: { name: "golang-migrate" },
      decidedBy: ["its file name, which follows golang-migrate's <version>_<name>.up.sql naming", "go.mod's requirement of github.com/golang-migrate/migrate (go.mod)"],
    });
    expect(await printed("marquez", "api/src/main/resources/marquez/db/migration/V47__add_lineage_event_indexes.sql")).toMatchObject({
      runner: { name: "flyway" },
      decidedBy: ["its file name, which follows Flyway's V<version>__<name>.sql naming", "build.gradle's use of Flyway (api/build.gradle)"],
    });
  });
});

describe.skipIf(!fs.existsSync(flattened))("runner profiles on the flattened corpus projects (../shared/corpus/sql), their layout rebuilt, with no configuration", () => {
  const root = fs.existsSync(flattened) ? restoreLayout() : "";
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("lists every project it expects", () => {
    expect(folders(flattened)).toEqual(FLATTENED.map((each) => each.project).sort());
  });

  it.each(FLATTENED)("$project: every migration is run by $runner", async (expected) => {
    await loadParser();
    checkProject(root, expected);
  });
});
