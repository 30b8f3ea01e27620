/**
 * Schema-builder calls turned into the SQL they run, so that migsafe's own rules judge them: same
 * rule ids, messages, help, severities and configuration as the SQL.
 *
 * node-pg-migrate's builders are rendered as node-pg-migrate renders them (pgm-builders.ts: types,
 * NOT NULL, defaults, constraints, index options), and every rule judges them. Knex's alterTable
 * callback (knex-builders.ts) and Sequelize's addColumn are rendered with their types, NOT NULL and
 * database defaults, and judged by the rules about what such a builder risks (BUILDER_RISKS). The
 * other builders are rendered only as far as their destructive or blocking part goes
 * (`queryRunner.dropColumn`, `queryInterface.addIndex`), and only the rules about that part keep
 * their findings; creating builders (`createTable`) become SQL with no finding of their own, so that
 * the rules know what the file creates (a table created in `up` and dropped in `down` is not a finding).
 * Kysely's schema chains are written whole (kysely-builders.ts) and judged by require-lock-timeout
 * and, for a drop, drop-table.
 *
 * `migsafe verify` runs a file's builder SQL only when it is what the library sends (`runnable`):
 * node-pg-migrate's, Kysely's, and Knex's createTable (columns first, then keys and indexes, as Knex
 * orders them), alterTable, drops and renames; any call it does not write is named in `unrendered`.
 */
import type { TSESTree } from "@typescript-eslint/typescript-estree";
import { BuilderArgs } from "./builder-args.js";
import type { ExtractScope } from "./extract.js";
import { quoteName, unquoteName } from "./holes.js";
import { chainOn, knexAlterColumn, knexChain, unwrittenKnexLink } from "./knex-builders.js";
import { importsKysely, isUnexecutedSchemaChain, kyselySchemaCall } from "./kysely-builders.js";
import { PGM_METHODS } from "./pgm-builders.js";
import { calleeText, walk, type Link, type Node } from "./tree.js";

export interface BuilderStatement {
  /** The SQL the call runs, as migsafe understands it. */
  sql: string;
  /** The rules whose findings on this SQL are kept (undefined: every rule; empty: the statement only informs the others). */
  rules?: readonly string[];
  /** The call, in the source. */
  range: [number, number];
  callee: string;
  /** The migration function the call is in. */
  fn: string | undefined;
  /** The SQL is what the library itself sends (node-pg-migrate's builders, Knex's and Kysely's schema calls it writes whole): `migsafe verify` may run it. */
  runnable?: boolean;
}

/** node-pg-migrate's calls that are not statements of their own: SQL (an SQL snippet), a literal in arguments, a runner directive. */
const PGM_NOT_STATEMENTS: ReadonlySet<string> = new Set(["sql", "func", "noTransaction"]);

type Args = readonly Node[];
type Generated = { sql: string; rules: string[] } | undefined;
type Generator = (args: Args, read: BuilderArgs) => Generated;

const DROP_TABLE = ["drop-table"];
const LOCK_TIMEOUT = "require-lock-timeout";
const DROP_COLUMN = ["drop-column"];
const RENAME_COLUMN = ["rename-column"];
const RENAME_TABLE = ["rename-table"];
const CREATE_INDEX = ["require-concurrent-index"];
const DROP_INDEX = ["require-concurrent-index-drop"];
/** The rules that judge Knex's and Sequelize's column and index builders: what the builder itself risks. */
const BUILDER_RISKS = [
  "not-null-without-backfill",
  "volatile-default",
  "add-serial-column",
  "require-concurrent-index",
  "require-concurrent-index-drop",
  "unique-constraint-without-index",
  "constraint-missing-not-valid",
  "drop-not-null",
];

/** A list of column names: a string, an array of strings, or (Sequelize) objects with a `name` or `attribute`. */
function columnNames(node: Node | undefined, read: BuilderArgs): string[] {
  return read.list(node).map((item) => read.name(read.property(item, "name") ?? read.property(item, "attribute") ?? item)!);
}

function dropColumns(table: string | undefined, columns: string[]): Generated {
  if (!table || columns.length === 0) return undefined;
  return { sql: `ALTER TABLE ${table} ${columns.map((column) => `DROP COLUMN ${column}`).join(", ")}`, rules: DROP_COLUMN };
}

function createIndex(table: string | undefined, columns: string[], options: Node | undefined, read: BuilderArgs): Generated {
  if (!table || columns.length === 0) return undefined;
  const unique = read.flag(options, "unique") ? "UNIQUE " : "";
  const concurrently = read.flag(options, "concurrently") ? "CONCURRENTLY " : "";
  const name = read.property(options, "name");
  return { sql: `CREATE ${unique}INDEX ${concurrently}${name ? read.name(name) : ""} ON ${table} (${columns.join(", ")})`, rules: CREATE_INDEX };
}

function dropIndex(name: string, options: Node | undefined, read: BuilderArgs): Generated {
  const concurrently = read.flag(options, "concurrently") ? "CONCURRENTLY " : "";
  return { sql: `DROP INDEX ${concurrently}${name}`, rules: DROP_INDEX };
}

const drop =
  (kind: string, rules: string[], ifExists = false): Generator =>
  ([nameNode, options], read) => {
    const name = read.name(nameNode);
    return name ? { sql: `DROP ${kind} ${ifExists || read.flag(options, "ifExists") ? "IF EXISTS " : ""}${name}`, rules } : undefined;
  };
const renameTable: Generator = ([from, to], read) => {
  const [a, b] = [read.name(from), read.name(to)];
  return a && b ? { sql: `ALTER TABLE ${a} RENAME TO ${b}`, rules: RENAME_TABLE } : undefined;
};
const renameColumn: Generator = ([table, from, to], read) => {
  const [t, a, b] = [read.name(table), read.name(from), read.name(to)];
  return t && a && b ? { sql: `ALTER TABLE ${t} RENAME COLUMN ${a} TO ${b}`, rules: RENAME_COLUMN } : undefined;
};
const createTable: Generator = ([nameNode], read) => {
  const name = read.name(nameNode);
  return name ? { sql: `CREATE TABLE ${name} ()`, rules: [] } : undefined;
};
const addColumn: Generator = ([table, column], read) => {
  const [t, c] = [read.name(table), read.name(column)];
  return t && c ? { sql: `ALTER TABLE ${t} ADD COLUMN ${c} text`, rules: [] } : undefined;
};

/** Sequelize's DataTypes as PostgreSQL types (its postgres dialect). */
const SEQUELIZE_TYPES: Readonly<Record<string, string>> = {
  STRING: "VARCHAR(255)",
  CHAR: "CHAR(255)",
  TEXT: "TEXT",
  CITEXT: "CITEXT",
  TSVECTOR: "TSVECTOR",
  INTEGER: "INTEGER",
  BIGINT: "BIGINT",
  SMALLINT: "SMALLINT",
  FLOAT: "FLOAT",
  REAL: "REAL",
  DOUBLE: "DOUBLE PRECISION",
  DECIMAL: "DECIMAL",
  BOOLEAN: "BOOLEAN",
  DATE: "TIMESTAMP WITH TIME ZONE",
  DATEONLY: "DATE",
  TIME: "TIME",
  UUID: "UUID",
  JSON: "JSON",
  JSONB: "JSONB",
  BLOB: "BYTEA",
  INET: "INET",
};

/** A Sequelize type (`Sequelize.STRING`, `DataTypes.STRING(100)`, `Sequelize.ARRAY(Sequelize.UUID)`, `"JSONB"`) in SQL; undefined when unknown. */
function sequelizeType(node: Node | undefined, read: BuilderArgs, table: string, column: string): string | undefined {
  const resolved = read.resolve(node);
  if (!resolved) return undefined;
  const written = read.string(resolved);
  // A type given as a string (`"JSONB"`) counts when it is one of Sequelize's names.
  if (written !== undefined) return SEQUELIZE_TYPES[written.toUpperCase()];
  const call = resolved.type === "CallExpression" ? resolved : undefined;
  const name = /(?:^|\.)([A-Z]+)$/.exec(calleeText(call ? call.callee : resolved, read.sourceText))?.[1];
  if (!name) return undefined;
  if (name === "ARRAY") {
    const element = call && sequelizeType(call.arguments[0], read, table, column);
    return element && `${element}[]`;
  }
  // Sequelize creates an enum type of its own for the column.
  if (name === "ENUM") return quoteName(`enum_${unquoteName(table)}_${unquoteName(column)}`);
  const base = SEQUELIZE_TYPES[name];
  const size = call?.arguments.map((argument) => read.value(argument)).filter((value) => typeof value === "number");
  return base && size && size.length > 0 ? `${base.replace(/\(\d+\)$/, "")}(${size.join(", ")})` : base;
}

/**
 * A Sequelize default as the database gets it: literals, `Sequelize.NOW`, `Sequelize.fn("now")`, `Sequelize.literal("…")`;
 * `Sequelize.UUIDV4` and other defaults Sequelize fills in itself give the column no default; undefined then.
 */
function sequelizeDefault(node: Node, read: BuilderArgs): string | undefined {
  const resolved = read.resolve(node)!;
  const callee = resolved.type === "CallExpression" ? calleeText(resolved.callee, read.sourceText) : calleeText(resolved, read.sourceText);
  if (/(^|\.)NOW$/.test(callee)) return "now()";
  if (resolved.type === "CallExpression" && /(^|\.)literal$/.test(callee) && resolved.arguments[0]) return read.raw(resolved.arguments[0]);
  if (resolved.type === "CallExpression" && /(^|\.)fn$/.test(callee)) return `${read.string(resolved.arguments[0]) ?? read.hole(resolved)}()`;
  if (/(^|\.)UUIDV[14]$/.test(callee)) return undefined;
  return read.sqlValue(node);
}

/**
 * `queryInterface.bulkDelete(table, where)`: every row when `where` is missing, null or `{}`. Only
 * what the file empties is told to the other rules: whether deleting rows is a finding is not this
 * builder's call.
 */
const sequelizeBulkDelete: Generator = ([table, where], read) => {
  const t = read.name(table);
  if (!t) return undefined;
  const condition = read.resolve(where);
  const everyRow = !condition || read.literal(condition) === null || (condition.type === "ObjectExpression" && condition.properties.length === 0);
  return { sql: `DELETE FROM ${t}${everyRow ? "" : ` WHERE ${read.hole(where!)}`}`, rules: [] };
};

/** `queryInterface.addColumn(table, column, Sequelize.STRING | { type, allowNull, defaultValue, … })`. */
const sequelizeAddColumn: Generator = ([table, column, attribute], read) => {
  const [t, c] = [read.name(table), read.name(column)];
  if (!t || !c) return undefined;
  const options = read.resolve(attribute)?.type === "ObjectExpression" ? attribute : undefined;
  const type = sequelizeType(options ? read.property(options, "type") : attribute, read, t, c);
  // Without a known type, the column only tells the other rules that it is new.
  if (!type) return { sql: `ALTER TABLE ${t} ADD COLUMN ${c} text`, rules: [] };
  const serial = read.flag(options, "autoIncrement");
  const parts = [`ALTER TABLE ${t} ADD COLUMN ${c} ${serial ? (type === "BIGINT" ? "BIGSERIAL" : "SERIAL") : type}`];
  if (read.literal(read.property(options, "allowNull")) === false) parts.push("NOT NULL");
  const given = read.property(options, "defaultValue");
  const defaultValue = given && sequelizeDefault(given, read);
  if (defaultValue !== undefined) parts.push(`DEFAULT ${defaultValue}`);
  if (read.flag(options, "unique")) parts.push("UNIQUE");
  if (read.flag(options, "primaryKey")) parts.push("PRIMARY KEY");
  return { sql: parts.join(" "), rules: BUILDER_RISKS };
};

/** Builder calls of Knex, TypeORM and Sequelize, by callee text (spaces removed, `?.` read as `.`). */
const BUILDERS: readonly { callee: RegExp; generate: Generator }[] = [
  // Knex
  { callee: /(^|\.)schema\.createTable$/, generate: createTable },
  { callee: /(^|\.)schema\.dropTable$/, generate: drop("TABLE", DROP_TABLE) },
  { callee: /(^|\.)schema\.dropTableIfExists$/, generate: drop("TABLE", DROP_TABLE, true) },
  { callee: /(^|\.)schema\.renameTable$/, generate: renameTable },
  // TypeORM
  { callee: /(^|\.)queryRunner\.createTable$/, generate: createTable },
  { callee: /(^|\.)queryRunner\.dropTable$/, generate: drop("TABLE", DROP_TABLE) },
  { callee: /(^|\.)queryRunner\.dropColumns?$/, generate: ([table, columns], read) => dropColumns(read.name(table), columnNames(columns, read)) },
  { callee: /(^|\.)queryRunner\.renameColumn$/, generate: renameColumn },
  { callee: /(^|\.)queryRunner\.renameTable$/, generate: renameTable },
  { callee: /(^|\.)queryRunner\.addColumn$/, generate: addColumn },
  // Sequelize
  { callee: /(^|\.)queryInterface\.createTable$/, generate: createTable },
  { callee: /(^|\.)queryInterface\.addColumn$/, generate: sequelizeAddColumn },
  { callee: /(^|\.)queryInterface\.dropTable$/, generate: drop("TABLE", DROP_TABLE) },
  { callee: /(^|\.)queryInterface\.removeColumn$/, generate: ([table, columns], read) => dropColumns(read.name(table), columnNames(columns, read)) },
  { callee: /(^|\.)queryInterface\.renameColumn$/, generate: renameColumn },
  { callee: /(^|\.)queryInterface\.renameTable$/, generate: renameTable },
  { callee: /(^|\.)queryInterface\.bulkDelete$/, generate: sequelizeBulkDelete },
  {
    callee: /(^|\.)queryInterface\.addIndex$/,
    generate: ([table, second, third], read) => {
      // addIndex(table, fields, options) or addIndex(table, { fields, … })
      const inOptions = read.resolve(second)?.type === "ObjectExpression";
      const options = inOptions ? second : third;
      const fields = inOptions ? read.property(second, "fields") : second;
      return createIndex(read.name(table), columnNames(fields, read), options, read);
    },
  },
  {
    callee: /(^|\.)queryInterface\.removeIndex$/,
    generate: ([table, second, options], read) => {
      const byName = read.string(second);
      const columns = read.list(second).map((column) => read.string(column) ?? read.hole(column));
      // Sequelize names an index `<table>_<columns>` unless the call names it.
      const name = byName !== undefined ? quoteName(byName) : quoteName(`${read.bareName(table) ?? "table"}_${columns.join("_")}`);
      return dropIndex(name, options, read);
    },
  },
];

/** The constant strings a `for (const x of [...])` loop gives the identifier `node`, when `node` is that loop's variable. */
function loopValues(node: Node | undefined, ancestors: readonly Node[], read: BuilderArgs): string[] | undefined {
  if (node?.type !== "Identifier") return undefined;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const loop = ancestors[i]!;
    if (loop.type !== "ForOfStatement" || loop.left.type !== "VariableDeclaration") continue;
    const bound = loop.left.declarations[0]?.id;
    if (bound?.type !== "Identifier" || bound.name !== node.name) continue;
    const values = read.list(loop.right).map((element) => read.string(element));
    const array = read.resolve(loop.right);
    return array?.type === "ArrayExpression" && values.length > 0 && values.every((value) => value !== undefined) ? (values as string[]) : undefined;
  }
  return undefined;
}

/** Whether an expression names the identifier anywhere. */
function mentions(expression: Node, name: string): boolean {
  let found = false;
  walk(expression, [], (node) => {
    if (node.type === "Identifier" && node.name === name) found = true;
  });
  return found;
}

/** Knex `schema.alterTable(name, (t) => { t.dropColumn(…) })` and `schema.table(…)`. */
const ALTER_TABLE = /(^|\.)schema\.(alterTable|table)$/;
const KNEX_CREATE_TABLE = /(^|\.)schema\.createTable$/;
/** Knex's schema calls whose SQL is written as Knex writes it (createTable's and alterTable's callbacks: unwrittenKnexLink). */
const KNEX_WRITTEN = /(^|\.)schema\.(createTable|dropTable|dropTableIfExists|renameTable)$/;
/** A call on Knex's schema builder (`knex.schema.x`, `trx.schema.x`), not on another object's `schema` (`this.schema.parse`). */
const KNEX_SCHEMA = /(?:^|\.)(?:knex|trx|tx|db)\.schema\.(\w+)$/;
/** Knex's schema calls read here or as SQL snippets, or that change nothing (hasTable). */
const KNEX_HANDLED: ReadonlySet<string> = new Set(["createTable", "dropTable", "dropTableIfExists", "renameTable", "alterTable", "table", "raw", "hasTable", "hasColumn"]);


/** One statement of Knex's alterTable callback: a drop or rename of a column (their own rules), or what knex-builders.ts renders. */
function alterTableCall(chain: readonly [Link, ...Link[]], table: string, bare: string, read: BuilderArgs): Generated {
  const [{ method, args }] = chain;
  if (method === "dropColumn" || method === "dropColumns") return dropColumns(table, args.flatMap((arg) => columnNames(arg, read)));
  if (method === "renameColumn") {
    const [from, to] = [read.name(args[0]), read.name(args[1])];
    return from && to ? { sql: `ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to}`, rules: RENAME_COLUMN } : undefined;
  }
  const statements = knexChain(chain, table, bare, read);
  return statements.length === 0 ? undefined : { sql: statements.join(";\n"), rules: BUILDER_RISKS };
}
const PGM_CALL = /(^|\.)pgm\.(\w+)$/;

/**
 * The schema-builder calls of a migration, as SQL, in source order. `unrendered` collects the node-pg-migrate calls
 * and Kysely schema chains left out (a method migsafe does not write, arguments it cannot read): a migration with one
 * cannot be run as SQL.
 */
export function findBuilderCalls(ast: TSESTree.Program, text: string, scope: ExtractScope, unrendered?: string[]): BuilderStatement[] {
  const read = new BuilderArgs(text, scope.constants, scope.holes);
  const found: BuilderStatement[] = [];
  /** Kysely chains written whole: their inner calls (`db.schema.createTable('t')`) are not builders of their own. */
  const written: [number, number][] = [];
  const kyselyFile = importsKysely(ast);
  walk(ast, [], (node, ancestors) => {
    if (node.type !== "CallExpression" || scope.dialects?.skips(node)) return;
    if (written.some(([start, end]) => node.range[0] >= start && node.range[1] <= end)) return;
    const callee = calleeText(node.callee, text);
    const add = (generated: { sql: string; rules?: string[]; runnable?: boolean } | undefined, at: Node = node): BuilderStatement | undefined => {
      if (!generated) return undefined;
      const statement: BuilderStatement = { ...generated, range: [at.range[0], at.range[1]], callee, fn: scope.functions.of(ancestors) };
      found.push(statement);
      return statement;
    };
    const kysely = kyselySchemaCall(node, read);
    if (kysely && "sql" in kysely) {
      written.push(node.range);
      // Judged by the rules lint applied to it before it was written whole (a drop), and by require-lock-timeout, which
      // names a file's first lock: the rest only informs the other rules.
      return add({ sql: kysely.sql, rules: /^drop table /.test(kysely.sql) ? [...DROP_TABLE, LOCK_TIMEOUT] : [LOCK_TIMEOUT], runnable: true });
    }
    if (kysely) unrendered?.push(kysely.unrendered);
    else if (kyselyFile && isUnexecutedSchemaChain(node, ancestors[ancestors.length - 1], text)) {
      // Kysely sends nothing for a chain that is never executed: it is no statement (and not Knex's builder).
      written.push(node.range);
      return;
    }
    const pgm = PGM_CALL.exec(callee)?.[2];
    const render = pgm !== undefined && Object.hasOwn(PGM_METHODS, pgm) ? PGM_METHODS[pgm] : undefined;
    if (render) {
      const sql = render(node.arguments, read);
      if (sql === undefined) unrendered?.push(callee);
      return add(sql === undefined ? undefined : { sql, runnable: true });
    }
    if (pgm !== undefined && !PGM_NOT_STATEMENTS.has(pgm)) unrendered?.push(callee);
    const builder = BUILDERS.find((candidate) => candidate.callee.test(callee));
    const fromBuilder = builder?.generate(node.arguments, read);
    const built = add(fromBuilder && { ...fromBuilder, runnable: !kyselyFile && KNEX_WRITTEN.test(callee) });
    // In a Kysely file, `db.schema.x` is Kysely's (kyselySchemaCall): what it cannot write is said there.
    if (kyselyFile) return;
    const knex = KNEX_SCHEMA.exec(callee)?.[1];
    // Knex's other schema calls (withSchema, createView, …) are not written: their file is not run.
    if ((knex !== undefined && !KNEX_HANDLED.has(knex)) || /(^|\.)schema\.withSchema\(/.test(callee)) unrendered?.push(callee);
    const creating = KNEX_CREATE_TABLE.test(callee);
    if (!ALTER_TABLE.test(callee) && !creating) return;
    const tableNode = node.arguments[0];
    const table = read.name(tableNode);
    const callback = node.arguments[1];
    if (!table || !callback || (callback.type !== "ArrowFunctionExpression" && callback.type !== "FunctionExpression")) {
      if (creating && callback) unrendered?.push(callee);
      return;
    }
    const param = callback.params[0];
    if (param?.type !== "Identifier") return void unrendered?.push(callee);
    const onTable = (expression: Node, table: string, bare: string) => {
      const chain = chainOn(expression.type === "AwaitExpression" ? expression.argument : expression, param.name);
      // A statement that does not touch the table (`knex.raw(…)` inside the callback) is read as what it is.
      if (!chain && !mentions(expression, param.name)) return;
      const unwritten = chain ? unwrittenKnexLink(chain) : "statement";
      if (unwritten !== undefined) unrendered?.push(`${callee}(…): ${unwritten}`);
      if (!chain) return;
      // `.alter()`: run by verify as Knex alters the column; lint leaves it out (Knex always sets the type again).
      const altered = knexAlterColumn(chain, table, read);
      if (altered) return add({ sql: altered.join(";\n"), rules: [], runnable: true }, expression);
      const generated = alterTableCall(chain, table, bare, read);
      if (!creating) return add(generated && { ...generated, runnable: true }, expression);
      for (const statement of generated?.sql.split(";\n") ?? []) (/^ALTER TABLE \S+ ADD COLUMN /.test(statement) ? newColumns : afterColumns).push(statement);
    };
    // createTable: Knex writes the table with all its columns, then its keys and indexes, whatever the callback's order.
    const newColumns: string[] = [];
    const afterColumns: string[] = [];
    // alterTable in a loop over a constant list of tables (`for (const name of TABLES)`): each table in turn.
    const looped = creating ? undefined : loopValues(tableNode, ancestors, read);
    for (const [tableSql, bare] of looped ? looped.map((name) => [quoteName(name), name] as const) : [[table, read.bareName(tableNode)!] as const]) {
      if (callback.body.type !== "BlockStatement") onTable(callback.body, tableSql, bare);
      else {
        for (const statement of callback.body.body) {
          if (statement.type === "ExpressionStatement") onTable(statement.expression, tableSql, bare);
          else unrendered?.push(`${callee}(…): ${statement.type}`);
        }
      }
    }
    // A new table's columns inform the other rules; they are not changes of an existing table.
    if (creating && built) built.sql = [built.sql, ...newColumns, ...afterColumns].join(";\n");
  });
  return found.sort((a, b) => a.range[0] - b.range[0]);
}
