import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { allRules } from "../../rules/index.js";
import { useTempProjects, withRollbacks } from "./fixtures/temp-project.js";

const project = useTempProjects();
const lint = (argv: string[], cwd: string) => run(argv, { cwd, env: {}, isTTY: false });
const ruleIds = (output: string) =>
  (JSON.parse(output) as { messages: { ruleId: string | null }[] }[]).flatMap((file) => file.messages.map((message) => message.ruleId));

describe("configuration through the CLI", () => {
  it("uses the nearest configuration file of each linted file", async () => {
    const p = project(
      withRollbacks({
        "a/migsafe.config.json": JSON.stringify({ rules: { "drop-table": "off", "require-lock-timeout": "off" } }),
        "a/001.sql": "DROP TABLE IF EXISTS x;\n",
        "b/001.sql": "DROP TABLE IF EXISTS x;\n",
      }),
    );
    const result = await lint(["--format", "json", "a/001.sql", "b/001.sql"], p.dir);
    const files = JSON.parse(result.output) as { filePath: string; messages: { ruleId: string }[] }[];
    expect(files.map((file) => [file.filePath.slice(p.dir.length), file.messages.map((m) => m.ruleId)])).toEqual([
      ["/a/001.sql", []],
      ["/b/001.sql", ["drop-table", "require-lock-timeout"]],
    ]);
  });

  it("--config applies one file to everything; --rule still wins", async () => {
    const p = project(withRollbacks({ "ci.json": JSON.stringify({ rules: { "drop-table": "careful" } }), "m/001.sql": "DROP TABLE IF EXISTS x;\n" }));
    expect((await lint(["--config", "ci.json", "m"], p.dir)).exitCode).toBe(0);
    expect((await lint(["--config", "ci.json", "--rule", "drop-table=dangerous", "m"], p.dir)).exitCode).toBe(1);
  });

  it("exits 2 naming the file and the key of a bad configuration", async () => {
    const p = project(withRollbacks({ "migsafe.config.json": JSON.stringify({ pgVersion: "fourteen" }), "001.sql": "SELECT 1;\n" }));
    expect(await lint(["001.sql"], p.dir)).toEqual({
      output: "",
      stderr: 'migsafe: migsafe.config.json: "pgVersion" must be a PostgreSQL major version such as 14, not "fourteen"\n',
      exitCode: 2,
    });
    expect((await lint(["--config", "missing.json", "001.sql"], p.dir)).stderr).toBe("migsafe: missing.json: configuration file not found\n");
  });

  it("skips files the configuration excludes or that come before startAfter", async () => {
    const p = project(
      withRollbacks({
        "migsafe.config.json": JSON.stringify({ startAfter: "002_b.sql", exclude: ["m/legacy/**"] }),
        "m/001_a.sql": "DROP TABLE IF EXISTS a;\n",
        "m/002_b.sql": "DROP TABLE IF EXISTS b;\n",
        "m/003_c.sql": "DROP TABLE IF EXISTS c;\n",
        "m/legacy/004_d.sql": "DROP TABLE IF EXISTS d;\n",
      }),
    );
    const result = await lint(["--format", "json", "m"], p.dir);
    const files = (JSON.parse(result.output) as { filePath: string }[]).map((file) => file.filePath.slice(p.dir.length));
    expect(files).toEqual(["/m/003_c.sql", "/m/003_c_rollback.sql"]);
  });

  it("passes pgVersion and assumeInTransaction to the rules", async () => {
    const p = project(
      withRollbacks({
        "migsafe.config.json": JSON.stringify({ assumeInTransaction: true, rules: { "require-rollback": "off" } }),
        "001.sql": "BEGIN;\nDROP TABLE IF EXISTS x;\nCOMMIT;\n",
      }),
    );
    const result = await lint(["--format", "json", "001.sql"], p.dir);
    expect(result.exitCode).toBe(1);
    const ids = ruleIds(result.output);
    expect(ids).toContain("drop-table");
    if (allRules.some((rule) => rule.meta.id === "transaction-nesting")) expect(ids).toContain("transaction-nesting");
  });
});

describe("the runner of each file", () => {
  const TWO = "ALTER TABLE users ADD COLUMN role text;\nCREATE INDEX users_role_idx ON users (role);\n";

  it("is detected with no configuration, and named by the configuration's runner key", async () => {
    const p = project({ "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n', "prisma/migrations/20240101000000_roles/migration.sql": TWO, "db/001_roles.sql": TWO });
    const result = await lint(["--format", "json", "prisma/migrations", "db"], p.dir);
    const RUNNER_RULES = ["require-rollback", "require-transaction"];
    const byFile = (output: string) =>
      (JSON.parse(output) as { filePath: string; messages: { ruleId: string }[] }[]).map((file) => [
        file.filePath.slice(p.dir.length),
        file.messages.map((m) => m.ruleId).filter((id) => RUNNER_RULES.includes(id)),
      ]);
    // Prisma wraps its migration.sql (one query) and asks for no rollback; a plain .sql file gets neither exemption.
    expect(byFile(result.output)).toEqual([
      ["/db/001_roles.sql", RUNNER_RULES],
      ["/prisma/migrations/20240101000000_roles/migration.sql", []],
    ]);
    p.write("db/migsafe.config.json", JSON.stringify({ runner: "flyway" }));
    expect(byFile((await lint(["--format", "json", "db"], p.dir)).output)).toEqual([["/db/001_roles.sql", []]]);
  });

  it("lints the scripts of a folder per database inside a migrations folder (TypeORM's migrations/postgres)", async () => {
    const migration = 'import { MigrationInterface, QueryRunner } from "typeorm";\nexport class Drop1 implements MigrationInterface {\n  async up(q: QueryRunner) {\n    await q.query(`DROP TABLE users`);\n  }\n}\n';
    const p = project({ "src/migrations/postgres/1-Drop.ts": migration, "src/other/postgres/2-Drop.ts": migration });
    const files = JSON.parse((await lint(["--format", "json", "src/migrations/postgres", "src/other/postgres"], p.dir)).output) as { filePath: string }[];
    expect(files.map((file) => file.filePath.slice(p.dir.length))).toEqual(["/src/migrations/postgres/1-Drop.ts"]);
  });

  it("--print-config prints the configuration in force for a file, its runner and why", async () => {
    const p = project({
      "package.json": JSON.stringify({ devDependencies: { prisma: "^6" }, migsafe: { pgVersion: 16 } }),
      "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
      "prisma/migrations/20240101000000_roles/migration.sql": TWO,
    });
    const result = await lint(["--print-config", "prisma/migrations/20240101000000_roles/migration.sql"], p.dir);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    const printed = JSON.parse(result.output) as Record<string, unknown>;
    expect(printed).toMatchObject({
      file: "prisma/migrations/20240101000000_roles/migration.sql",
      configFile: "package.json",
      linted: true,
      settings: { pgVersion: 16, runner: "(not set: detected for each file)", assumeInTransaction: "(not set: the runner decides)" },
      runner: { name: "prisma", title: "Prisma Migrate", wrapping: "single-query", rollback: "none" },
      decidedBy: [
        "migration_lock.toml beside the migration folders (prisma/migrations/migration_lock.toml)",
        "package.json's dependency on prisma (package.json)",
      ],
      transaction: { wrapping: "single-query", reason: expect.stringMatching(/^Prisma Migrate sends each migration\.sql whole, as one query/) },
      rollback: { place: "none", required: false, role: "forward", partner: null },
      rules: expect.objectContaining({ "drop-table": "dangerous" }),
    });
  });

  it("does not lint a file that is no migration; --print-config and --debug say why", async () => {
    const dump = "CREATE TABLE public.users (id integer);\n\n--\n-- Dbmate schema migrations\n--\n";
    const p = project({
      "db/schema.sql": dump,
      "db/migrations/20240101000000_a.sql": "-- migrate:up\nDROP TABLE IF EXISTS x;\n-- migrate:down\n",
      "schema/sqitch.plan": "%project=x\n",
      "schema/verify/a.sql": "BEGIN;\nTRUNCATE users;\nROLLBACK;\n",
    });
    const printed = JSON.parse((await lint(["--print-config", "db/schema.sql"], p.dir)).output) as Record<string, unknown>;
    expect(printed).toMatchObject({ linted: false, notAMigration: expect.stringMatching(/^it is dbmate's schema dump/), runner: { name: "dbmate" }, rollback: { required: false } });
    const result = await lint(["--debug", "--format", "json", "db/schema.sql", "schema/verify/a.sql"], p.dir);
    expect(result.exitCode).toBe(0);
    expect(ruleIds(result.output)).toEqual([]);
    expect(result.stderr).toContain("migsafe: debug: db/schema.sql is not a migration, not linted: it is dbmate's schema dump");
    expect(result.stderr).toContain("migsafe: debug: schema/verify/a.sql is not a migration, not linted: it is a Sqitch verify script: it checks what its deploy script did, in a transaction it rolls back");
    // Without --debug, a clean run.
    expect((await lint(["db/schema.sql"], p.dir)).stderr).toBe("");
  });

  it("--print-config takes exactly one readable file", async () => {
    const p = project({ "001.sql": "SELECT 1;\n" });
    expect(await lint(["--print-config", "001.sql", "002.sql"], p.dir)).toMatchObject({ exitCode: 2, stderr: "migsafe: --print-config takes one file: migsafe --print-config <file> (run 'migsafe --help' for usage)\n" });
    expect(await lint(["--print-config", "missing.sql"], p.dir)).toMatchObject({ exitCode: 2, stderr: "migsafe: missing.sql: file not found\n" });
    const noRunner = JSON.parse((await lint(["--print-config", "001.sql"], p.dir)).output) as Record<string, unknown>;
    expect(noRunner).toMatchObject({ configFile: null, runner: null, decidedBy: [], transaction: { wrapping: "none", reason: "nothing says the runner wraps the file in a transaction" } });
  });
});

describe("--list-rules and explain", () => {
  it("lists every rule with its default severity and preset", async () => {
    const result = await lint(["--list-rules"], process.cwd());
    expect(result.exitCode).toBe(0);
    const lines = result.output.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^rule\s+severity\s+preset\s+description$/);
    expect(lines).toHaveLength(allRules.length + 1);
    expect(lines.find((line) => line.startsWith("drop-table "))).toMatch(/^drop-table\s+dangerous\s+recommended\s+DROP TABLE deletes/);
  });

  it("prints a rule's docs page, and refuses an unknown rule", async () => {
    const result = await lint(["explain", "truncate"], process.cwd());
    expect(result.exitCode).toBe(0);
    // Rendered as plain text when piped (test/cli/render-markdown.test.ts tests the rendering).
    expect(result.output).toMatch(/^truncate\n========\n/);
    expect(result.output).toContain("\nUse instead\n-----------\n");
    expect(result.output.trimEnd().endsWith("docs/rules/truncate.md")).toBe(true);
    const unknown = await lint(["explain", "nope"], process.cwd());
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown rule 'nope'");
  });
});

describe("--fix-dry-run", () => {
  it("prints the fixes as a diff, reports what would remain, and writes nothing", async () => {
    const p = project(withRollbacks({ "001.sql": "CREATE INDEX users_id ON users (id);\n" }));
    const result = await lint(["--fix-dry-run", "001.sql"], p.dir);
    expect(result.output).toContain("--- 001.sql\n+++ 001.sql\n@@ -1,1 +1,1 @@\n-CREATE INDEX users_id ON users (id);\n+CREATE INDEX CONCURRENTLY users_id ON users (id);\n");
    expect(result.output).toContain("No problems found");
    expect(p.read("001.sql")).toBe("CREATE INDEX users_id ON users (id);\n");
    const json = await lint(["--fix-dry-run", "--format", "json", "001.sql"], p.dir);
    expect((JSON.parse(json.output) as { output?: string }[])[0]!.output).toBe("CREATE INDEX CONCURRENTLY users_id ON users (id);\n");
  });

  it("cannot be combined with --fix", async () => {
    expect((await lint(["--fix", "--fix-dry-run", "x.sql"], process.cwd())).exitCode).toBe(2);
  });
});
