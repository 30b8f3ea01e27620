/**
 * Schema-builder calls turned into the SQL they run, so that migsafe's own rules judge them: same
 * rule ids, messages, help, severities and configuration as the SQL.
 *
 * node-pg-migrate's builders are rendered as node-pg-migrate renders them (pgm-builders.ts: types,
 * NOT NULL, defaults, constraints, index options), and every rule judges them. The other ORMs'
 * builders are rendered only as far as their destructive or blocking part goes (`table.dropColumn`,
 * `queryInterface.addIndex`), and only the rules about that part keep their findings; their creating
 * builders (`createTable`, `addColumn`) become SQL with no finding of their own, so that the rules
 * know what the file creates (a table created in `up` and dropped in `down` is not a finding).
 */
import type { TSESTree } from "@typescript-eslint/typescript-estree";
import { BuilderArgs } from "./builder-args.js";
import type { ExtractScope } from "./extract.js";
import { quoteName } from "./holes.js";
import { PGM_METHODS } from "./pgm-builders.js";
import { calleeText, walk, type Node } from "./tree.js";

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
}

type Args = readonly Node[];
type Generated = { sql: string; rules: string[] } | undefined;
type Generator = (args: Args, read: BuilderArgs) => Generated;

const DROP_TABLE = ["drop-table"];
const DROP_COLUMN = ["drop-column"];
const RENAME_COLUMN = ["rename-column"];
const RENAME_TABLE = ["rename-table"];
const CREATE_INDEX = ["require-concurrent-index"];
const DROP_INDEX = ["require-concurrent-index-drop"];

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
  { callee: /(^|\.)queryInterface\.addColumn$/, generate: addColumn },
  { callee: /(^|\.)queryInterface\.dropTable$/, generate: drop("TABLE", DROP_TABLE) },
  { callee: /(^|\.)queryInterface\.removeColumn$/, generate: ([table, columns], read) => dropColumns(read.name(table), columnNames(columns, read)) },
  { callee: /(^|\.)queryInterface\.renameColumn$/, generate: renameColumn },
  { callee: /(^|\.)queryInterface\.renameTable$/, generate: renameTable },
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

/** Knex `schema.alterTable(name, (t) => { t.dropColumn(…) })` and `schema.table(…)`. */
const ALTER_TABLE = /(^|\.)schema\.(alterTable|table)$/;
const PGM_CALL = /(^|\.)pgm\.(\w+)$/;

export function findBuilderCalls(ast: TSESTree.Program, text: string, scope: ExtractScope): BuilderStatement[] {
  const read = new BuilderArgs(text, scope.constants, scope.holes);
  const found: BuilderStatement[] = [];
  walk(ast, [], (node, ancestors) => {
    if (node.type !== "CallExpression" || scope.dialects?.skips(node)) return;
    const callee = calleeText(node.callee, text);
    const add = (generated: { sql: string; rules?: string[] } | undefined, at: Node = node) => {
      if (generated) found.push({ ...generated, range: [at.range[0], at.range[1]], callee, fn: scope.functions.of(ancestors) });
    };
    const pgm = PGM_CALL.exec(callee)?.[2];
    const render = pgm !== undefined && Object.hasOwn(PGM_METHODS, pgm) ? PGM_METHODS[pgm] : undefined;
    if (render) {
      const sql = render(node.arguments, read);
      return add(sql === undefined ? undefined : { sql });
    }
    const builder = BUILDERS.find((candidate) => candidate.callee.test(callee));
    if (builder) add(builder.generate(node.arguments, read));
    if (!ALTER_TABLE.test(callee)) return;
    const table = read.name(node.arguments[0]);
    const callback = node.arguments[1];
    if (!table || !callback || (callback.type !== "ArrowFunctionExpression" && callback.type !== "FunctionExpression")) return;
    const param = callback.params[0];
    if (param?.type !== "Identifier") return;
    walk(callback.body, [], (inner) => {
      if (inner.type !== "CallExpression" || inner.callee.type !== "MemberExpression" || inner.callee.object.type !== "Identifier") return;
      if (inner.callee.object.name !== param.name || inner.callee.property.type !== "Identifier") return;
      const method = inner.callee.property.name;
      if (method === "dropColumn" || method === "dropColumns") {
        add(dropColumns(table, inner.arguments.flatMap((arg) => columnNames(arg, read))), inner);
      } else if (method === "renameColumn") {
        const [from, to] = [read.name(inner.arguments[0]), read.name(inner.arguments[1])];
        if (from && to) add({ sql: `ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to}`, rules: RENAME_COLUMN }, inner);
      }
    });
  });
  return found.sort((a, b) => a.range[0] - b.range[0]);
}
