/**
 * Schema-builder calls that are destructive or blocking by themselves (`pgm.dropTable("x")`,
 * `table.dropColumn("y")`, `queryInterface.addIndex(…)`), turned into the SQL they run so
 * that migsafe's own rules judge them: same rule ids, messages, help, severities and
 * configuration as the SQL. Creating builders (`createTable`, `addColumn`) become SQL too,
 * with no finding of their own, so that the rules know what the file creates (a table
 * created in `up` and dropped in `down` is not a finding).
 */
import type { TSESTree } from "@typescript-eslint/typescript-estree";
import { calleeText, directionOf, walk, type Direction, type Node } from "./extract.js";

export interface BuilderStatement {
  /** The SQL the call runs, as migsafe understands it. */
  sql: string;
  /** The rules whose findings on this SQL are kept (empty: the statement only informs the others). */
  rules: readonly string[];
  /** The call, in the source. */
  range: [number, number];
  callee: string;
  direction: Direction | undefined;
}

type Args = TSESTree.CallExpressionArgument[];
type Generator = (args: Args, text: string) => { sql: string; rules: string[] } | undefined;

const DROP_TABLE = ["drop-table"];
const DROP_COLUMN = ["drop-column"];
const RENAME_COLUMN = ["rename-column"];
const RENAME_TABLE = ["rename-table"];
const CREATE_INDEX = ["require-concurrent-index"];
const DROP_INDEX = ["require-concurrent-index-drop"];

/** A SQL identifier for an argument: its string value, or the expression's text when it is not a literal. */
function ident(node: Node | undefined, text: string): string | undefined {
  if (!node) return undefined;
  const value = stringValue(node);
  if (value !== undefined) return quote(value);
  if (node.type === "ObjectExpression") {
    // node-pg-migrate `{ schema, name }`
    const name = stringValue(property(node, "name"));
    const schema = stringValue(property(node, "schema"));
    if (name !== undefined) return schema !== undefined ? `${quote(schema)}.${quote(name)}` : quote(name);
  }
  if (node.type === "NewExpression") {
    // TypeORM `new Table({ name: "x" })`
    const options = node.arguments[0];
    const name = options?.type === "ObjectExpression" ? stringValue(property(options, "name")) : undefined;
    if (name !== undefined) return quote(name);
  }
  return quote(text.slice(node.range[0], node.range[1]).replace(/\s+/g, " ").slice(0, 60));
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0]!.value.cooked ?? undefined;
  return undefined;
}

function property(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== "ObjectExpression") return undefined;
  for (const prop of node.properties) {
    if (prop.type !== "Property") continue;
    const name = prop.key.type === "Identifier" ? prop.key.name : prop.key.type === "Literal" ? String(prop.key.value) : undefined;
    if (name === key) return prop.value as Node;
  }
  return undefined;
}

function isTrue(node: Node | undefined): boolean {
  return node?.type === "Literal" && node.value === true;
}

/** A list of names: a string, an array of strings, or (Sequelize/pg-migrate) objects with a `name`. */
function names(node: Node | undefined, text: string): string[] {
  if (!node) return [];
  if (node.type === "ArrayExpression") return node.elements.flatMap((element) => (element && element.type !== "SpreadElement" ? [nameOf(element, text)] : []));
  return [nameOf(node, text)];
}

function nameOf(node: Node, text: string): string {
  const value = stringValue(node) ?? stringValue(property(node, "name")) ?? stringValue(property(node, "attribute"));
  return value !== undefined ? quote(value) : ident(node, text)!;
}

function dropColumns(table: string | undefined, columns: string[]): { sql: string; rules: string[] } | undefined {
  if (!table || columns.length === 0) return undefined;
  return { sql: `ALTER TABLE ${table} ${columns.map((column) => `DROP COLUMN ${column}`).join(", ")}`, rules: DROP_COLUMN };
}

function createIndex(table: string | undefined, columns: string[], options: Node | undefined, name?: string) {
  if (!table || columns.length === 0) return undefined;
  const unique = isTrue(property(options, "unique")) ? "UNIQUE " : "";
  const concurrently = isTrue(property(options, "concurrently")) ? "CONCURRENTLY " : "";
  const indexName = name ?? (stringValue(property(options, "name")) !== undefined ? quote(stringValue(property(options, "name"))!) : "");
  return { sql: `CREATE ${unique}INDEX ${concurrently}${indexName} ON ${table} (${columns.join(", ")})`, rules: CREATE_INDEX };
}

function dropIndex(name: string | undefined, options: Node | undefined) {
  if (!name) return undefined;
  const concurrently = isTrue(property(options, "concurrently")) ? "CONCURRENTLY " : "";
  return { sql: `DROP INDEX ${concurrently}${name}`, rules: DROP_INDEX };
}

const drop = (kind: string, rules: string[]): Generator => (args, text) => {
  const name = ident(args[0], text);
  const options = args[1];
  const ifExists = isTrue(property(options, "ifExists")) ? "IF EXISTS " : "";
  return name ? { sql: `DROP ${kind} ${ifExists}${name}`, rules } : undefined;
};
const renameTable: Generator = (args, text) => {
  const [from, to] = [ident(args[0], text), ident(args[1], text)];
  return from && to ? { sql: `ALTER TABLE ${from} RENAME TO ${to}`, rules: RENAME_TABLE } : undefined;
};
const renameColumn: Generator = (args, text) => {
  const [table, from, to] = [ident(args[0], text), ident(args[1], text), ident(args[2], text)];
  return table && from && to ? { sql: `ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to}`, rules: RENAME_COLUMN } : undefined;
};
const createTable: Generator = (args, text) => {
  const name = ident(args[0], text);
  return name ? { sql: `CREATE TABLE ${name} ()`, rules: [] } : undefined;
};
const addColumn: Generator = (args, text) => {
  const [table, column] = [ident(args[0], text), ident(args[1], text)];
  return table && column ? { sql: `ALTER TABLE ${table} ADD COLUMN ${column} text`, rules: [] } : undefined;
};

/** Builder calls, by callee text (spaces removed, `?.` read as `.`). */
const BUILDERS: readonly { callee: RegExp; generate: Generator }[] = [
  // node-pg-migrate
  { callee: /(^|\.)pgm\.(createTable)$/, generate: createTable },
  {
    callee: /(^|\.)pgm\.addColumns?$/,
    generate: (args, text) => {
      const table = ident(args[0], text);
      const columns = args[1]?.type === "ObjectExpression" ? args[1].properties.flatMap((p) => (p.type === "Property" ? [ident(p.key, text)!] : [])) : [];
      if (!table || columns.length === 0) return undefined;
      return { sql: `ALTER TABLE ${table} ${columns.map((column) => `ADD COLUMN ${column} text`).join(", ")}`, rules: [] };
    },
  },
  { callee: /(^|\.)pgm\.dropTable$/, generate: drop("TABLE", DROP_TABLE) },
  { callee: /(^|\.)pgm\.(dropColumns?)$/, generate: (args, text) => dropColumns(ident(args[0], text), names(args[1], text)) },
  { callee: /(^|\.)pgm\.renameColumn$/, generate: renameColumn },
  { callee: /(^|\.)pgm\.renameTable$/, generate: renameTable },
  { callee: /(^|\.)pgm\.dropSchema$/, generate: drop("SCHEMA", ["drop-schema"]) },
  { callee: /(^|\.)pgm\.dropType$/, generate: drop("TYPE", ["drop-type"]) },
  { callee: /(^|\.)pgm\.dropView$/, generate: drop("VIEW", ["drop-view"]) },
  { callee: /(^|\.)pgm\.dropMaterializedView$/, generate: drop("MATERIALIZED VIEW", ["drop-materialized-view"]) },
  {
    callee: /(^|\.)pgm\.(createIndex|addIndex)$/,
    generate: (args, text) => createIndex(ident(args[0], text), names(args[1], text), args[2]),
  },
  {
    callee: /(^|\.)pgm\.dropIndex$/,
    generate: (args, text) => {
      const given = stringValue(property(args[2], "name"));
      const table = stringValue(args[0]) ?? "table";
      const columns = names(args[1], text).map((column) => column.replace(/"/g, ""));
      return dropIndex(quote(given ?? `${table}_${columns.join("_")}_index`), args[2]);
    },
  },
  // Knex
  { callee: /(^|\.)schema\.createTable$/, generate: createTable },
  { callee: /(^|\.)schema\.dropTable$/, generate: drop("TABLE", DROP_TABLE) },
  {
    callee: /(^|\.)schema\.dropTableIfExists$/,
    generate: (args, text) => {
      const name = ident(args[0], text);
      return name ? { sql: `DROP TABLE IF EXISTS ${name}`, rules: DROP_TABLE } : undefined;
    },
  },
  { callee: /(^|\.)schema\.renameTable$/, generate: renameTable },
  // TypeORM
  { callee: /(^|\.)queryRunner\.createTable$/, generate: createTable },
  { callee: /(^|\.)queryRunner\.dropTable$/, generate: drop("TABLE", DROP_TABLE) },
  { callee: /(^|\.)queryRunner\.dropColumns?$/, generate: (args, text) => dropColumns(ident(args[0], text), names(args[1], text)) },
  { callee: /(^|\.)queryRunner\.renameColumn$/, generate: renameColumn },
  { callee: /(^|\.)queryRunner\.renameTable$/, generate: renameTable },
  { callee: /(^|\.)queryRunner\.addColumn$/, generate: addColumn },
  // Sequelize
  { callee: /(^|\.)queryInterface\.createTable$/, generate: createTable },
  { callee: /(^|\.)queryInterface\.addColumn$/, generate: addColumn },
  { callee: /(^|\.)queryInterface\.dropTable$/, generate: drop("TABLE", DROP_TABLE) },
  { callee: /(^|\.)queryInterface\.removeColumn$/, generate: (args, text) => dropColumns(ident(args[0], text), names(args[1], text)) },
  { callee: /(^|\.)queryInterface\.renameColumn$/, generate: renameColumn },
  { callee: /(^|\.)queryInterface\.renameTable$/, generate: renameTable },
  {
    callee: /(^|\.)queryInterface\.addIndex$/,
    generate: (args, text) => {
      // addIndex(table, fields, options) or addIndex(table, { fields, … })
      const options = args[1]?.type === "ObjectExpression" ? args[1] : args[2];
      const fields = args[1]?.type === "ObjectExpression" ? property(args[1], "fields") : args[1];
      return createIndex(ident(args[0], text), names(fields, text), options);
    },
  },
  {
    callee: /(^|\.)queryInterface\.removeIndex$/,
    generate: (args, text) => {
      const table = stringValue(args[0]) ?? "table";
      const byName = stringValue(args[1]);
      const name = byName ?? `${table}_${names(args[1], text).map((c) => c.replace(/"/g, "")).join("_")}`;
      return dropIndex(quote(name), args[2]);
    },
  },
];

/** Knex `schema.alterTable(name, (t) => { t.dropColumn(…) })` and `schema.table(…)`. */
const ALTER_TABLE = /(^|\.)schema\.(alterTable|table)$/;

export function findBuilderCalls(ast: TSESTree.Program, text: string): BuilderStatement[] {
  const found: BuilderStatement[] = [];
  walk(ast, [], (node, ancestors) => {
    if (node.type !== "CallExpression") return;
    const callee = calleeText(node.callee, text);
    const add = (generated: { sql: string; rules: string[] } | undefined, at: Node = node) => {
      if (generated) found.push({ ...generated, range: [at.range[0], at.range[1]], callee, direction: directionOf(ancestors) });
    };
    const builder = BUILDERS.find((candidate) => candidate.callee.test(callee));
    if (builder) add(builder.generate(node.arguments, text));
    if (!ALTER_TABLE.test(callee)) return;
    const table = ident(node.arguments[0], text);
    const callback = node.arguments[1];
    if (!table || !callback || (callback.type !== "ArrowFunctionExpression" && callback.type !== "FunctionExpression")) return;
    const param = callback.params[0];
    if (param?.type !== "Identifier") return;
    walk(callback.body, [], (inner) => {
      if (inner.type !== "CallExpression" || inner.callee.type !== "MemberExpression" || inner.callee.object.type !== "Identifier") return;
      if (inner.callee.object.name !== param.name || inner.callee.property.type !== "Identifier") return;
      const method = inner.callee.property.name;
      if (method === "dropColumn" || method === "dropColumns") {
        add(dropColumns(table, inner.arguments.flatMap((arg) => names(arg, text))), inner);
      } else if (method === "renameColumn") {
        const [from, to] = [ident(inner.arguments[0], text), ident(inner.arguments[1], text)];
        if (from && to) add({ sql: `ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to}`, rules: RENAME_COLUMN }, inner);
      }
    });
  });
  return found.sort((a, b) => a.range[0] - b.range[0]);
}
