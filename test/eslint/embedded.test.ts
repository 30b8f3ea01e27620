import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RuleTester } from "@typescript-eslint/rule-tester";
import { ESLint } from "eslint";
import { ESLint as ESLint9 } from "eslint-v9";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import type { JsonResult } from "../../src/formatters/json.js";
import migsafe, { SCRIPT_MIGRATION_FILES } from "../../src/eslint/plugin.js";
import { eslintMessage } from "../../src/eslint/rules.js";

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester();
const rule = (id: string) => migsafe.rules[id] as never;
const lines = (...text: string[]) => `${text.join("\n")}\n`;

describe("rules on JS/TS migrations (@typescript-eslint/rule-tester)", () => {
  ruleTester.run("drop-table", rule("drop-table"), {
    valid: [
      // Not a call site that holds SQL.
      { code: lines("export async function up(db: Db): Promise<void> {", '  await db.query("DROP TABLE users");', "}") },
      // A migsafe-ignore inside the SQL.
      { code: lines("exports.up = (pgm) => {", '  pgm.sql("-- migsafe-ignore drop-table: unused since 2023\\nDROP TABLE users");', "};") },
      // down() drops what up() created.
      {
        code: lines(
          "export class M0 {",
          "  async up(queryRunner: QueryRunner): Promise<void> { await queryRunner.query('CREATE TABLE t (id bigint PRIMARY KEY)'); }",
          "  async down(queryRunner: QueryRunner): Promise<void> { await queryRunner.query('DROP TABLE t'); }",
          "}",
        ),
      },
    ],
    invalid: [
      {
        name: "TypeORM queryRunner.query with a string literal",
        code: lines("export class M1 {", "  async up(queryRunner: QueryRunner): Promise<void> {", '    await queryRunner.query("DROP TABLE users");', "  }", "}"),
        errors: [{ message: /^DROP TABLE users deletes the table and its rows \(ACCESS EXCLUSIVE\)\. Rename it to users_backup first/, line: 3, column: 30, endLine: 3, endColumn: 46 }] as never,
      },
      {
        name: "escapes (\\\\ and \\n) shift the columns after them",
        code: lines("exports.up = (pgm) => {", "  pgm.sql(\"SELECT 'a\\\\b';\\nDROP TABLE t\");", "};"),
        errors: [{ message: /^DROP TABLE t deletes/, line: 2, column: 28, endLine: 2, endColumn: 40 }] as never,
      },
      {
        name: "Knex schema builder knex.schema.dropTable: the whole call",
        code: lines("export async function up(knex: Knex): Promise<void> {", '  await knex.schema.dropTable("x");', "}"),
        errors: [{ message: /^DROP TABLE x deletes/, line: 2, column: 9, endLine: 2, endColumn: 35 }] as never,
      },
    ],
  });

  ruleTester.run("drop-column", rule("drop-column"), {
    valid: [{ code: lines("export async function up(queryRunner: QueryRunner): Promise<void> {", "  await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN age int`);", "}") }],
    invalid: [
      {
        name: "a template with ${} holes",
        code: lines("export async function up(queryRunner: QueryRunner): Promise<void> {", "  await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN ${column}, DROP COLUMN age`);", "}"),
        errors: [
          { message: /^DROP COLUMN \$\{column\} /, line: 2, column: 49, endLine: 2, endColumn: 70 },
          { message: /^DROP COLUMN age /, line: 2, column: 72, endLine: 2, endColumn: 87 },
        ] as never,
      },
      {
        name: "a multi-line template",
        code: lines(
          "export class M2 {",
          "  async up(queryRunner: QueryRunner): Promise<void> {",
          "    await queryRunner.query(`",
          "      ALTER TABLE users",
          "        DROP COLUMN age`);",
          "  }",
          "}",
        ),
        errors: [{ message: /^DROP COLUMN age of users deletes its values/, line: 5, column: 9, endLine: 5, endColumn: 24 }] as never,
      },
      {
        name: "node-pg-migrate pgm.dropColumns: one report per column, on the whole call",
        code: lines("exports.up = (pgm) => {", '  pgm.dropColumns("users", ["a", "b"]);', "};"),
        errors: [
          { message: /^DROP COLUMN a of users deletes its values/, line: 2, column: 3, endLine: 2, endColumn: 39 },
          { message: /^DROP COLUMN b of users deletes its values/, line: 2, column: 3, endLine: 2, endColumn: 39 },
        ] as never,
      },
    ],
  });

  ruleTester.run("require-lock-timeout", rule("require-lock-timeout"), {
    valid: [{ code: lines("exports.up = (pgm) => {", "  pgm.sql(\"SET lock_timeout = '2s';\\nDROP TABLE t\");", "};") }],
    invalid: [
      {
        name: "a statement spanning lines of a template",
        code: lines("export class M3 {", "  async up(queryRunner: QueryRunner): Promise<void> {", "    await queryRunner.query(`", "      ALTER TABLE users", "        DROP COLUMN age`);", "  }", "}"),
        errors: [{ message: /^ALTER TABLE users takes ACCESS EXCLUSIVE with no lock_timeout/, line: 4, column: 7, endLine: 5, endColumn: 24 }] as never,
      },
    ],
  });
});

describe("the plugin for JS/TS files", () => {
  it("uses one rule object per id for both languages", () => {
    for (const [id, eslintRule] of Object.entries(migsafe.rules)) {
      expect(eslintRule.meta?.languages, id).toEqual(["migsafe/sql", "js/js"]);
    }
  });

  it("configs.typescript: migrations folders, the TS parser, the recommended severities", () => {
    const config = migsafe.configs.typescript;
    // One config object, which spreads into itself.
    expect([...config]).toEqual([config]);
    expect(config!.files).toEqual(["**/migrations/**/*.{ts,js,mjs,cjs}"]);
    expect(SCRIPT_MIGRATION_FILES).toEqual(config!.files);
    expect(config!.plugins.migsafe).toBe(migsafe);
    expect((config!.languageOptions?.parser as { parseForESLint?: unknown } | undefined)?.parseForESLint).toBeTypeOf("function");
    expect(config!.rules).toEqual(migsafe.configs.recommended.rules);
    expect(config!.rules["migsafe/drop-table"]).toBe("error");
    expect(Object.values(config!.rules)).toContain("warn");
    // Built once.
    expect(migsafe.configs.typescript).toBe(migsafe.configs.typescript);
  });
});

const temps: string[] = [];
function tempProject(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-eslint-ts-")));
  temps.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

const MIGRATION = lines(
  'import type { MigrationInterface, QueryRunner } from "typeorm";',
  "",
  "export class AddAge1700000000000 implements MigrationInterface {",
  '  name = "AddAge1700000000000";',
  "  private readonly table: string = `users`;",
  "",
  "  public async up(queryRunner: QueryRunner): Promise<void> {",
  "    await queryRunner.query(`ALTER TABLE ${this.table} ADD COLUMN age integer NOT NULL DEFAULT 0`);",
  '    await queryRunner.query("CREATE INDEX users_age ON users (age)");',
  "    await queryRunner.query(`",
  "      DROP TABLE legacy;\\n",
  "      UPDATE users SET age = 1`);",
  '    await queryRunner.dropColumn("users", "nickname");',
  "  }",
  "",
  "  public async down(queryRunner: QueryRunner): Promise<void> {",
  '    await queryRunner.query("DROP INDEX users_age");',
  "  }",
  "}",
);

interface Comparable {
  ruleId: string | null;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity: number;
  message: string;
}
const comparable = (m: Comparable): Comparable => ({
  ruleId: m.ruleId?.replace(/^migsafe\//, "") ?? null,
  line: m.line,
  column: m.column,
  endLine: m.endLine,
  endColumn: m.endColumn,
  severity: m.severity,
  message: m.message,
});
const byPosition = (a: Comparable, b: Comparable) =>
  (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || String(a.ruleId).localeCompare(String(b.ruleId)) || a.message.localeCompare(b.message);

describe.each([
  ["ESLint 10", ESLint],
  ["ESLint 9", ESLint9],
] as [string, typeof ESLint | typeof ESLint9][])("%s on a TypeScript migration", (_name, Eslint) => {
  const eslintFor = (cwd: string, extra: object[] = []) => new Eslint({ cwd, overrideConfigFile: true, overrideConfig: [...migsafe.configs.typescript, ...extra] as never });

  it("reports what the CLI reports: rule ids, positions, severities, messages", async () => {
    const dir = tempProject({ "migrations/001_x.ts": MIGRATION });
    const [result] = await eslintFor(dir).lintFiles(["migrations/001_x.ts"]);
    const cli = JSON.parse((await run(["--format", "json", "migrations/001_x.ts"], { env: {}, cwd: dir })).output) as JsonResult[];
    expect(cli).toHaveLength(1);
    expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
    const fromEslint = result!.messages.map(comparable).sort(byPosition);
    const fromCli = cli[0]!.messages.map((m) => comparable({ ...m, message: eslintMessage({ message: m.message, help: m.help ?? "" }) })).sort(byPosition);
    expect(fromEslint).toEqual(fromCli);
    const ids = fromEslint.map((m) => `${m.ruleId}@${m.line}:${m.column}`);
    expect(ids).toEqual(expect.arrayContaining(["drop-table@11:7", "require-concurrent-index@9:30", "update-without-where@12:7", "drop-column@13:11"]));
    expect(fromEslint.find((m) => m.ruleId === "drop-table")!.severity).toBe(2);
    expect(fromEslint.some((m) => m.severity === 1)).toBe(true);
    expect(result!.errorCount).toBe(cli[0]!.errorCount);
    expect(result!.warningCount).toBe(cli[0]!.warningCount);
  });

  it("reports bad settings.migsafe once, at the file's start, instead of its findings, and never throws", async () => {
    const dir = tempProject({ "migrations/001_x.ts": MIGRATION });
    const messages = async (migsafeSettings: unknown) =>
      (await eslintFor(dir, [{ settings: { migsafe: migsafeSettings } }]).lintFiles(["migrations/001_x.ts"]))[0]!.messages.map(({ ruleId, line, column, message }) => ({ ruleId, line, column, message }));
    // Reported by whichever of migsafe's rules runs first.
    const atStart = (message: string) => [{ ruleId: expect.stringMatching(/^migsafe\//), line: 1, column: 1, message }];
    expect(await messages({ pgVersion: 8 })).toEqual(atStart("ESLint settings.migsafe.pgVersion must be a PostgreSQL major version such as 14, not 8"));
    expect(await messages("14")).toEqual(atStart('ESLint settings.migsafe must be an object, not "14"'));
    expect(await messages({ targets: "run" })).toEqual(atStart('ESLint settings.migsafe.targets must be an array, not "run"'));
    expect(await messages({ targets: [/^run$/, null] })).toEqual(atStart("ESLint settings.migsafe.targets[1] must be a string, a RegExp or { callee, kind?, bindings? }, not null"));
  });

  it("reports what the CLI reports on the TypeScript fixture in fixtures/", async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const file = "fixtures/typescript/migrations/1700000000000-SplitUserNames.ts";
    const [result] = await eslintFor(root).lintFiles([file]);
    const cli = JSON.parse((await run(["--format", "json", file], { env: {}, cwd: root })).output) as JsonResult[];
    const fromEslint = result!.messages.map(comparable).sort(byPosition);
    const fromCli = cli[0]!.messages.map((m) => comparable({ ...m, message: eslintMessage({ message: m.message, help: m.help ?? "" }) })).sort(byPosition);
    expect(fromEslint).toEqual(fromCli);
    expect(fromEslint.map((m) => `${m.ruleId}@${m.line}:${m.column}`)).toEqual(
      expect.arrayContaining(["update-without-where@7:30", "require-concurrent-index@8:30", "drop-column@9:11"]),
    );
  });

  it("honours // eslint-disable comments, settings.migsafe and leaves other files alone", async () => {
    const dir = tempProject({
      "migrations/002_y.ts": lines(
        "export async function up(pgm: MigrationBuilder): Promise<void> {",
        "  // eslint-disable-next-line migsafe/drop-table -- decommissioned",
        '  pgm.sql("DROP TABLE IF EXISTS a");',
        '  pgm.sql("DROP TABLE IF EXISTS b");',
        '  await run("DROP TABLE IF EXISTS c");',
        "}",
      ),
      "src/other.ts": 'queryRunner.query("DROP TABLE d");\n',
    });
    const only = { rules: { "migsafe/drop-table": "error", "migsafe/require-lock-timeout": "off", "migsafe/require-transaction": "off" } };
    const settings = { settings: { migsafe: { targets: [/^run$/] } } };
    const results = await eslintFor(dir, [only, settings]).lintFiles(["."]);
    const messages = results.flatMap((r) => r.messages.map((m) => `${path.relative(dir, r.filePath)} ${m.ruleId}@${m.line}:${m.column}`));
    expect(messages).toEqual(["migrations/002_y.ts migsafe/drop-table@4:12", "migrations/002_y.ts migsafe/drop-table@5:14"]);
  });
});
