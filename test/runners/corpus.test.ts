import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { createRunDiskAccess } from "../../src/engine/lint-source.js";
import { runnerOf } from "../../src/runners/file-runner.js";

const projects = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus/projects");

/**
 * Each corpus project (projects/SOURCES.md): its migration folder, the runner that runs its migrations, and
 * how many of them the runner runs without a transaction, as SOURCES.md counts them.
 */
const EXPECTED: { project: string; folder: string; pattern: string; runner: string; withoutTransaction?: number }[] = [
  { project: "flowise", folder: "packages/server/src/database/migrations/postgres", pattern: "*.ts", runner: "typeorm" },
  { project: "comet", folder: "demo/api/src/db/migrations", pattern: "Migration*.ts", runner: "mikro-orm" },
  // 109 files set transaction: false; one of them opens its own transaction (keystore's initial model).
  { project: "nango", folder: "packages", pattern: "*/lib/**/migrations/*.{ts,cjs}", runner: "knex", withoutTransaction: 108 },
  { project: "dcl-builder-server", folder: "migrations", pattern: "*_*.ts", runner: "node-pg-migrate" },
  { project: "atproto", folder: "packages", pattern: "*/src/**/migrations/20*.ts", runner: "kysely" },
  { project: "dokploy", folder: "apps/dokploy/drizzle", pattern: "*.sql", runner: "drizzle" },
  { project: "langfuse", folder: "packages/shared/prisma/migrations", pattern: "*/migration.sql", runner: "prisma" },
  // 31 files say -- +goose NO TRANSACTION: the facts read that marker per section, the profile is goose's.
  { project: "hatchet", folder: "cmd/hatchet-migrate/migrate/migrations", pattern: "*.sql", runner: "goose" },
  { project: "supabase-postgres", folder: "migrations/db", pattern: "{migrations,init-scripts}/*.sql", runner: "dbmate" },
  { project: "marquez", folder: "api/src/main/resources/marquez/db/migration", pattern: "*.sql", runner: "flyway" },
  { project: "id3c", folder: "schema", pattern: "{deploy,revert,verify}/**/*.sql", runner: "sqitch", withoutTransaction: 540 },
  { project: "openmeter", folder: "tools/migrate/migrations", pattern: "*.sql", runner: "golang-migrate" },
];

describe.skipIf(!fs.existsSync(projects))("runner profiles on the corpus projects (../shared/corpus/projects), with no configuration", () => {
  it("lists every project it expects", () => {
    expect(fs.readdirSync(projects).filter((name) => fs.statSync(path.join(projects, name)).isDirectory()).sort()).toEqual(EXPECTED.map((each) => each.project).sort());
  });

  it.each(EXPECTED)("$project: every migration is run by $runner", ({ project, folder, pattern, runner, withoutTransaction = 0 }) => {
    const files = createRunDiskAccess();
    const migrations = fg.sync(pattern, { cwd: path.join(projects, project, folder), absolute: true });
    expect(migrations.length).toBeGreaterThan(0);
    const runners = migrations.map((file) => runnerOf(file, fs.readFileSync(file, "utf8"), files, { runner: undefined, assumeInTransaction: undefined }));
    expect(runners.filter((each) => each.profile?.name !== runner).map((each, i) => `${migrations[i]}: ${each.profile?.name}`)).toEqual([]);
    expect(runners.filter((each) => each.wrapping === "none").length).toBe(withoutTransaction);
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
