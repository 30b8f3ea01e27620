/**
 * node-pg-migrate's `MigrationBuilder` methods as the SQL node-pg-migrate (v6 to v8) sends for them:
 * types (with its shorthands `id`, `int`, `string`…), NOT NULL, defaults, keys, constraints, index
 * names and options, so that migsafe's rules judge `pgm.addColumn(…)` as they judge the same
 * `ALTER TABLE … ADD COLUMN …` written by hand. Names are quoted, as node-pg-migrate quotes them.
 */
import type { BuilderArgs } from "./builder-args.js";
import { quoteName, unquoteName } from "./holes.js";
import type { Node } from "./tree.js";

/** The SQL of one call, or undefined when the call's arguments cannot be read. */
export type Render = (args: readonly Node[], read: BuilderArgs) => string | undefined;

/** node-pg-migrate's type adapters. */
const TYPE_ADAPTERS: Readonly<Record<string, string>> = { int: "integer", string: "text", float: "real", double: "double precision", datetime: "timestamp", bool: "boolean" };

interface Column {
  name: string;
  sql: string;
  primaryKey: boolean;
}

/** A column definition: a type name (`'text'`, the shorthand `'id'`) or `{ type, notNull, default, … }`. */
function column(name: string, definition: Node, read: BuilderArgs): Column {
  const given = read.string(definition);
  const options = given === undefined ? definition : undefined;
  let type = given ?? typeName(read.property(options, "type"), read);
  let primaryKey = read.flag(options, "primaryKey");
  if (type === "id") {
    // node-pg-migrate's built-in shorthand: { type: 'serial', primaryKey: true }.
    type = "serial";
    primaryKey = true;
  }
  type = TYPE_ADAPTERS[type] ?? type;
  const parts = [quoteName(name), type];
  const collation = read.string(read.property(options, "collation"));
  if (collation !== undefined) parts.push(`COLLATE ${collation}`);
  const defaultValue = read.property(options, "default");
  if (defaultValue) parts.push(`DEFAULT ${read.sqlValue(defaultValue)}`);
  if (read.flag(options, "unique")) parts.push("UNIQUE");
  if (primaryKey) parts.push("PRIMARY KEY");
  if (read.flag(options, "notNull")) parts.push("NOT NULL");
  const check = read.property(options, "check");
  if (check) parts.push(`CHECK (${read.raw(check)})`);
  const references = read.property(options, "references");
  if (references) {
    const constraintName = read.string(read.property(options, "referencesConstraintName"));
    parts.push(`${constraintName !== undefined ? `CONSTRAINT ${quoteName(constraintName)} ` : ""}${referencesClause(options!, read)}`);
  }
  if (read.flag(options, "deferrable")) parts.push(deferrable(options!, read));
  const sequence = read.property(options, "sequenceGenerated") ?? read.property(options, "generated");
  const precedence = sequence && read.string(read.property(sequence, "precedence"));
  if (precedence) parts.push(`GENERATED ${precedence} AS IDENTITY`);
  const expression = read.property(options, "expressionGenerated");
  if (expression) parts.push(`GENERATED ALWAYS AS (${read.raw(expression)}) STORED`);
  return { name, sql: parts.join(" "), primaryKey };
}

/** A type: a string, node-pg-migrate's `PgType.TIMESTAMP_WITH_TIME_ZONE`, or a placeholder. */
function typeName(node: Node | undefined, read: BuilderArgs): string {
  if (!node) return "text";
  const value = read.string(node);
  if (value !== undefined) return value;
  const member = /^PgType\.([A-Z0-9_]+)$/.exec(read.sourceText.slice(node.range[0], node.range[1]));
  return member ? member[1]!.toLowerCase().replace(/_/g, " ") : read.hole(node);
}

function referencesClause(options: Node, read: BuilderArgs): string {
  const references = read.property(options, "references")!;
  const value = read.string(references);
  // A string that starts with a quote or ends with `)` is written as is (`"users"(id)`).
  const target = value !== undefined && (value.startsWith('"') || value.endsWith(")")) ? value : read.name(references)!;
  const clauses = [`REFERENCES ${target}`];
  const match = read.string(read.property(options, "match"));
  if (match !== undefined) clauses.push(`MATCH ${match}`);
  for (const [key, words] of [["onDelete", "ON DELETE"], ["onUpdate", "ON UPDATE"]] as const) {
    const action = read.string(read.property(options, key));
    if (action !== undefined) clauses.push(`${words} ${action}`);
  }
  return clauses.join(" ");
}

function deferrable(options: Node, read: BuilderArgs): string {
  return `DEFERRABLE INITIALLY ${read.flag(options, "deferred") ? "DEFERRED" : "IMMEDIATE"}`;
}

/** The columns of `createTable`/`addColumns`; undefined when one cannot be read. */
function columns(node: Node | undefined, read: BuilderArgs): Column[] | undefined {
  const entries = read.entries(node);
  if (!entries || entries.length === 0) return undefined;
  return entries.map(([name, definition]) => column(name, definition, read));
}

/** Table constraints (`{ primaryKey, unique, check, foreignKeys, exclude }`), named as node-pg-migrate names them. */
function constraints(table: string, options: Node, given: string | undefined, read: BuilderArgs): string[] {
  const names = (node: Node) => read.list(node).map((item) => read.name(item)!);
  const bare = (node: Node) => read.list(node).map((item) => read.string(item) ?? read.hole(item));
  const named = (fallback: string) => quoteName(given ?? fallback);
  const found: string[] = [];
  const check = read.property(options, "check");
  if (check) {
    const checks = read.list(check);
    checks.forEach((one, i) => found.push(`CONSTRAINT ${named(checks.length > 1 || read.resolve(check)?.type === "ArrayExpression" ? `${table}_chck_${i + 1}` : `${table}_chck`)} CHECK (${read.raw(one)})`));
  }
  const unique = read.property(options, "unique");
  if (unique) {
    const sets = read.list(unique);
    const nested = sets.some((set) => read.resolve(set)?.type === "ArrayExpression");
    for (const set of nested ? sets : [unique]) found.push(`CONSTRAINT ${named(`${table}_uniq_${bare(set).join("_")}`)} UNIQUE (${names(set).join(", ")})`);
  }
  const primaryKey = read.property(options, "primaryKey");
  if (primaryKey) found.push(`CONSTRAINT ${named(`${table}_pkey`)} PRIMARY KEY (${names(primaryKey).join(", ")})`);
  const foreignKeys = read.property(options, "foreignKeys");
  for (const key of foreignKeys ? read.list(foreignKeys) : []) {
    const keyColumns = read.property(key, "columns");
    if (!keyColumns) continue;
    const own = read.string(read.property(key, "referencesConstraintName"));
    const name = quoteName(own ?? given ?? `${table}_fk_${bare(keyColumns).join("_")}`);
    found.push(`CONSTRAINT ${name} FOREIGN KEY (${names(keyColumns).join(", ")}) ${referencesClause(key, read)}`);
  }
  const exclude = read.property(options, "exclude");
  if (exclude) found.push(`CONSTRAINT ${named(`${table}_excl`)} EXCLUDE ${read.raw(exclude)}`);
  return read.flag(options, "deferrable") ? found.map((constraint) => `${constraint} ${deferrable(options, read)}`) : found;
}

const ifExists = (options: Node | undefined, read: BuilderArgs) => (read.flag(options, "ifExists") ? " IF EXISTS" : "");
const ifNotExists = (options: Node | undefined, read: BuilderArgs) => (read.flag(options, "ifNotExists") ? " IF NOT EXISTS" : "");
const cascade = (options: Node | undefined, read: BuilderArgs) => (read.flag(options, "cascade") ? " CASCADE" : "");

const createTable: Render = ([tableNode, columnsNode, options], read) => {
  const table = read.name(tableNode);
  const defined = columns(columnsNode, read);
  if (!table || !defined) return undefined;
  const bare = read.bareName(tableNode)!;
  const primary = defined.filter((c) => c.primaryKey);
  // Several primaryKey columns make one table constraint.
  const elements = defined.map((c) => (primary.length > 1 ? c.sql.replace(" PRIMARY KEY", "") : c.sql));
  if (primary.length > 1) elements.push(`CONSTRAINT ${quoteName(`${bare}_pkey`)} PRIMARY KEY (${primary.map((c) => quoteName(c.name)).join(", ")})`);
  const tableConstraints = read.property(options, "constraints");
  if (tableConstraints) elements.push(...constraints(bare, tableConstraints, undefined, read));
  const like = read.property(options, "like");
  if (like) elements.push(`LIKE ${read.name(read.property(like, "table") ?? like)}`);
  const temporary = read.flag(options, "temporary") ? " TEMPORARY" : "";
  const inherits = read.property(options, "inherits");
  return `CREATE${temporary} TABLE${ifNotExists(options, read)} ${table} (${elements.join(", ")})${inherits ? ` INHERITS (${read.name(inherits)})` : ""}`;
};

const addColumns: Render = ([tableNode, columnsNode, options], read) => {
  const table = read.name(tableNode);
  const defined = columns(columnsNode, read);
  if (!table || !defined) return undefined;
  return `ALTER TABLE ${table} ${defined.map((c) => `ADD${ifNotExists(options, read)} ${c.sql}`).join(", ")}`;
};

const dropColumns: Render = ([tableNode, columnsNode, options], read) => {
  const table = read.name(tableNode);
  const names = read.names(columnsNode);
  if (!table || names.length === 0) return undefined;
  return `ALTER TABLE ${table} ${names.map((name) => `DROP${ifExists(options, read)} ${name}${cascade(options, read)}`).join(", ")}`;
};

const alterColumn: Render = ([tableNode, columnNode, options], read) => {
  const table = read.name(tableNode);
  const name = read.name(columnNode);
  if (!table || !name) return undefined;
  const actions: string[] = [];
  const defaultValue = read.property(options, "default");
  if (defaultValue) actions.push(read.literal(defaultValue) === null ? "DROP DEFAULT" : `SET DEFAULT ${read.sqlValue(defaultValue)}`);
  const type = read.property(options, "type");
  if (type) {
    const collation = read.string(read.property(options, "collation"));
    const using = read.property(options, "using");
    const written = typeName(type, read);
    actions.push(`SET DATA TYPE ${TYPE_ADAPTERS[written] ?? written}${collation !== undefined ? ` COLLATE ${collation}` : ""}${using ? ` USING ${read.raw(using)}` : ""}`);
  }
  const notNull = read.literal(read.property(options, "notNull"));
  if (notNull === true) actions.push("SET NOT NULL");
  else if (notNull === false || read.flag(options, "allowNull")) actions.push("DROP NOT NULL");
  if (actions.length === 0) return undefined;
  return `ALTER TABLE ${table} ${actions.map((action) => `ALTER ${name} ${action}`).join(", ")}`;
};

const addConstraint: Render = ([tableNode, nameNode, expression], read) => {
  const table = read.name(tableNode);
  if (!table || !expression) return undefined;
  const given = nameNode ? read.string(nameNode) : undefined;
  const named = nameNode && read.literal(nameNode) !== null ? (given !== undefined ? quoteName(given) : read.hole(nameNode)) : undefined;
  const sql = read.string(expression);
  if (sql !== undefined) return `ALTER TABLE ${table} ADD ${named ? `CONSTRAINT ${named} ` : ""}${sql}`;
  const found = constraints(read.bareName(tableNode)!, expression, given ?? (named ? unquoteName(named) : undefined), read);
  return found.length === 0 ? undefined : `ALTER TABLE ${table} ${found.map((constraint) => `ADD ${constraint}`).join(", ")}`;
};

const dropConstraint: Render = ([tableNode, nameNode, options], read) => {
  const table = read.name(tableNode);
  const name = read.name(nameNode);
  return table && name ? `ALTER TABLE ${table} DROP CONSTRAINT${ifExists(options, read)} ${name}${cascade(options, read)}` : undefined;
};

const renameConstraint: Render = ([tableNode, from, to], read) => {
  const [table, a, b] = [read.name(tableNode), read.name(from), read.name(to)];
  return table && a && b ? `ALTER TABLE ${table} RENAME CONSTRAINT ${a} TO ${b}` : undefined;
};

/** Index columns: a name, an expression (`lower(email)`), or `{ name, opclass, sort }`. */
function indexColumns(node: Node | undefined, read: BuilderArgs): { sql: string; bare: string }[] {
  return read.list(node).map((item) => {
    const value = read.string(item);
    if (value !== undefined) return { sql: /[ ().]/.test(value) ? value : quoteName(value), bare: value };
    const name = read.property(item, "name");
    if (!name) return { sql: read.hole(item), bare: read.hole(item) };
    const bare = read.string(name) ?? read.hole(name);
    const opclass = read.property(item, "opclass");
    const sort = read.string(read.property(item, "sort"));
    return { sql: [/[ ().]/.test(bare) ? bare : read.name(name)!, opclass ? read.name(opclass) : undefined, sort].filter(Boolean).join(" "), bare };
  });
}

/** node-pg-migrate's index name: the `name` option, or `<table>_<columns>[_unique]_index`. */
function indexName(tableNode: Node, cols: readonly { bare: string }[], options: Node | undefined, read: BuilderArgs): string {
  const given = read.property(options, "name");
  return given ? read.name(given)! : quoteName(`${read.bareName(tableNode)}_${cols.map((c) => c.bare).join("_")}${read.flag(options, "unique") ? "_unique" : ""}_index`);
}

/** The index name with the table's schema, as DROP INDEX names it. */
function qualifiedIndexName(tableNode: Node, cols: readonly { bare: string }[], options: Node | undefined, read: BuilderArgs): string {
  const schema = read.string(read.property(tableNode, "schema"));
  const name = indexName(tableNode, cols, options, read);
  return schema !== undefined ? `${quoteName(schema)}.${name}` : name;
}

const createIndex: Render = ([tableNode, columnsNode, options], read) => {
  const table = read.name(tableNode);
  const cols = indexColumns(columnsNode, read);
  if (!table || !tableNode || cols.length === 0) return undefined;
  const unique = read.flag(options, "unique") ? " UNIQUE" : "";
  const concurrently = read.flag(options, "concurrently") ? " CONCURRENTLY" : "";
  const method = read.string(read.property(options, "method"));
  const include = read.property(options, "include");
  const where = read.property(options, "where");
  return (
    `CREATE${unique} INDEX${concurrently}${ifNotExists(options, read)} ${indexName(tableNode, cols, options, read)} ON ${table}` +
    `${method !== undefined ? ` USING ${method}` : ""} (${cols.map((c) => c.sql).join(", ")})` +
    `${include ? ` INCLUDE (${read.list(include).map((c) => read.name(c)).join(", ")})` : ""}${where ? ` WHERE ${read.raw(where)}` : ""}`
  );
};

const dropIndex: Render = ([tableNode, columnsNode, options], read) => {
  if (!tableNode) return undefined;
  const cols = indexColumns(columnsNode, read);
  const concurrently = read.flag(options, "concurrently") ? " CONCURRENTLY" : "";
  return `DROP INDEX${concurrently}${ifExists(options, read)} ${qualifiedIndexName(tableNode, cols, options, read)}${cascade(options, read)}`;
};

/** `dropX(name, { ifExists, cascade })`, names given one by one or in a list. */
const drop =
  (kind: string): Render =>
  ([names, options], read) => {
    const dropped = read.list(names).map((name) => read.name(name)!);
    return dropped.length === 0 ? undefined : `DROP ${kind}${ifExists(options, read)} ${dropped.join(", ")}${cascade(options, read)}`;
  };

const create =
  (kind: string): Render =>
  ([names, options], read) => {
    const created = read.list(names).map((name) => read.name(name)!);
    return created.length === 0 ? undefined : created.map((name) => `CREATE ${kind}${ifNotExists(options, read)} ${name}`).join("; ");
  };

const rename =
  (kind: string): Render =>
  ([from, to], read) => {
    const [a, b] = [read.name(from), read.bareName(to)];
    return a && b ? `ALTER ${kind} ${a} RENAME TO ${quoteName(unquoteName(b))}` : undefined;
  };

const renameColumn: Render = ([tableNode, from, to], read) => {
  const [table, a, b] = [read.name(tableNode), read.name(from), read.name(to)];
  return table && a && b ? `ALTER TABLE ${table} RENAME ${a} TO ${b}` : undefined;
};

const createType: Render = ([nameNode, values], read) => {
  const name = read.name(nameNode);
  if (!name || !values) return undefined;
  const list = read.resolve(values);
  if (list?.type === "ArrayExpression") return `CREATE TYPE ${name} AS ENUM (${read.list(list).map((value) => read.sqlValue(value)).join(", ")})`;
  const attributes = read.entries(values);
  return attributes ? `CREATE TYPE ${name} AS (${attributes.map(([key, type]) => `${quoteName(key)} ${typeName(type, read)}`).join(", ")})` : undefined;
};

const addTypeValue: Render = ([nameNode, value, options], read) => {
  const name = read.name(nameNode);
  if (!name || !value) return undefined;
  const before = read.property(options, "before");
  const after = read.property(options, "after");
  const position = before ? ` BEFORE ${read.sqlValue(before)}` : after ? ` AFTER ${read.sqlValue(after)}` : "";
  return `ALTER TYPE ${name} ADD VALUE${ifNotExists(options, read)} ${read.sqlValue(value)}${position}`;
};

const renameTypeValue: Render = ([nameNode, from, to], read) => {
  const name = read.name(nameNode);
  return name && from && to ? `ALTER TYPE ${name} RENAME VALUE ${read.sqlValue(from)} TO ${read.sqlValue(to)}` : undefined;
};

/** Function parameters: types (`'integer'`) or `{ mode, name, type }`. */
function parameterTypes(node: Node | undefined, read: BuilderArgs): string {
  return read
    .list(node)
    .map((param) => {
      const type = read.string(param) ?? typeName(read.property(param, "type"), read);
      return TYPE_ADAPTERS[type] ?? type;
    })
    .join(", ");
}

const dropFunction: Render = ([nameNode, params, options], read) => {
  const name = read.name(nameNode);
  return name ? `DROP FUNCTION${ifExists(options, read)} ${name}(${parameterTypes(params, read)})${cascade(options, read)}` : undefined;
};

const createFunction: Render = ([nameNode, params, options, definition], read) => {
  const name = read.name(nameNode);
  if (!name) return undefined;
  const returns = read.string(read.property(options, "returns")) ?? "void";
  const language = read.string(read.property(options, "language")) ?? "sql";
  const body = (definition && read.string(definition)) ?? "";
  const replace = read.flag(options, "replace") ? " OR REPLACE" : "";
  return `CREATE${replace} FUNCTION ${name}(${parameterTypes(params, read)}) RETURNS ${returns} LANGUAGE ${language} AS $migsafe_body$${body}$migsafe_body$`;
};

const createTrigger: Render = ([tableNode, nameNode, options], read) => {
  const [table, name] = [read.name(tableNode), read.name(nameNode)];
  const fn = read.property(options, "function");
  if (!table || !name || !fn) return undefined;
  const when = read.string(read.property(options, "when")) ?? "BEFORE";
  const operations = read.list(read.property(options, "operation")).map((op) => read.string(op) ?? read.hole(op));
  const level = read.string(read.property(options, "level")) ?? "STATEMENT";
  return `CREATE TRIGGER ${name} ${when} ${operations.join(" OR ") || "INSERT"} ON ${table} FOR EACH ${level} EXECUTE PROCEDURE ${read.name(fn)}()`;
};

const dropTrigger: Render = ([tableNode, nameNode, options], read) => {
  const [table, name] = [read.name(tableNode), read.name(nameNode)];
  return table && name ? `DROP TRIGGER${ifExists(options, read)} ${name} ON ${table}${cascade(options, read)}` : undefined;
};

const refreshMaterializedView: Render = ([nameNode, options], read) => {
  const name = read.name(nameNode);
  if (!name) return undefined;
  const data = read.literal(read.property(options, "data"));
  const withData = typeof data === "boolean" ? ` WITH${data ? "" : " NO"} DATA` : "";
  return `REFRESH MATERIALIZED VIEW${read.flag(options, "concurrently") ? " CONCURRENTLY" : ""} ${name}${withData}`;
};

const createExtension: Render = ([names, options], read) => {
  const schema = read.string(read.property(options, "schema"));
  const created = read.list(names).map((name) => read.name(name)!);
  return created.length === 0 ? undefined : created.map((name) => `CREATE EXTENSION${ifNotExists(options, read)} ${name}${schema !== undefined ? ` SCHEMA ${quoteName(schema)}` : ""}`).join("; ");
};

/** node-pg-migrate's builder methods, by name (aliases included). */
export const PGM_METHODS: Readonly<Record<string, Render>> = {
  createTable,
  dropTable: drop("TABLE"),
  renameTable: rename("TABLE"),
  addColumns,
  addColumn: addColumns,
  dropColumns,
  dropColumn: dropColumns,
  alterColumn,
  renameColumn,
  addConstraint,
  createConstraint: addConstraint,
  dropConstraint,
  renameConstraint,
  createIndex,
  addIndex: createIndex,
  dropIndex,
  createExtension,
  addExtension: createExtension,
  dropExtension: drop("EXTENSION"),
  createSchema: create("SCHEMA"),
  dropSchema: drop("SCHEMA"),
  renameSchema: rename("SCHEMA"),
  createType,
  addType: createType,
  dropType: drop("TYPE"),
  renameType: rename("TYPE"),
  addTypeValue,
  renameTypeValue,
  createFunction,
  dropFunction,
  createTrigger,
  dropTrigger,
  dropView: drop("VIEW"),
  dropMaterializedView: drop("MATERIALIZED VIEW"),
  refreshMaterializedView,
  dropSequence: drop("SEQUENCE"),
};
