import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import dropTable from "../../rules/drop-table.js";
import requireConcurrentIndex from "../../rules/require-concurrent-index.js";
import requireRollback from "../../rules/require-rollback.js";
import { run } from "../../src/cli/run.js";
import { cacheFolder } from "../../src/project/result-cache.js";
import { defineRule } from "../../src/engine/rule.js";
import { useTempProjects } from "./fixtures/temp-project.js";

const project = useTempProjects();
let filesChecked = 0;
/** Counts the files the engine lints (it parses each one it lints). */
const counter = defineRule({
  meta: { id: "count-files", severity: "careful", description: "Counts files.", category: "reliability" },
  checkFile: () => void filesChecked++,
});
const rules = [dropTable, requireRollback, counter];
// The cache's per-user secret is made under XDG_CONFIG_HOME: a folder of the test's own, never the user's home.
const env = { XDG_CONFIG_HOME: fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-cache-secret-")) };
afterAll(() => fs.rmSync(env.XDG_CONFIG_HOME, { recursive: true, force: true }));

async function lint(dir: string, ...argv: string[]) {
  const result = await run(["--cache", "--debug", "--format", "json", ...argv], { cwd: dir, env, rules });
  const cacheLine = /cache .*: (\d+) files from the cache, (\d+) linted/.exec(result.stderr);
  return { ...result, fromCache: Number(cacheLine?.[1]), linted: Number(cacheLine?.[2]) };
}

const messagesOf = (output: string) =>
  (JSON.parse(output) as { filePath: string; messages: { ruleId: string; line: number }[] }[]).map((file) => [
    path.basename(file.filePath),
    file.messages.map((message) => `${message.ruleId}@${message.line}`),
  ]);

describe("--cache", () => {
  function setUp() {
    return project({
      "package.json": "{}",
      "migrations/001_users.sql": "CREATE TABLE users (id bigint);\n",
      "migrations/001_users_rollback.sql": "DROP TABLE users;\n",
      "migrations/002_drop.sql": "SELECT 1;\nDROP TABLE users;\n",
    });
  }

  it("lints every file the first time, none the second, with the same report", async () => {
    const p = setUp();
    const first = await lint(p.dir, "migrations");
    expect([first.fromCache, first.linted]).toEqual([0, 3]);
    expect(fs.existsSync(path.join(p.dir, "node_modules/.cache/migsafe/results.json"))).toBe(true);
    const second = await lint(p.dir, "migrations");
    expect([second.fromCache, second.linted]).toEqual([3, 0]);
    expect(second.output).toBe(first.output);
    expect(second.exitCode).toBe(first.exitCode);
    expect(messagesOf(second.output)).toEqual([
      ["001_users.sql", []],
      ["001_users_rollback.sql", []],
      ["002_drop.sql", ["require-rollback@1", "drop-table@2"]],
    ]);
  });

  it("does not lint (so does not parse) a file on a cache hit", async () => {
    const p = setUp();
    await lint(p.dir, "migrations");
    const before = filesChecked;
    await lint(p.dir, "migrations");
    expect(filesChecked).toBe(before);
    p.write("migrations/002_drop.sql", "SELECT 2;\n");
    await lint(p.dir, "migrations");
    expect(filesChecked).toBe(before + 1);
  });

  it("relints a changed file, and a rollback whose forward migration changed", async () => {
    const p = setUp();
    await lint(p.dir, "migrations");
    p.write("migrations/002_drop.sql", "SELECT 1;\n");
    p.write("migrations/001_users.sql", "CREATE TABLE users (id bigint, name text);\n");
    const after = await lint(p.dir, "migrations");
    // 001_users.sql and 002_drop.sql changed; the rollback of 001 is checked against its forward migration.
    expect([after.fromCache, after.linted]).toEqual([0, 3]);
    expect(messagesOf(after.output)[2]).toEqual(["002_drop.sql", ["require-rollback@1"]]);
  });

  it("relints a migration whose rollback file appeared", async () => {
    const p = setUp();
    await lint(p.dir, "migrations");
    p.write("migrations/002_drop_rollback.sql", "CREATE TABLE users (id bigint);\n");
    const after = await lint(p.dir, "migrations");
    expect([after.fromCache, after.linted]).toEqual([2, 2]);
    expect(messagesOf(after.output)[2]).toEqual(["002_drop.sql", ["drop-table@2"]]);
  });

  it("relints a migration whose runner changed: a file that tells the runner appeared beside it", async () => {
    const p = project({ "package.json": "{}", "prisma/migrations/20240101000000_a/migration.sql": "CREATE TABLE a (id bigint);\nCREATE TABLE b (id bigint);\n" });
    await lint(p.dir, "prisma/migrations");
    expect((await lint(p.dir, "prisma/migrations")).fromCache).toBe(1);
    p.write("prisma/migrations/migration_lock.toml", 'provider = "postgresql"\n');
    const after = await lint(p.dir, "prisma/migrations");
    expect([after.fromCache, after.linted]).toEqual([0, 1]);
  });

  it("is invalidated by a configuration change", async () => {
    const p = setUp();
    await lint(p.dir, "migrations");
    p.write("migsafe.config.json", JSON.stringify({ rules: { "require-rollback": "off" } }));
    const after = await lint(p.dir, "migrations");
    expect([after.fromCache, after.linted]).toEqual([0, 3]);
    expect(messagesOf(after.output)[2]).toEqual(["002_drop.sql", ["drop-table@2"]]);
  });

  it("is invalidated by another migsafe version", async () => {
    const p = setUp();
    await lint(p.dir, "migrations");
    const file = path.join(p.dir, "node_modules/.cache/migsafe/results.json");
    // The first line is the header: the format, the version and the authentication of the entries on the second.
    const [header, entries] = fs.readFileSync(file, "utf8").split("\n");
    fs.writeFileSync(file, `${JSON.stringify({ ...(JSON.parse(header!) as object), version: "0.0.0-older" })}\n${entries}`);
    const after = await lint(p.dir, "migrations");
    expect([after.fromCache, after.linted]).toEqual([0, 3]);
    // Another version's cache is replaced without a warning: that is what an upgrade does.
    expect(after.stderr).not.toContain("is not used");
  });

  it("ignores a corrupt cache file and replaces it", async () => {
    const p = setUp();
    p.write("node_modules/.cache/migsafe/results.json", "{ not json");
    const first = await lint(p.dir, "migrations");
    expect([first.fromCache, first.linted, first.exitCode]).toEqual([0, 3, 1]);
    expect((await lint(p.dir, "migrations")).fromCache).toBe(3);
  });

  it("keeps the results of files outside this run", async () => {
    const p = setUp();
    await lint(p.dir, "migrations");
    await lint(p.dir, "migrations/002_drop.sql");
    expect((await lint(p.dir, "migrations")).fromCache).toBe(3);
  });

  it("keeps a file that is no migration out of the report, from the cache too", async () => {
    const p = project({ "package.json": "{}", "schema/sqitch.plan": "%project=x\n", "schema/verify/a.sql": "BEGIN;\nDROP TABLE users;\nROLLBACK;\n" });
    await lint(p.dir, "schema/verify");
    const second = await lint(p.dir, "schema/verify");
    expect(second.fromCache).toBe(1);
    expect(messagesOf(second.output)).toEqual([["a.sql", []]]);
    expect(second.stderr).toContain("schema/verify/a.sql is not a migration, not linted: it is a Sqitch verify script");
  });

  it("reports an unwritable cache on stderr without failing the run", async () => {
    const p = setUp();
    p.write("node_modules/.cache/migsafe", "a file where the folder should be");
    const result = await run(["--cache", "migrations"], { cwd: p.dir, env, rules });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^migsafe: cannot write the cache node_modules\/.cache\/migsafe\/results.json \(\w+\); the next run lints every file\n$/);
  });

  it("lives under node_modules/.cache in the nearest package folder", () => {
    const p = project({ "package.json": "{}", "db/migrations/x.sql": "" });
    expect(cacheFolder(p.path("db/migrations"))).toBe(p.path("node_modules/.cache/migsafe"));
  });

  describe("a file whose findings have fixes", () => {
    const fixRules = [requireConcurrentIndex, counter];
    const lintWith = async (dir: string, ...argv: string[]) => {
      const before = filesChecked;
      const written: string[] = [];
      const result = await run(["--cache", ...argv], { cwd: dir, env, rules: fixRules, write: (chunk) => void written.push(chunk) });
      return { ...result, output: written.join("") + result.output, linted: filesChecked - before };
    };

    it("is taken from the cache without its fixes by a report that shows none, and linted again for one that does", async () => {
      const p = project({ "package.json": "{}", "migrations/002_index.sql": "CREATE INDEX users_email_idx ON users (email);\n" });
      const first = await lintWith(p.dir, "--format", "compact", "migrations");
      expect(first.output).toContain("require-concurrent-index");
      expect(first.linted).toBe(1);
      const second = await lintWith(p.dir, "--format", "compact", "migrations");
      expect(second.linted).toBe(0);
      expect(second.output).toBe(first.output);
      // The JSON report shows each finding's fix: computed from the file, never read from the cache.
      const json = await lintWith(p.dir, "--format", "json", "migrations");
      expect(json.linted).toBe(1);
      const fresh: string[] = [];
      const freshRun = await run(["--format", "json", "migrations"], { cwd: p.dir, env, rules: fixRules, write: (chunk) => void fresh.push(chunk) });
      expect(json.output).toBe(fresh.join("") + freshRun.output);
      expect(json.output).toContain('"fix":{"range":');
      // And --fix too.
      const fixed = await lintWith(p.dir, "--fix", "--format", "compact", "migrations");
      expect(fixed.linted).toBeGreaterThan(0);
      expect(fs.readFileSync(p.path("migrations/002_index.sql"), "utf8")).toBe("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n");
    });
  });
});
