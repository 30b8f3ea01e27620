import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findBuilderCalls } from "../../src/embedded/builders.js";
import { normalizeTargets, parseScript, scanProgram } from "../../src/embedded/extract.js";
import { HoleNames } from "../../src/embedded/holes.js";
import { parseFile } from "../../src/parser/parse-file.js";

// What migsafe writes for a schema builder is run by `migsafe verify` as the library's SQL: for any chain it writes,
// whatever the names (quotes, spaces, capitals, non-ASCII), the SQL is valid PostgreSQL, one statement per part, and
// names the objects the call names.

/**
 * Names a migration may give: quotes of both kinds, spaces, capitals, non-ASCII; never NUL (PostgreSQL refuses it) nor a
 * dot (Kysely reads `schema.table` as two names, and so does migsafe).
 */
const sqlName = fc.oneof(
  fc.constantFrom("users", "list_item", "Mixed Case", 'a"b', "o'k", "ünïcode", "select"),
  fc.string({ minLength: 1, maxLength: 10 }).filter((name) => !name.includes("\u0000") && !name.includes(".") && name.trim() === name && name !== ""),
);
const js = (value: string) => JSON.stringify(value);
const dataType = fc.constantFrom("varchar", "varchar(255)", "integer", "text[]", "numeric(10, 2)", "double precision", "timestamptz", "jsonb", "uuid");

interface Written {
  /** The source of the builder calls. */
  source: string;
  /** The names the SQL must hold, as PostgreSQL reads them back (quoted identifiers). */
  names: string[];
  /** The statements the calls make. */
  statements: number;
}

const kyselyColumn = fc
  .record({
    name: sqlName,
    type: dataType,
    modifiers: fc.subarray(["primaryKey()", "notNull()", "unique()", "defaultTo(0)", 'defaultTo("it\x27s")', "defaultTo(sql`now()`)", "references('other.id')", "references('other.id').onDelete('cascade')"]).filter((modifiers) => modifiers.filter((modifier) => modifier.startsWith("references")).length <= 1),
  })
  .map(({ name, type, modifiers }) => ({
    source: `.addColumn(${js(name)}, ${js(type)}${modifiers.length > 0 ? `, (col) => col.${modifiers.join(".")}` : ""})`,
    name,
  }));

const kyselyStatement: fc.Arbitrary<Written> = fc.oneof(
  fc.record({ table: sqlName, columns: fc.array(kyselyColumn, { minLength: 1, maxLength: 4 }), ifNotExists: fc.boolean() }).map(({ table, columns, ifNotExists }) => ({
    source: `await db.schema.createTable(${js(table)})${ifNotExists ? ".ifNotExists()" : ""}${columns.map((column) => column.source).join("")}.execute()`,
    names: [table, ...columns.map((column) => column.name)],
    statements: 1,
  })),
  // PostgreSQL takes RENAME alone in its ALTER TABLE (Kysely would send the combination, and it would fail).
  fc.record({ table: sqlName, added: kyselyColumn, dropped: sqlName }).map(({ table, added, dropped }) => ({
    source: `await db.schema.alterTable(${js(table)})${added.source}.dropColumn(${js(dropped)}).execute()`,
    names: [table, added.name, dropped],
    statements: 1,
  })),
  fc.record({ table: sqlName, renamed: fc.tuple(sqlName, sqlName) }).map(({ table, renamed }) => ({
    source: `await db.schema.alterTable(${js(table)}).renameColumn(${js(renamed[0])}, ${js(renamed[1])}).execute()`,
    names: [table, ...renamed],
    statements: 1,
  })),
  fc.record({ index: sqlName, table: sqlName, columns: fc.array(sqlName, { minLength: 1, maxLength: 3 }), unique: fc.boolean() }).map(({ index, table, columns, unique }) => ({
    source: `await db.schema.createIndex(${js(index)})${unique ? ".unique()" : ""}.on(${js(table)}).columns([${columns.map(js).join(", ")}]).execute()`,
    names: [index, table, ...columns],
    statements: 1,
  })),
  fc.record({ type: sqlName, values: fc.array(fc.string({ maxLength: 6 }).filter((value) => !value.includes("\u0000")), { minLength: 1, maxLength: 4 }) }).map(({ type, values }) => ({
    source: `await db.schema.createType(${js(type)}).asEnum([${values.map(js).join(", ")}]).execute()`,
    names: [type],
    statements: 1,
  })),
  fc.record({ table: sqlName, ifExists: fc.boolean(), cascade: fc.boolean() }).map(({ table, ifExists, cascade }) => ({
    source: `await db.schema.dropTable(${js(table)})${ifExists ? ".ifExists()" : ""}${cascade ? ".cascade()" : ""}.execute()`,
    names: [table],
    statements: 1,
  })),
);

const knexColumn = fc
  .record({
    method: fc.constantFrom("string", "text", "integer", "bigInteger", "boolean", "uuid", "jsonb", "dateTime", "decimal"),
    name: sqlName,
    modifiers: fc.subarray(["notNullable()", "nullable()", "unique()", "index()", "defaultTo(1)", "references('id').inTable('other').onDelete('CASCADE')"]),
  })
  .map(({ method, name, modifiers }) => ({ source: `t.${method}(${js(name)})${modifiers.map((modifier) => `.${modifier}`).join("")};`, name }));

const knexStatement: fc.Arbitrary<Written> = fc.oneof(
  fc.record({ table: sqlName, columns: fc.array(knexColumn, { minLength: 1, maxLength: 4 }), timestamps: fc.boolean() }).map(({ table, columns, timestamps }) => ({
    source: `await knex.schema.createTable(${js(table)}, (t) => {\n${columns.map((column) => column.source).join("\n")}${timestamps ? "\nt.timestamps(true, true);" : ""}\n});`,
    names: [table, ...columns.map((column) => column.name)],
    statements: 0,
  })),
  fc.record({ table: sqlName, column: knexColumn, altered: sqlName }).map(({ table, column, altered }) => ({
    source: `await knex.schema.alterTable(${js(table)}, (t) => {\n${column.source}\nt.text(${js(altered)}).alter().notNullable().defaultTo('x');\n});`,
    names: [table, column.name, altered],
    statements: 0,
  })),
);

/** The builder statements of a source, each with whether verify may run it, and the calls left unwritten. */
function written(source: string) {
  const ast = parseScript(source, "m.ts");
  const holes = new HoleNames();
  const scope = { targets: normalizeTargets(undefined), ...scanProgram(ast, source, { up: ["up"], down: ["down"] }), holes };
  const unrendered: string[] = [];
  return { calls: findBuilderCalls(ast, source, scope, unrendered), unrendered };
}

/** The names PostgreSQL reads in some SQL's quoted identifiers, read left to right past its string literals. */
function quotedNames(sql: string): Set<string> {
  const names = new Set<string>();
  for (const match of sql.matchAll(/"((?:[^"]|"")*)"|'(?:[^']|'')*'/g)) if (match[1] !== undefined) names.add(match[1].replace(/""/g, '"'));
  return names;
}

function expectValidSql(statements: readonly Written[], source: string, library: "kysely" | "knex"): void {
  const { calls, unrendered } = written(source);
  expect(unrendered).toEqual([]);
  expect(calls.every((call) => call.runnable)).toBe(true);
  if (library === "kysely") expect(calls).toHaveLength(statements.length);
  for (const call of calls) {
    const parsed = parseFile(call.sql);
    expect(parsed.errors.map((error) => `${error.message} in ${call.sql}`)).toEqual([]);
    expect(parsed.statements.length).toBeGreaterThan(0);
  }
  const names = quotedNames(calls.map((call) => call.sql).join("\n"));
  for (const name of statements.flatMap((statement) => statement.names)) expect(names.has(name), `${name} in ${calls.map((call) => call.sql).join("; ")}`).toBe(true);
}

describe("schema builders written for verify", () => {
  it("Kysely: any chain migsafe writes is valid SQL holding the names the call gives", () => {
    fc.assert(
      fc.property(fc.array(kyselyStatement, { minLength: 1, maxLength: 4 }), (statements) => {
        const source = `import { type Kysely, sql } from 'kysely'\nexport async function up(db: Kysely<unknown>): Promise<void> {\n${statements.map((statement) => statement.source).join("\n")}\n}\n`;
        expectValidSql(statements, source, "kysely");
      }),
      { numRuns: 150 },
    );
  });

  it("Knex: any createTable or alterTable callback migsafe writes is valid SQL holding the names the call gives", () => {
    fc.assert(
      fc.property(fc.array(knexStatement, { minLength: 1, maxLength: 3 }), (statements) => {
        const source = `exports.up = async function (knex) {\n${statements.map((statement) => statement.source).join("\n")}\n};\n`;
        expectValidSql(statements, source, "knex");
      }),
      { numRuns: 150 },
    );
  });
});
