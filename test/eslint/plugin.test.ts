import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { ESLint as ESLint9 } from "eslint-v9";
import { afterAll, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { run } from "../../src/cli/run.js";
import type { JsonResult } from "../../src/formatters/json.js";
import migsafe from "../../src/eslint/plugin.js";
import { eslintMessage } from "../../src/eslint/rules.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = ["fixtures/guide/*.sql", "fixtures/cases/**/*.sql"];

interface Comparable {
  ruleId: string | null;
  line: number | undefined;
  column: number | undefined;
  endLine: number | undefined;
  endColumn: number | undefined;
  severity: number;
}

const comparable = (message: { ruleId: string | null; line?: number; column?: number; endLine?: number; endColumn?: number; severity: number }): Comparable => ({
  ruleId: message.ruleId?.replace(/^migsafe\//, "") ?? null,
  line: message.line,
  column: message.column,
  endLine: message.endLine,
  endColumn: message.endColumn,
  severity: message.severity,
});

const byPosition = (a: Comparable, b: Comparable) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || String(a.ruleId).localeCompare(String(b.ruleId));

type EslintClass = typeof ESLint | typeof ESLint9;

function eslintFor(Eslint: EslintClass, cwd: string, extra: object[] = [], options: { fix?: boolean } = {}) {
  return new Eslint({ cwd, overrideConfigFile: true, overrideConfig: [...migsafe.configs.recommended, ...extra] as never, ...options });
}

async function cliJson(cwd: string, args: string[]): Promise<JsonResult[]> {
  const result = await run(["--format", "json", ...args], { cwd });
  return JSON.parse(result.output) as JsonResult[];
}

const temps: string[] = [];
function tempProject(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-eslint-")));
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

describe("the plugin object", () => {
  it("has one rule per migsafe rule, for the migsafe/sql and js/js languages", () => {
    expect(Object.keys(migsafe.rules).sort()).toEqual(allRules.map((rule) => rule.meta.id).sort());
    for (const rule of allRules) {
      const eslintRule = migsafe.rules[rule.meta.id]!;
      expect(eslintRule.meta?.languages).toEqual(["migsafe/sql", "js/js"]);
      expect(eslintRule.meta?.fixable).toBe(rule.meta.fixable ? "code" : undefined);
    }
    expect(migsafe.meta.namespace).toBe("migsafe");
  });

  it("presets map dangerous to error, careful to warn, and leave off rules out", () => {
    const recommended = migsafe.configs.recommended.rules;
    const strict = migsafe.configs.strict.rules;
    for (const rule of allRules) {
      const expected = rule.meta.severity === "dangerous" ? "error" : "warn";
      expect(strict[`migsafe/${rule.meta.id}`]).toBe(expected);
      expect(recommended[`migsafe/${rule.meta.id}`]).toBe(rule.meta.recommended === false ? undefined : expected);
    }
  });
});

describe.each([
  ["ESLint 10", ESLint],
  ["ESLint 9", ESLint9],
] as [string, EslintClass][])("%s", (_name, Eslint) => {
  it("reports the same findings as the CLI on the fixtures", async () => {
    const eslintResults = await eslintFor(Eslint, root).lintFiles(FIXTURES);
    const cliResults = await cliJson(root, ["fixtures/guide", "fixtures/cases"]);
    const cliByFile = new Map(cliResults.map((result) => [result.filePath, result]));
    expect(eslintResults.length).toBe(cliResults.length);
    expect(eslintResults.length).toBeGreaterThan(5);
    let total = 0;
    for (const result of eslintResults) {
      const cli = cliByFile.get(result.filePath);
      expect(cli, result.filePath).toBeDefined();
      const fromEslint = result.messages.map(comparable).sort(byPosition);
      total += fromEslint.length;
      const cliFatal = cli!.messages.find((message) => message.fatal);
      if (cliFatal) {
        // ESLint stops at a parse error (the CLI goes on with the statements that parsed): only the error is reported.
        expect(result.messages, result.filePath).toEqual([expect.objectContaining({ ruleId: null, fatal: true, line: cliFatal.line, column: cliFatal.column })]);
        expect(result.messages[0]!.message).toBe(`Parsing error: ${cliFatal.message}${cliFatal.hint ? ` (${cliFatal.hint})` : ""}`);
        continue;
      }
      expect(fromEslint, result.filePath).toEqual(cli!.messages.map(comparable).sort(byPosition));
      const at = (message: { ruleId: string | null; line?: number; column?: number }) => `${message.ruleId?.replace(/^migsafe\//, "")}@${message.line}:${message.column}`;
      const eslintTexts = result.messages.map((message) => `${at(message)} ${message.message}`).sort();
      const cliTexts = cli!.messages.map((message) => `${at(message)} ${eslintMessage({ message: message.message, help: message.help ?? "" })}`).sort();
      expect(eslintTexts, result.filePath).toEqual(cliTexts);
    }
    expect(total).toBeGreaterThan(10);
  });

  it("reports a syntax error as a fatal parse error at its line and column", async () => {
    const dir = tempProject({ "001_typo.sql": "CREATE TABLE IF NOT EXISTS a (id int);\n  SELEC 1;\nDROP TABLE b;\n" });
    const [result] = await eslintFor(Eslint, dir).lintFiles(["*.sql"]);
    const [cli] = await cliJson(dir, ["001_typo.sql"]);
    const cliFatal = cli!.messages.find((message) => message.fatal)!;
    expect(result!.messages).toHaveLength(1);
    expect(result!.messages[0]).toMatchObject({ ruleId: null, fatal: true, severity: 2, line: 2, column: 3 });
    expect(result!.messages[0]!.message).toContain('syntax error at or near "SELEC"');
    expect({ line: cliFatal.line, column: cliFatal.column }).toEqual({ line: 2, column: 3 });
  });

  it("honours eslint-disable comments and migsafe-ignore, and reports unused eslint-disable", async () => {
    const dir = tempProject({
      "001_drop.sql": [
        "-- eslint-disable-next-line migsafe/drop-table -- decommissioned",
        "DROP TABLE a;",
        "-- migsafe-ignore drop-table: decommissioned too",
        "DROP TABLE b;",
        "DROP TABLE c; -- eslint-disable-line migsafe/drop-table",
        "/* eslint-disable migsafe/drop-table */",
        "DROP TABLE d;",
        "/* eslint-enable migsafe/drop-table */",
        "-- eslint-disable-next-line migsafe/truncate",
        "SELECT 1;",
        "DROP TABLE e;",
        "",
      ].join("\n"),
    });
    const only = { rules: Object.fromEntries(Object.keys(migsafe.configs.recommended.rules).map((id) => [id, id === "migsafe/drop-table" ? "error" : "off"])) };
    const [result] = await eslintFor(Eslint, dir, [only, { linterOptions: { reportUnusedDisableDirectives: "error" } }]).lintFiles(["*.sql"]);
    const messages = result!.messages.map((message) => `${message.ruleId ?? "eslint"}@${message.line}:${message.column}`);
    expect(messages).toEqual(["eslint@9:1", "migsafe/drop-table@11:1"]);
    expect(result!.messages[0]!.message).toMatch(/Unused eslint-disable directive.*migsafe\/truncate/);
  });

  it("lets other plugins' rules visit statements by type, with parents", async () => {
    const seen: string[] = [];
    const local = {
      rules: {
        statements: {
          meta: { type: "problem", languages: ["migsafe/sql"], schema: [] },
          create(context: { sourceCode: { getParent(node: object): { type: string } | undefined }; report(report: object): void }) {
            return {
              DropStmt(node: { type: string; loc: object; statement: { text: string } }) {
                seen.push(`${node.type} in ${context.sourceCode.getParent(node)?.type}: ${node.statement.text}`);
                context.report({ loc: node.loc, message: "a drop" });
              },
              "DoStmt > InsertStmt"(node: { type: string }) {
                seen.push(`${node.type} in DoStmt`);
              },
              "SqlMigration:exit"() {
                seen.push("exit");
              },
            };
          },
        },
      },
    };
    const dir = tempProject({ "001_x.sql": "DROP TABLE a;\nDO $$ BEGIN INSERT INTO t VALUES (1); END $$;\n" });
    const [result] = await eslintFor(Eslint, dir, [{ files: ["**/*.sql"], plugins: { local }, rules: { "local/statements": "warn" } }]).lintFiles(["*.sql"]);
    expect(seen).toEqual(["DropStmt in SqlMigration: DROP TABLE a", "InsertStmt in DoStmt", "exit"]);
    expect(result!.messages.filter((message) => message.ruleId === "local/statements").map((message) => [message.line, message.column, message.endColumn])).toEqual([[1, 1, 13]]);
  });

  it("takes migsafe's settings as languageOptions, and rejects bad ones", async () => {
    const dir = tempProject({ "001_x.sql": "CREATE INDEX i ON t (a);\nCREATE INDEX j ON t (b);\n" });
    const ids = async (languageOptions: object) =>
      (await eslintFor(Eslint, dir, [{ files: ["**/*.sql"], languageOptions }]).lintFiles(["*.sql"]))[0]!.messages.map((message) => message.ruleId);
    expect(await ids({})).toContain("migsafe/require-transaction");
    expect(await ids({ assumeInTransaction: true })).not.toContain("migsafe/require-transaction");
    await expect(ids({ pgVersion: "14" })).rejects.toThrow('ESLint languageOptions.pgVersion must be a PostgreSQL major version such as 14, not "14"');
    await expect(ids({ rollbackPatterns: ["undo.sql"] })).rejects.toThrow('ESLint languageOptions.rollbackPatterns entries must contain {name}, e.g. "{name}.undo.sql"');
  });

  it("takes settings.migsafe for .sql files too, languageOptions winning over it", async () => {
    const dir = tempProject({ "001_x.sql": "CREATE INDEX i ON t (a);\nCREATE INDEX j ON t (b);\n" });
    const ids = async (...extra: object[]) => (await eslintFor(Eslint, dir, extra).lintFiles(["*.sql"]))[0]!.messages.map((message) => message.ruleId);
    const inTransaction = { settings: { migsafe: { assumeInTransaction: true } } };
    expect(await ids(inTransaction)).not.toContain("migsafe/require-transaction");
    expect(await ids(inTransaction, { files: ["**/*.sql"], languageOptions: { assumeInTransaction: false } })).toContain("migsafe/require-transaction");
  });

  it("reports bad settings.migsafe once, at the file's start, instead of its findings", async () => {
    const dir = tempProject({ "001_x.sql": "\nDROP TABLE a;\nCREATE INDEX i ON t (a);\n" });
    const [result] = await eslintFor(Eslint, dir, [{ settings: { migsafe: { assumeInTransaction: "yes" } } }]).lintFiles(["*.sql"]);
    expect(result!.messages.map(({ ruleId, line, column, message }) => ({ ruleId, line, column, message }))).toEqual([
      { ruleId: expect.stringMatching(/^migsafe\//), line: 1, column: 1, message: 'ESLint settings.migsafe.assumeInTransaction must be true or false, not "yes"' },
    ]);
  });

  it("applies an inline rule configuration", async () => {
    const dir = tempProject({ "001_drop.sql": '/* eslint migsafe/drop-table: "off" */\nDROP TABLE a;\n' });
    const [result] = await eslintFor(Eslint, dir).lintFiles(["*.sql"]);
    expect(result!.messages.map((message) => message.ruleId)).not.toContain("migsafe/drop-table");
  });

  it("fixes with --fix, keeping a BOM and the positions after it", async () => {
    const sql = "\uFEFF-- add a table\nCREATE TABLE accounts (id bigint);\nCREATE INDEX accounts_id ON accounts (id);\n";
    // missing-if-not-exists (in strict only) turned on in both: it has a fix.
    const config = JSON.stringify({ rules: { "missing-if-not-exists": "careful" } });
    const dir = tempProject({ "001_accounts.sql": sql, "001_accounts_rollback.sql": "SELECT 1;\n", "migsafe.config.json": config });
    const eslintResults = await eslintFor(Eslint, dir, [{ rules: { "migsafe/missing-if-not-exists": "warn" } }]).lintFiles(["001_accounts.sql"]);
    const [cli] = await cliJson(dir, ["001_accounts.sql"]);
    expect(eslintResults[0]!.messages.map(comparable).sort(byPosition)).toEqual(cli!.messages.map(comparable).sort(byPosition));
    expect(eslintResults[0]!.messages.some((message) => message.ruleId === "migsafe/missing-if-not-exists" && message.line === 2)).toBe(true);

    const fixed = await eslintFor(Eslint, dir, [{ rules: { "migsafe/missing-if-not-exists": "warn" } }], { fix: true }).lintFiles(["001_accounts.sql"]);
    await Eslint.outputFixes(fixed as never);
    const output = fs.readFileSync(path.join(dir, "001_accounts.sql"), "utf8");
    expect(output.startsWith("\uFEFF-- add a table\nCREATE TABLE IF NOT EXISTS accounts (id bigint);")).toBe(true);
  });
});
