import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempProjects, withRollbacks } from "../cli/fixtures/temp-project.js";
import { cli, DROP_FILE, DROP_SQL, ensureBuilt, runIn } from "./harness.js";

// A configuration that cannot be used stops the run before anything is linted: exit 2,
// nothing on stdout (no half report a CI step could mistake for a clean one), and one
// line on stderr naming the file, the line when the JSON says where, and the key.

const project = useTempProjects();
beforeAll(ensureBuilt, 180_000);

const KNOWN_KEYS = "extends, rules, pgVersion, runner, assumeInTransaction, include, exclude, rollbackPatterns, startAfter, requireIgnoreReason, standardConformingStrings, placeholders, migrationFunctions, otherDatabases";

async function withConfig(config: string | Uint8Array, name = "migsafe.config.json") {
  const p = project(withRollbacks({ [DROP_FILE]: DROP_SQL, [name]: config }));
  const results = await Promise.all(["stylish", "json", "sarif"].map((format) => runIn(p.dir, ["--format", format, DROP_FILE])));
  // Every format fails the same way.
  for (const result of results) expect(result).toEqual({ ...results[0], output: "" });
  const { exitCode, stderr } = results[0]!;
  return { exitCode, stderr, dir: p.dir };
}

describe("invalid JSON", () => {
  it("cut short: the file, and the parser's message", async () => {
    const result = await withConfig('{ "rules": ');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^migsafe: migsafe\.config\.json: invalid JSON: [^\n]+\n$/);
  });

  it("a trailing comma: the file and the line of the problem", async () => {
    const result = await withConfig('{\n  "rules": {\n    "drop-table": "off",\n  }\n}\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^migsafe: migsafe\.config\.json:4: invalid JSON: [^\n]+\n$/);
  });

  it("an empty file", async () => {
    const result = await withConfig("");
    expect(result.stderr).toMatch(/^migsafe: migsafe\.config\.json: invalid JSON: [^\n]+\n$/);
  });

  it.each([["null"], ["[]"], ['"rules"']])("%s: not an object", async (json) => {
    expect(await withConfig(json)).toMatchObject({ exitCode: 2, stderr: "migsafe: migsafe.config.json: the configuration must be a JSON object\n" });
  });

  it("a UTF-8 BOM (as Windows Notepad saves JSON) is not an error", async () => {
    const p = project(withRollbacks({ [DROP_FILE]: DROP_SQL, "migsafe.config.json": `\uFEFF${JSON.stringify({ rules: { "drop-table": "off" } })}` }));
    const result = await runIn(p.dir, ["--format", "compact", DROP_FILE]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.output).not.toContain("drop-table");
  });
});

describe("unknown keys and wrong types: the key, and what it must be", () => {
  it.each([
    [{ bogus: 1 }, `unknown key "bogus" (known keys: ${KNOWN_KEYS})`],
    [{ extends: "loose" }, '"extends" must be "recommended" or "strict", not "loose"'],
    [{ pgVersion: "14" }, '"pgVersion" must be a PostgreSQL major version such as 14, not "14"'],
    [{ pgVersion: 14.5 }, '"pgVersion" must be a PostgreSQL major version such as 14, not 14.5'],
    [{ assumeInTransaction: "yes" }, '"assumeInTransaction" must be true or false, not "yes"'],
    [
      { runner: "rails" },
      '"runner" must be one of "prisma", "diesel", "golang-migrate", "pop", "popx", "goose", "dbmate", "sql-migrate", "flyway", "sqitch", "drizzle", "temporal-sql-tool", "kysely", "typeorm", "mikro-orm", "knex", "node-pg-migrate", "sequelize", "none", not "rails"',
    ],
    [{ include: "db/*.sql" }, '"include" must be a list of strings'],
    [{ exclude: [1] }, '"exclude" must be a list of strings'],
    [{ rules: ["drop-table"] }, '"rules" must be an object of rule id → severity'],
    [{ rules: { "drop-table": "warn" } }, '"rules.drop-table" must be "off", "careful" or "dangerous", not "warn"'],
    [{ rules: { "no-such-rule": "off" } }, 'unknown rule "no-such-rule" in "rules"'],
    [{ rollbackPatterns: ["undo.sql"] }, '"rollbackPatterns" entries must contain {name}, e.g. "{name}.undo.sql"'],
    [{ startAfter: "" }, '"startAfter" must be a migration file name'],
    [{ placeholders: { "(": "x" } }, '"placeholders.(": not a valid regular expression (Invalid regular expression: /(/u: Unterminated group)'],
    [{ placeholders: { "a*": "x" } }, '"placeholders.a*": the regular expression matches empty text'],
    [{ placeholders: { a: 1 } }, '"placeholders.a" must be a string (the SQL the match is replaced with), not 1'],
  ])("%j", async (config, message) => {
    expect(await withConfig(JSON.stringify(config))).toMatchObject({ exitCode: 2, stderr: `migsafe: migsafe.config.json: ${message}\n` });
  });

  it("in package.json#migsafe: named as such", async () => {
    const result = await withConfig(JSON.stringify({ name: "app", migsafe: { bogus: true } }), "package.json");
    expect(result).toMatchObject({ exitCode: 2, stderr: `migsafe: package.json: "migsafe": unknown key "bogus" (known keys: ${KNOWN_KEYS})\n` });
  });

  it("in a folder's own configuration: the path to it", async () => {
    const p = project(withRollbacks({ [DROP_FILE]: DROP_SQL, "sub/002.sql": "SELECT 1;\n", "sub/migsafe.config.json": '{"pgVersion": 8}' }));
    const result = await runIn(p.dir, ["."]);
    expect(result).toEqual({ exitCode: 2, output: "", stderr: 'migsafe: sub/migsafe.config.json: "pgVersion" must be a PostgreSQL major version such as 14, not 8\n' });
  });
});

describe("configuration files that cannot be read", () => {
  it("--config naming a missing file", async () => {
    const p = project(withRollbacks({ [DROP_FILE]: DROP_SQL }));
    expect(await runIn(p.dir, ["--config", "nope.json", DROP_FILE])).toEqual({ exitCode: 2, output: "", stderr: "migsafe: nope.json: configuration file not found\n" });
  });

  it("a folder named migsafe.config.json", async () => {
    const p = project(withRollbacks({ [DROP_FILE]: DROP_SQL }));
    fs.mkdirSync(p.path("migsafe.config.json"));
    expect(await runIn(p.dir, [DROP_FILE])).toEqual({ exitCode: 2, output: "", stderr: "migsafe: migsafe.config.json: cannot read the configuration (EISDIR)\n" });
  });

  it("the built CLI: exit 2, one line, nothing on stdout", async () => {
    const p = project(withRollbacks({ [DROP_FILE]: DROP_SQL, "migsafe.config.json": '{"rules": {"drop-table": 2}}' }));
    expect(await cli(p.dir, ["--format", "json", DROP_FILE])).toEqual({
      code: 2,
      signal: null,
      stdout: "",
      stderr: 'migsafe: migsafe.config.json: "rules.drop-table" must be "off", "careful" or "dangerous", not 2\n',
    });
  });
});
