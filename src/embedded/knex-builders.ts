/**
 * The statements of Knex's `schema.alterTable(name, (table) => { … })` / `schema.table(…)` callback, as
 * Knex's PostgreSQL dialect writes them: columns added with their type, `NOT NULL` and default, indexes
 * and unique constraints built, foreign keys added, columns, indexes and constraints dropped or renamed,
 * NOT NULL set or dropped. A chain with `.alter()` sets the column's type again whatever it changes: knexChain
 * leaves it out (lint would report a type change the author did not ask for), and knexAlterColumn writes it for
 * `migsafe verify`, which runs what Knex sends.
 */
import type { BuilderArgs } from "./builder-args.js";
import { quoteName, sqlValue, unquoteName } from "./holes.js";
import { callChain, keyName, type Link, type Node } from "./tree.js";


/** Knex's column methods and the PostgreSQL type each adds (`string` takes a length). */
const TYPES: Readonly<Record<string, string>> = {
  string: "varchar",
  text: "text",
  integer: "integer",
  bigInteger: "bigint",
  bigint: "bigint",
  smallint: "smallint",
  tinyint: "smallint",
  boolean: "boolean",
  uuid: "uuid",
  json: "json",
  jsonb: "jsonb",
  float: "real",
  double: "double precision",
  decimal: "decimal",
  date: "date",
  time: "time",
  dateTime: "timestamptz",
  datetime: "timestamptz",
  timestamp: "timestamptz",
  binary: "bytea",
  increments: "serial primary key",
  bigIncrements: "bigserial primary key",
};

/** The chains' first calls written as Knex writes them, and the modifiers read (`unsigned` means nothing in PostgreSQL). */
const WRITTEN_ROOTS: ReadonlySet<string> = new Set(["specificType", "enu", "enum", "index", "unique", "primary", "foreign", "dropIndex", "dropUnique", "dropForeign", "dropPrimary", "setNullable", "dropNullable", "timestamps", "dropColumn", "dropColumns", "renameColumn"]);
const READ_MODIFIERS: ReadonlySet<string> = new Set(["notNullable", "nullable", "defaultTo", "unique", "index", "primary", "references", "inTable", "onDelete", "onUpdate", "unsigned"]);
/** What a `.alter()` chain may say besides the type: Knex's alterColumns writes these. */
const ALTER_MODIFIERS: ReadonlySet<string> = new Set(["alter", "nullable", "notNullable", "defaultTo"]);
/** Column types whose second argument changes the SQL in ways not written here (`dateTime('c', { useTz: false })`). */
const NO_OPTIONS: ReadonlySet<string> = new Set(["dateTime", "datetime", "timestamp", "time", "increments", "bigIncrements", "binary", "float", "double"]);

/**
 * The first call of a chain whose SQL knexChain does not write as Knex does (an unknown column type or modifier,
 * `.alter()`, `.comment()`, options it does not read), or undefined when it writes all of it: `migsafe verify` may run it.
 */
export function unwrittenKnexLink(chain: readonly Link[]): string | undefined {
  const [root, ...modifiers] = chain;
  if (!root) return "chain";
  if (modifiers.some((link) => link.method === "alter")) {
    if (!Object.hasOwn(TYPES, root.method) && root.method !== "specificType") return root.method;
    return modifiers.find((link) => !ALTER_MODIFIERS.has(link.method))?.method;
  }
  if (!Object.hasOwn(TYPES, root.method) && !WRITTEN_ROOTS.has(root.method)) return root.method;
  if (NO_OPTIONS.has(root.method) && root.args.length > 1) return root.method;
  if (root.method === "timestamps" && root.args.length > 2) return root.method;
  return modifiers.find((link) => !READ_MODIFIERS.has(link.method))?.method;
}

/** The statements of one chain on the table (`table` is the SQL name of the table, `bare` its name for building others). */
export function knexChain(chain: readonly Link[], table: string, bare: string, read: BuilderArgs): string[] {
  const [root, ...modifiers] = chain;
  if (!root || modifiers.some((link) => link.method === "alter")) return [];
  const has = (method: string) => modifiers.find((link) => link.method === method);
  const columns = (node: Node | undefined) => read.list(node).map((column) => ({ sql: read.name(column)!, bare: read.string(column) ?? read.hole(column) }));
  const named = (given: Node | undefined, cols: readonly { bare: string }[], suffix: string) => {
    const name = given && (read.string(given) ?? read.string(read.property(given, "indexName")));
    return quoteName(name ?? `${bare}_${cols.map((c) => c.bare).join("_")}_${suffix}`.toLowerCase().replace(/[-.]/g, "_"));
  };
  const { method, args } = root;
  switch (method) {
    case "index":
      return [`CREATE INDEX ${named(args[1], columns(args[0]), "index")} ON ${table} (${columns(args[0]).map((c) => c.sql).join(", ")})`];
    case "unique":
      return [`ALTER TABLE ${table} ADD CONSTRAINT ${named(args[1], columns(args[0]), "unique")} UNIQUE (${columns(args[0]).map((c) => c.sql).join(", ")})`];
    case "primary": {
      const name = read.string(args[1]) ?? read.string(read.property(args[1], "constraintName")) ?? `${bare}_pkey`;
      return [`ALTER TABLE ${table} ADD CONSTRAINT ${quoteName(name)} PRIMARY KEY (${columns(args[0]).map((c) => c.sql).join(", ")})`];
    }
    case "foreign":
      return [`ALTER TABLE ${table} ADD CONSTRAINT ${named(args[1], columns(args[0]), "foreign")} FOREIGN KEY (${columns(args[0]).map((c) => c.sql).join(", ")}) ${references(modifiers, read)}`];
    case "dropIndex":
      return [`DROP INDEX ${named(args[1], columns(args[0]), "index")}`];
    case "dropUnique":
      return [`ALTER TABLE ${table} DROP CONSTRAINT ${named(args[1], columns(args[0]), "unique")}`];
    case "dropForeign":
      return [`ALTER TABLE ${table} DROP CONSTRAINT ${named(args[1], columns(args[0]), "foreign")}`];
    case "dropPrimary":
      return [`ALTER TABLE ${table} DROP CONSTRAINT ${quoteName(read.string(args[0]) ?? `${bare}_pkey`)}`];
    case "setNullable":
      return [`ALTER TABLE ${table} ALTER COLUMN ${read.name(args[0])} DROP NOT NULL`];
    case "dropNullable":
      return [`ALTER TABLE ${table} ALTER COLUMN ${read.name(args[0])} SET NOT NULL`];
    case "timestamps": {
      const now = read.literal(args[1]) === true ? " NOT NULL DEFAULT CURRENT_TIMESTAMP" : "";
      return [`ALTER TABLE ${table} ADD COLUMN "created_at" timestamptz${now}, ADD COLUMN "updated_at" timestamptz${now}`];
    }
    default:
      return addColumn(root, modifiers, table, bare, read, has);
  }
}

/**
 * `table.string('c').alter().notNullable().defaultTo('x')`, as Knex's PostgreSQL dialect alters a column: the default
 * dropped, NOT NULL dropped, the type set (with a cast), then the default and NOT NULL the chain asks for. Undefined
 * for a chain without `.alter()`, or one whose type is not written here.
 */
export function knexAlterColumn(chain: readonly Link[], table: string, read: BuilderArgs): string[] | undefined {
  const [root, ...modifiers] = chain;
  if (!root || !modifiers.some((link) => link.method === "alter") || root.method === "enu" || root.method === "enum") return undefined;
  const type = columnType(root, read);
  const name = read.name(root.args[0]);
  if (type === undefined || !name) return undefined;
  const alter = `ALTER TABLE ${table} ALTER COLUMN ${name}`;
  const statements = [`${alter} DROP DEFAULT`, `${alter} DROP NOT NULL`, `${alter} TYPE ${type} USING (${name}::${type})`];
  const defaultTo = modifiers.find((link) => link.method === "defaultTo")?.args[0];
  if (defaultTo) statements.push(`${alter} SET DEFAULT ${knexValue(defaultTo, read)}`);
  if (modifiers.some((link) => link.method === "notNullable")) statements.push(`${alter} SET NOT NULL`);
  return statements;
}

/** `table.string('c', 100).notNullable().defaultTo('x').unique().references('users.id')`: the column and what its modifiers add. */
function addColumn(root: Link, modifiers: readonly Link[], table: string, bare: string, read: BuilderArgs, has: (method: string) => Link | undefined): string[] {
  const type = columnType(root, read);
  const nameNode = root.args[0];
  if (type === undefined || !nameNode) return [];
  const column = read.name(nameNode)!;
  const columnBare = unquoteName(column);
  const parts = [`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`];
  if (has("notNullable")) parts.push("NOT NULL");
  const defaultTo = has("defaultTo")?.args[0];
  if (defaultTo) parts.push(`DEFAULT ${knexValue(defaultTo, read)}`);
  const statements = [parts.join(" ")];
  const index = (suffix: string) => quoteName(`${bare}_${columnBare}_${suffix}`.toLowerCase().replace(/[-.]/g, "_"));
  if (has("unique")) statements.push(`ALTER TABLE ${table} ADD CONSTRAINT ${index("unique")} UNIQUE (${column})`);
  if (has("index")) statements.push(`CREATE INDEX ${index("index")} ON ${table} (${column})`);
  // increments() is its table's primary key already: Knex adds no second one for `.primary()`.
  if (has("primary") && root.method !== "increments" && root.method !== "bigIncrements") statements.push(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteName(`${bare}_pkey`)} PRIMARY KEY (${column})`);
  if (has("references")) statements.push(`ALTER TABLE ${table} ADD CONSTRAINT ${index("foreign")} FOREIGN KEY (${column}) ${references(modifiers, read)}`);
  return statements;
}

function columnType(root: Link, read: BuilderArgs): string | undefined {
  if (root.method === "specificType") return read.string(root.args[1]);
  if (root.method === "enu" || root.method === "enum") {
    // Knex writes a text column with a CHECK, unless told to use a native type.
    const native = read.flag(root.args[2], "useNative") ? read.string(read.property(root.args[2], "enumName")) : undefined;
    if (native !== undefined) return quoteName(native);
    const values = read.list(root.args[1]).map((value) => read.string(value));
    const name = read.name(root.args[0]);
    return values.length > 0 && values.every((value) => value !== undefined) && name ? `text CHECK (${name} IN (${values.map((value) => sqlValue(value!)).join(", ")}))` : "text";
  }
  const base = TYPES[root.method];
  if (base === undefined) return undefined;
  // Knex reads the length as a number, and takes 255 for anything else (`string('c', 'varchar(255)')`).
  if (root.method === "string") {
    const length = read.value(root.args[1]);
    return `varchar(${typeof length === "number" ? length : 255})`;
  }
  if (root.method === "decimal" && typeof read.value(root.args[1]) === "number") return `decimal(${[root.args[1], root.args[2]].flatMap((arg) => (typeof read.value(arg) === "number" ? [read.value(arg)] : [])).join(", ")})`;
  return base;
}

/** `.references('id').inTable('users').onDelete('CASCADE')`, or `.references('users.id')`. */
function references(modifiers: readonly Link[], read: BuilderArgs): string {
  const find = (method: string) => modifiers.find((link) => link.method === method)?.args[0];
  const target = read.string(find("references")) ?? "";
  const inTable = find("inTable");
  const [table, column] = inTable ? [read.name(inTable)!, quoteName(target)] : target.includes(".") ? [quoteName(target.slice(0, target.lastIndexOf("."))), quoteName(target.slice(target.lastIndexOf(".") + 1))] : [quoteName(target), undefined];
  const actions = (["onDelete", "onUpdate"] as const).flatMap((method) => {
    const action = read.string(find(method));
    return action === undefined ? [] : [`${method === "onDelete" ? "ON DELETE" : "ON UPDATE"} ${action}`];
  });
  return [`REFERENCES ${table}${column ? ` (${column})` : ""}`, ...actions].join(" ");
}

/** A default as Knex writes it: `knex.fn.now()` is CURRENT_TIMESTAMP, `knex.raw('…')` its SQL, anything else a value. */
function knexValue(node: Node, read: BuilderArgs): string {
  const resolved = read.resolve(node)!;
  if (resolved.type === "CallExpression" && resolved.callee.type === "MemberExpression") {
    const method = keyName(resolved.callee.property);
    if (method === "now") return "CURRENT_TIMESTAMP";
    if (method === "raw" && resolved.arguments[0]) return read.raw(resolved.arguments[0]);
  }
  return read.sqlValue(node);
}

/** Knex's other names for a column builder's methods. */
const ALIASES: Readonly<Record<string, string>> = { defaultsTo: "defaultTo" };

/** The chain of calls an expression makes on `param` (`table.string('c').notNullable()`), root first, aliases read as the method; undefined when it is no such chain. */
export function chainOn(expression: Node, param: string): [Link, ...Link[]] | undefined {
  const chain = callChain(expression);
  if (chain?.root.type !== "Identifier" || chain.root.name !== param) return undefined;
  return chain.links.map((link) => (Object.hasOwn(ALIASES, link.method) ? { ...link, method: ALIASES[link.method]! } : link)) as [Link, ...Link[]];
}
