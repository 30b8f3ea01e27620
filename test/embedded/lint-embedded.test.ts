import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintEmbeddedSource } from "../../src/embedded/lint-embedded.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_SETTINGS } from "../../src/config/settings.js";

const options = { rules: allRules, settings: DEFAULT_SETTINGS };

/** Each finding as rule id, 1-based line:column range and the source text it covers. */
function found(source: string, filePath = "migrations/1_x.ts", only?: string[]) {
  const result = lintEmbeddedSource(source, filePath, options);
  return {
    findings: result.findings
      .filter((f) => !only || only.includes(f.ruleId))
      .map((f) => `${f.ruleId} ${f.loc.start.line}:${f.loc.start.column}-${f.loc.end.line}:${f.loc.end.column} ${source.slice(f.range.start, f.range.end)}`),
    errors: result.errors.map((e) => `${e.loc?.start.line}:${e.loc?.start.column} ${e.message}`),
    result,
  };
}

describe("lintEmbeddedSource: SQL findings at their place in the source", () => {
  it("TypeORM: a multi-line template with a ${} hole", () => {
    const source = [
      "export class M1 {",
      "  async up(queryRunner: QueryRunner): Promise<void> {",
      "    await queryRunner.query(`",
      "      ALTER TABLE ${this.table}",
      "        DROP COLUMN age`);",
      "  }",
      "}",
    ].join("\n");
    expect(found(source, undefined, ["drop-column"]).findings).toEqual(["drop-column 5:9-5:24 DROP COLUMN age"]);
  });

  it("node-pg-migrate: escapes in a string literal", () => {
    const source = "exports.up = (pgm) => {\n  pgm.sql('ALTER TABLE \\\"users\\\" DROP COLUMN \\u0061ge;\\n');\n};\n";
    expect(found(source, "migrations/1_x.js", ["drop-column"]).findings).toEqual(['drop-column 2:34-2:54 DROP COLUMN \\u0061ge']);
  });

  it("Knex, Sequelize, MikroORM and sql tags", () => {
    const source = [
      "exports.up = async (knex) => {",
      "  await knex.raw('DROP TABLE a');",
      "  await queryInterface.sequelize.query(`UPDATE b SET x = :x`, { replacements: { x } });",
      "  this.addSql('TRUNCATE c');",
      "  await sql`DROP TABLE d`.execute(db);",
      "};",
    ].join("\n");
    expect(found(source, "m.js", ["drop-table", "update-without-where", "truncate"]).findings).toEqual([
      "drop-table 2:19-2:31 DROP TABLE a",
      "update-without-where 3:41-3:60 UPDATE b SET x = :x",
      "truncate 4:16-4:26 TRUNCATE c",
      "drop-table 5:13-5:25 DROP TABLE d",
    ]);
  });

  it("SQL in down() is the rollback: dropping what up() created is no finding", () => {
    const source = [
      "module.exports = {",
      "  up: async (q) => { await q.sequelize.query('CREATE TABLE t (id int PRIMARY KEY)'); },",
      "  down: async (q) => { await q.sequelize.query('DROP TABLE t'); },",
      "};",
    ].join("\n");
    const { findings, result } = found(source, "m.js");
    expect(findings.filter((f) => f.startsWith("drop-table"))).toEqual([]);
    expect(result.findings.some((f) => f.ruleId === "require-rollback")).toBe(false);
  });

  it("a SQL syntax error is a fatal error at its place", () => {
    const source = "pgm.sql(`ALTER TABLE t\n  ADD COLUM x int`);";
    const { errors } = found(source, "m.js");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe('2:15 embedded SQL: syntax error at or near "int"');
  });

  it("a TS syntax error is a fatal error at its place", () => {
    const { errors, result } = found("export const up = (pgm) => {\n  pgm.sql('x';\n};\n", "m.ts");
    expect(errors).toEqual([expect.stringMatching(/^2:14 not valid TypeScript\/JavaScript: /)]);
    expect(result.findings).toEqual([]);
  });

  it("config severities apply: off and careful", () => {
    const source = "pgm.sql('DROP TABLE a');";
    expect(lintEmbeddedSource(source, "m.js", { settings: DEFAULT_SETTINGS, rules: allRules, severities: { "drop-table": "off" } }).findings.map((f) => f.ruleId)).not.toContain("drop-table");
    const careful = lintEmbeddedSource(source, "m.js", { settings: DEFAULT_SETTINGS, rules: allRules, severities: { "drop-table": "careful" } }).findings.find((f) => f.ruleId === "drop-table");
    expect(careful?.severity).toBe("careful");
  });

  it("a file without SQL has no finding", () => {
    expect(found("export const up = () => {};\n").result).toMatchObject({ findings: [], errors: [] });
  });
});

describe("builder calls", () => {
  const cases: [string, string, string][] = [
    ["pgm.dropTable('users')", "drop-table", "DROP TABLE"],
    ["pgm.dropColumns('users', ['age', 'name'])", "drop-column", "DROP COLUMN age"],
    ["pgm.dropColumn('users', 'age')", "drop-column", "DROP COLUMN age"],
    ["pgm.renameColumn('users', 'a', 'b')", "rename-column", ""],
    ["pgm.renameTable('users', 'people')", "rename-table", "Renaming"],
    ["pgm.dropSchema('s')", "drop-schema", ""],
    ["pgm.dropType('t')", "drop-type", ""],
    ["pgm.dropView('v')", "drop-view", ""],
    ["pgm.dropIndex('users', 'age')", "require-concurrent-index-drop", "DROP INDEX"],
    ["pgm.createIndex('users', 'age')", "require-concurrent-index", "CREATE INDEX"],
    ["knex.schema.dropTable('users')", "drop-table", "DROP TABLE"],
    ["knex.schema.dropTableIfExists('users')", "drop-table", "DROP TABLE"],
    ["knex.schema.renameTable('users', 'people')", "rename-table", ""],
    ["queryRunner.dropTable('users')", "drop-table", "DROP TABLE"],
    ["queryRunner.dropColumn('users', 'age')", "drop-column", ""],
    ["queryRunner.renameColumn('users', 'a', 'b')", "rename-column", ""],
    ["queryInterface.dropTable('users')", "drop-table", ""],
    ["queryInterface.removeColumn('users', 'age')", "drop-column", ""],
    ["queryInterface.renameColumn('users', 'a', 'b')", "rename-column", ""],
    ["queryInterface.renameTable('users', 'people')", "rename-table", ""],
    ["queryInterface.removeIndex('users', 'users_age')", "require-concurrent-index-drop", ""],
    ["queryInterface.addIndex('users', ['age'])", "require-concurrent-index", ""],
    ["queryInterface.addIndex('users', { fields: ['age'], unique: true })", "require-concurrent-index", "UNIQUE"],
  ];
  for (const [call, ruleId, text] of cases) {
    it(`${call} → ${ruleId}`, () => {
      const source = `async function up() {\n  await ${call};\n}\n`;
      const result = lintEmbeddedSource(source, "m.js", options);
      // node-pg-migrate's builders are judged by every rule (require-lock-timeout, …), the other ORMs' by the builder's own.
      if (!call.startsWith("pgm.")) expect([...new Set(result.findings.map((f) => f.ruleId))]).toEqual([ruleId]);
      const finding = result.findings.find((f) => f.ruleId === ruleId);
      expect(finding!.loc).toEqual({ start: { line: 2, column: 9 }, end: { line: 2, column: 9 + call.length } });
      expect(source.slice(finding!.range.start, finding!.range.end)).toBe(call);
      expect(`${finding!.message}\n${finding!.explanation ?? ""}`).toContain(text);
      expect(finding!.help.length).toBeGreaterThan(20);
    });
  }

  it("concurrently: true makes index builders safe", () => {
    const source = "async function up() { pgm.createIndex('users', 'age', { concurrently: true }); pgm.dropIndex('users', 'age', { concurrently: true }); queryInterface.addIndex('users', ['a'], { concurrently: true }); }";
    const ruleIds = lintEmbeddedSource(source, "m.js", options).findings.map((f) => f.ruleId);
    expect(ruleIds.filter((id) => id.startsWith("require-concurrent"))).toEqual([]);
  });

  it("Sequelize addColumn: its type, NOT NULL and database default, judged by the column's rules", () => {
    const source = [
      "module.exports = { up: async (queryInterface, Sequelize) => {",
      "  await queryInterface.addColumn('users', 'role', { type: Sequelize.STRING(20), allowNull: false });",
      "  await queryInterface.addColumn('users', 'flag', { type: Sequelize.BOOLEAN, allowNull: false, defaultValue: false });",
      "  await queryInterface.addColumn('users', 'token', { type: Sequelize.UUID, allowNull: false, defaultValue: Sequelize.UUIDV4 });",
      "  await queryInterface.addColumn('users', 'tags', Sequelize.ARRAY(Sequelize.STRING));",
      "} };",
    ].join("\n");
    const findings = lintEmbeddedSource(source, "m.js", options).findings.map((f) => `${f.ruleId} ${f.loc.start.line} ${(f.explanation ?? f.message).slice(0, 60)}`);
    // A default Sequelize fills in itself (UUIDV4) is no default of the column.
    expect(findings).toEqual([
      'not-null-without-backfill 2 ALTER TABLE users ADD COLUMN role varchar(20) NOT NULL has n',
      'not-null-without-backfill 4 ALTER TABLE users ADD COLUMN token uuid NOT NULL has no DEFA',
    ]);
  });

  it("Knex table.dropColumn(s) inside alterTable", () => {
    const source = "exports.up = (knex) => knex.schema.alterTable('users', (table) => {\n  table.dropColumn('age');\n  table.dropColumns('a', 'b');\n});\n";
    const result = lintEmbeddedSource(source, "m.js", options);
    expect(result.findings.map((f) => `${f.ruleId} ${f.loc.start.line}:${f.loc.start.column}`)).toEqual(["drop-column 2:3", "drop-column 3:3", "drop-column 3:3"]);
  });

  it("dropping in down() what up() created is no finding", () => {
    const source = "exports.up = (pgm) => { pgm.createTable('t', { id: 'id' }); pgm.addColumns('u', { c: { type: 'text' } }); };\nexports.down = (pgm) => { pgm.dropColumn('u', 'c'); pgm.dropTable('t'); };";
    const ruleIds = lintEmbeddedSource(source, "m.js", options).findings.map((f) => f.ruleId);
    expect(ruleIds.filter((id) => id === "drop-table" || id === "drop-column")).toEqual([]);
  });
});

describe("the Outline corpus (301 real Sequelize migrations)", () => {
  const dir = path.resolve(import.meta.dirname, "../../../shared/corpus/js/outline");
  it.skipIf(!fs.existsSync(dir))("lints every file without a crash or a SQL parse error", () => {
    let snippets = 0;
    let builders = 0;
    let findings = 0;
    const errors: string[] = [];
    const files = fs.readdirSync(dir).filter((name) => /\.(js|ts)$/.test(name));
    for (const name of files) {
      const result = lintEmbeddedSource(fs.readFileSync(path.join(dir, name), "utf8"), path.join(dir, name), options);
      snippets += result.snippets;
      builders += result.builders;
      findings += result.findings.length;
      for (const error of result.errors) errors.push(`${name}:${error.loc?.start.line}:${error.loc?.start.column} ${error.message}`);
    }
    console.log(`corpus: ${files.length} files, ${snippets} SQL snippets, ${builders} builder calls, ${findings} findings`);
    expect(errors).toEqual([]);
    expect(files.length).toBeGreaterThan(300);
    expect(snippets).toBeGreaterThan(100);
  });
});
