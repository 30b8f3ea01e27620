import { describe, expect, it } from "vitest";
import { extractSql, type SqlSnippet } from "../../src/embedded/extract.js";

/** The source text each SQL character maps to, for a SQL substring. */
function sourceOf(snippet: SqlSnippet, source: string, sqlPart: string): string {
  const start = snippet.sql.indexOf(sqlPart);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = start + sqlPart.length;
  return source.slice(snippet.map(start), snippet.mapEnd(end));
}

describe("extractSql: call sites", () => {
  const shapes: [string, string][] = [
    ["TypeORM query", "await queryRunner.query(`DROP TABLE a`);"],
    ["TypeORM this.queryRunner", "await this.queryRunner.query('DROP TABLE a');"],
    ["TypeORM sql tag", "await queryRunner.sql`DROP TABLE a`;"],
    ["MikroORM", "this.addSql('DROP TABLE a');"],
    ["Knex raw", "await knex.raw('DROP TABLE a');"],
    ["Knex schema.raw", "await knex.schema.raw(\"DROP TABLE a\");"],
    ["node-pg-migrate", "pgm.sql(`DROP TABLE a`);"],
    ["Sequelize", "await queryInterface.sequelize.query('DROP TABLE a');"],
    ["Kysely/Drizzle tag", "await sql`DROP TABLE a`.execute(db);"],
    ["slonik sql.unsafe", "await pool.query(sql.unsafe`DROP TABLE a`);"],
    ["slonik sql.type(x)", "await pool.query(sql.type(z.object({}))`DROP TABLE a`);"],
    ["postgres.js sql.unsafe()", "await sql.unsafe('DROP TABLE a');"],
    ["optional chaining", "await queryRunner?.query('DROP TABLE a');"],
  ];
  for (const [name, code] of shapes) {
    it(name, () => {
      const snippets = extractSql(`async function up(knex, pgm, queryRunner, queryInterface, db) {\n  ${code}\n}\n`, "m.ts");
      expect(snippets.map((s) => s.sql)).toEqual(["DROP TABLE a"]);
      expect(snippets[0]!.fn).toBe("up");
    });
  }

  it("ignores other calls, non-SQL arguments and sql fragments that are not statements", () => {
    const source = "db.query('DROP TABLE a'); queryRunner.query(someVar); const x = sql`now()`; console.log(`DROP TABLE b`);";
    expect(extractSql(source, "m.ts")).toEqual([]);
  });

  it("takes a knex.raw expression passed to another call for a fragment (nango's defaultTo), and a statement passed on for a statement", () => {
    const source = [
      "exports.up = async (knex) => {",
      "  await knex.schema.createTable('accounts', (table) => { table.uuid('key').defaultTo(knex.raw('uuid_generate_v4()')); });",
      "  await retry(knex.raw('CREATE INDEX accounts_key ON accounts (key)'));",
      "  await knex('integrations').update({ missing_fields: knex.raw(\"array_append(missing_fields, 'x')\") });",
      "};",
    ].join("\n");
    expect(extractSql(source, "m.cjs").map((snippet) => snippet.sql)).toEqual(["CREATE INDEX accounts_key ON accounts (key)"]);
  });

  it("takes configurable targets: strings (whole callee) and RegExps", () => {
    const source = "db.run('DROP TABLE a'); other.exec(`DROP TABLE b`); queryRunner.query('DROP TABLE c');";
    expect(extractSql(source, "m.ts", ["db.run", /\.exec$/]).map((s) => s.sql)).toEqual(["DROP TABLE a", "DROP TABLE b"]);
  });

  it("reads a const declared in the file and string concatenation", () => {
    const source = "const q = `DROP TABLE a`;\nawait queryInterface.sequelize.query(q);\nawait knex.raw('DROP ' + 'TABLE ' + name);";
    const snippets = extractSql(source, "m.js");
    expect(snippets.map((s) => s.sql)).toEqual(["DROP TABLE a", "DROP TABLE migsafe_hole_1_"]);
    expect(source.slice(snippets[0]!.map(0), snippets[0]!.map(0) + 4)).toBe("DROP");
    expect(snippets[0]!.map(0)).toBe(11);
  });
});

describe("extractSql: the position map", () => {
  it("maps a multi-line template character by character", () => {
    const source = "pgm.sql(`\n  ALTER TABLE users\n    DROP COLUMN age;\n`);";
    const [snippet] = extractSql(source, "m.js");
    expect(snippet!.sql).toBe("\n  ALTER TABLE users\n    DROP COLUMN age;\n");
    for (let i = 0; i < snippet!.sql.length; i++) expect(source[snippet!.map(i)]).toBe(snippet!.sql[i]);
    expect(snippet!.map(snippet!.sql.length)).toBe(source.lastIndexOf("`"));
  });

  it("replaces ${} holes by placeholders that map to the hole, one per expression", () => {
    const source = "queryRunner.query(`ALTER TABLE ${ table } DROP COLUMN ${col}, DROP COLUMN ${table}_old`);";
    const [snippet] = extractSql(source, "m.ts");
    expect(snippet!.sql).toBe("ALTER TABLE migsafe_hole_1_ DROP COLUMN migsafe_hole_2_, DROP COLUMN migsafe_hole_1__old");
    expect(snippet!.placeholders).toBe(3);
    expect(sourceOf(snippet!, source, "migsafe_hole_1_ ")).toBe("${ table } ");
    expect(sourceOf(snippet!, source, "migsafe_hole_2_")).toBe("${col}");
    expect(sourceOf(snippet!, source, "DROP COLUMN")).toBe("DROP COLUMN");
  });

  it("reads the holes the file fixes: constants, Kysely helpers and nested sql fragments", () => {
    const source = [
      "const TABLE = 'records';",
      "const COUNT = 4;",
      "let changed = 'a'; changed = 'b';",
      "queryRunner.query(`CREATE TABLE ${TABLE}_p1 PARTITION OF ${TABLE} FOR VALUES WITH (MODULUS ${COUNT}, REMAINDER ${COUNT - 1})`);",
      "sql`CREATE INDEX i ON ${sql.ref('app.t')} (${ref('c')}) WHERE ${sql`x = ${sql.lit('y')}`} AND z = ${changed}`.execute(db);",
    ].join("\n");
    const [partition, index] = extractSql(source, "m.ts");
    expect(partition!.sql).toBe("CREATE TABLE records_p1 PARTITION OF records FOR VALUES WITH (MODULUS 4, REMAINDER migsafe_hole_1_)");
    expect(sourceOf(partition!, source, "records_p1")).toBe("${TABLE}_p1");
    expect(index!.sql).toBe(`CREATE INDEX i ON "app"."t" ("c") WHERE x = 'y' AND z = migsafe_hole_2_`);
    expect(index!.placeholders).toBe(1);
  });

  it("cooks escapes and maps each escaped character to its backslash", () => {
    const source = String.raw`knex.raw('SELECT \'a\\b\', \u0041\x42, "\n" FROM t');`;
    const [snippet] = extractSql(source, "m.js");
    expect(snippet!.sql).toBe(`SELECT 'a\\b', AB, "\n" FROM t`);
    expect(sourceOf(snippet!, source, "'a\\b'")).toBe(String.raw`\'a\\b\'`);
    expect(sourceOf(snippet!, source, "AB")).toBe(String.raw`\u0041\x42`);
    expect(sourceOf(snippet!, source, "FROM t")).toBe("FROM t");
  });

  it("handles template escapes, line continuations and CRLF", () => {
    const source = "pgm.sql(`SELECT \\`x\\`, 1 \\\r\n+ 2,\r\n$\\{y} FROM t`);";
    const [snippet] = extractSql(source, "m.js");
    expect(snippet!.sql).toBe("SELECT `x`, 1 + 2,\n${y} FROM t");
    expect(sourceOf(snippet!, source, "+ 2")).toBe("+ 2");
    expect(sourceOf(snippet!, source, "FROM t")).toBe("FROM t");
    expect(source.slice(snippet!.map(snippet!.sql.indexOf("\n")), snippet!.map(snippet!.sql.indexOf("\n")) + 2)).toBe("\r\n");
  });

  it("replaces Sequelize :name and Knex ?/?? bindings when the call passes them, not inside strings or casts", () => {
    const source = "queryInterface.sequelize.query(`UPDATE t SET a = :value, b = ':x', c = d::text`, { replacements: { value } });\n" + "knex.raw('UPDATE ?? SET a = ?', ['t', 1]);\nknex.raw('SELECT 1 WHERE a ? b');";
    const snippets = extractSql(source, "m.js");
    expect(snippets.map((s) => s.sql)).toEqual(["UPDATE t SET a = migsafe_hole_1_, b = ':x', c = d::text", `UPDATE "t" SET a = 1`, "SELECT 1 WHERE a ? b"]);
    expect(sourceOf(snippets[0]!, source, "migsafe_hole_1_")).toBe(":value");
    expect(sourceOf(snippets[1]!, source, `"t"`)).toBe("??");
  });

  it("knows the up/down function of each snippet in every module shape", () => {
    const shapes = [
      "module.exports = { up: async (q) => { await q.sequelize.query('SELECT 1'); }, down: async (q) => { await q.sequelize.query('SELECT 2'); } };",
      "exports.up = function (knex) { return knex.raw('SELECT 1'); };\nexports.down = (knex) => knex.raw('SELECT 2');",
      "export class M { async up(queryRunner) { await queryRunner.query('SELECT 1'); } async down(queryRunner) { await queryRunner.query('SELECT 2'); } }",
      "export async function up(pgm) { pgm.sql('SELECT 1'); }\nexport const down = (pgm) => { pgm.sql('SELECT 2'); };",
    ];
    for (const shape of shapes) expect(extractSql(shape, "m.ts").map((s) => [s.sql, s.fn])).toEqual([["SELECT 1", "up"], ["SELECT 2", "down"]]);
  });

  it("throws a syntax error with its index", () => {
    expect(() => extractSql("const x = ;", "m.ts")).toThrow(expect.objectContaining({ index: 10 }));
  });
});
