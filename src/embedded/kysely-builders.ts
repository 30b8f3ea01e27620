/**
 * Kysely's schema builder (`db.schema.createTable('t').addColumn(…)….execute()`) as the SQL Kysely's PostgreSQL
 * dialect sends for it: names quoted, data types as given, column constraints, table constraints, indexes, types
 * and drops. A chain with a method this module does not write (`createView(…).as(query)`, `where('c', '=', x)`, a
 * data type or a `sql` fragment computed at run time) is not written at all: its file is then not run by
 * `migsafe verify`, whose statements must be what Kysely would send.
 */
import type { TSESTree } from "@typescript-eslint/typescript-estree";
import type { BuilderArgs } from "./builder-args.js";
import { quoteName } from "./holes.js";
import { calleeText, type Node } from "./tree.js";

interface Link {
  method: string;
  args: readonly Node[];
}

/** The SQL of a chain, or the first method it does not write. */
export type KyselyRender = { sql: string } | { unrendered: string };

/** Why a part cannot be written. */
class Unwritten extends Error {}

/**
 * The SQL of `node` when it is the `.execute()` of a Kysely schema chain (`<x>.schema.<op>(…)…`), else undefined.
 */
export function kyselySchemaCall(node: TSESTree.CallExpression, read: BuilderArgs): KyselyRender | undefined {
  const callee = node.callee;
  if (callee.type !== "MemberExpression" || callee.computed || callee.property.type !== "Identifier" || callee.property.name !== "execute") return undefined;
  const chain = linksOf(callee.object);
  if (!chain || !isSchemaRoot(chain.root, read.sourceText)) return undefined;
  try {
    return { sql: new KyselyWriter(read).statement(chain.links) };
  } catch (error) {
    if (error instanceof Unwritten) return { unrendered: `${calleeText(chain.root, read.sourceText)}.${error.message}(…)` };
    throw error;
  }
}

/**
 * Whether `node` is a whole Kysely schema chain that is never executed (`await db.schema.dropTable('t')` with no
 * `.execute()`): Kysely sends nothing for it. Only in a file that imports Kysely: Knex's chains run when awaited.
 */
export function isUnexecutedSchemaChain(node: TSESTree.CallExpression, parent: Node | undefined, sourceText: string): boolean {
  if (parent?.type === "MemberExpression" && parent.object === node) return false;
  const chain = linksOf(node);
  return chain !== undefined && isSchemaRoot(chain.root, sourceText) && chain.links[chain.links.length - 1]!.method !== "execute";
}

/** Whether the program imports Kysely (`import … from 'kysely'`). */
export function importsKysely(program: TSESTree.Program): boolean {
  return program.body.some((statement) => statement.type === "ImportDeclaration" && statement.source.value === "kysely");
}

/** The calls of a method chain, outermost last, and the expression it starts from. */
function linksOf(expression: Node): { links: Link[]; root: Node } | undefined {
  const links: Link[] = [];
  let current: Node = expression;
  while (current.type === "CallExpression" && current.callee.type === "MemberExpression" && !current.callee.computed && current.callee.property.type === "Identifier") {
    links.unshift({ method: current.callee.property.name, args: current.arguments });
    current = current.callee.object;
  }
  return links.length > 0 ? { links, root: current } : undefined;
}

/** `db.schema`, `trx.schema`, `this.db.schema`. */
function isSchemaRoot(root: Node, sourceText: string): boolean {
  return root.type === "MemberExpression" && !root.computed && root.property.type === "Identifier" && root.property.name === "schema" && /^[\w$.]+$/.test(calleeText(root, sourceText));
}

/** Data types Kysely takes as a string, as PostgreSQL reads them: `varchar`, `varchar(255)`, `numeric(10, 2)`, `text[]`. */
const DATA_TYPE = /^[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*(\(\d+(, ?\d+)?\))?(\[\])*$/i;

const REFERENTIAL_ACTIONS: ReadonlySet<string> = new Set(["cascade", "restrict", "no action", "set null", "set default"]);

class KyselyWriter {
  #schema: string | undefined;
  /** The call being written: what an unwritten part is reported as. */
  #at = "schema";

  constructor(private readonly read: BuilderArgs) {}

  statement(links: readonly Link[]): string {
    let rest = links;
    if (rest[0]?.method === "withSchema") {
      this.#schema = this.text(rest[0].args[0]);
      rest = rest.slice(1);
    }
    const [first, ...modifiers] = rest;
    if (!first) throw new Unwritten("schema");
    this.#at = first.method;
    return this.first(first, modifiers);
  }

  private first(first: Link, modifiers: readonly Link[]): string {
    switch (first.method) {
      case "createTable":
        return this.createTable(this.table(first.args[0]), modifiers);
      case "alterTable":
        return this.alterTable(this.table(first.args[0]), modifiers);
      case "dropTable":
        return this.drop("table", this.table(first.args[0]), modifiers);
      case "createIndex":
        return this.createIndex(this.name(first.args[0]), modifiers);
      case "dropIndex":
        return this.drop("index", this.table(first.args[0]), modifiers);
      case "createType":
        return this.createType(this.table(first.args[0]), modifiers);
      case "dropType":
        return this.drop("type", this.table(first.args[0]), modifiers);
      case "createView":
        return this.createView(this.table(first.args[0]), modifiers);
      case "dropView": {
        const materialized = modifiers.some((link) => link.method === "materialized");
        return this.drop(materialized ? "materialized view" : "view", this.table(first.args[0]), modifiers.filter((link) => link.method !== "materialized"));
      }
      case "createSchema":
        return `create schema${this.flags(modifiers, { ifNotExists: " if not exists" })} ${this.name(first.args[0])}`;
      case "dropSchema":
        return this.drop("schema", this.name(first.args[0]), modifiers);
      default:
        throw new Unwritten(first.method);
    }
  }

  private createTable(table: string, links: readonly Link[]): string {
    const parts: string[] = [];
    let ifNotExists = "";
    for (const { method, args } of this.each(links)) {
      if (method === "ifNotExists") ifNotExists = " if not exists";
      else if (method === "addColumn") parts.push(this.column(args));
      else parts.push(this.constraint(method, args));
    }
    return `create table${ifNotExists} ${table} (${parts.join(", ")})`;
  }

  private alterTable(table: string, links: readonly Link[]): string {
    const actions = this.each(links).map(({ method, args }) => {
      switch (method) {
        case "addColumn":
          return `add column ${this.column(args)}`;
        case "dropColumn":
          return `drop column ${this.name(args[0])}`;
        case "renameColumn":
          return `rename column ${this.name(args[0])} to ${this.name(args[1])}`;
        case "renameTo":
          return `rename to ${this.name(args[0])}`;
        case "alterColumn":
          return `alter column ${this.name(args[0])} ${this.alteration(args[1])}`;
        case "dropConstraint":
          return `drop constraint ${this.name(args[0])}`;
        default:
          return `add ${this.constraint(method, args)}`;
      }
    });
    if (actions.length === 0) throw new Unwritten("alterTable");
    return `alter table ${table} ${actions.join(", ")}`;
  }

  private createIndex(name: string, links: readonly Link[]): string {
    let table: string | undefined;
    const columns: string[] = [];
    let unique = "";
    let ifNotExists = "";
    let using = "";
    let where = "";
    for (const { method, args } of this.each(links)) {
      if (method === "on") table = this.table(args[0]);
      else if (method === "column") columns.push(this.name(args[0]));
      else if (method === "columns") columns.push(...this.read.list(args[0]).map((column) => this.name(column)));
      else if (method === "expression") columns.push(this.fragment(args[0]));
      else if (method === "unique") unique = " unique";
      else if (method === "ifNotExists") ifNotExists = " if not exists";
      else if (method === "using") using = ` using ${this.word(args[0])}`;
      else if (method === "where" && args.length === 1) where = ` where ${this.fragment(args[0])}`;
      else throw new Unwritten(method);
    }
    if (!table || columns.length === 0) throw new Unwritten("createIndex");
    return `create${unique} index${ifNotExists} ${name} on ${table}${using} (${columns.join(", ")})${where}`;
  }

  /** The links, each one the call being written while it is read. */
  private each(links: readonly Link[]): Link[] {
    return links.map((link) => {
      this.#at = link.method;
      return link;
    });
  }

  /** `createView(name)….as(sql\`select …\`)`: a query built with Kysely's query builder is not written. */
  private createView(name: string, links: readonly Link[]): string {
    let materialized = "";
    let orReplace = "";
    let ifNotExists = "";
    let query: string | undefined;
    for (const { method, args } of this.each(links)) {
      if (method === "materialized") materialized = " materialized";
      else if (method === "orReplace") orReplace = " or replace";
      else if (method === "ifNotExists") ifNotExists = " if not exists";
      else if (method === "as") query = this.fragment(args[0]);
      else throw new Unwritten(method);
    }
    if (query === undefined) throw new Unwritten("createView");
    return `create${orReplace}${materialized} view${ifNotExists} ${name} as ${query}`;
  }

  private createType(name: string, links: readonly Link[]): string {
    const [link, ...rest] = links;
    if (link?.method !== "asEnum" || rest.length > 0) throw new Unwritten(link?.method ?? "createType");
    return `create type ${name} as enum (${this.read.list(link.args[0]).map((value) => `'${this.text(value).replace(/'/g, "''")}'`).join(", ")})`;
  }

  private drop(kind: string, name: string, links: readonly Link[]): string {
    let ifExists = "";
    let cascade = "";
    for (const { method } of this.each(links)) {
      if (method === "ifExists") ifExists = " if exists";
      else if (method === "cascade") cascade = " cascade";
      else throw new Unwritten(method);
    }
    return `drop ${kind}${ifExists} ${name}${cascade}`;
  }

  /** `addColumn(name, type, (col) => col.notNull()…)`: the column's definition. */
  private column(args: readonly Node[]): string {
    const parts = [this.name(args[0]), this.dataType(args[1])];
    for (const { method, args: given } of this.callback(args[2])) {
      switch (method) {
        case "primaryKey":
          parts.push("primary key");
          break;
        case "notNull":
          parts.push("not null");
          break;
        case "unique":
          parts.push("unique");
          break;
        case "defaultTo":
          parts.push(`default ${this.value(given[0])}`);
          break;
        case "references": {
          const [table, column] = this.text(given[0]).split(".");
          if (!table || !column) throw new Unwritten("references");
          parts.push(`references ${quoteName(table)} (${quoteName(column)})`);
          break;
        }
        case "onDelete":
        case "onUpdate":
          parts.push(`on ${method === "onDelete" ? "delete" : "update"} ${this.action(given[0])}`);
          break;
        case "generatedAlwaysAs":
          parts.push(`generated always as (${this.fragment(given[0])})`);
          break;
        case "stored":
          parts.push("stored");
          break;
        case "generatedAlwaysAsIdentity":
          parts.push("generated always as identity");
          break;
        case "generatedByDefaultAsIdentity":
          parts.push("generated by default as identity");
          break;
        case "check":
          parts.push(`check (${this.fragment(given[0])})`);
          break;
        default:
          throw new Unwritten(method);
      }
    }
    return parts.join(" ");
  }

  /** `alterColumn(name, (col) => col.setDataType(…))`: one change. */
  private alteration(callback: Node | undefined): string {
    const links = this.callback(callback);
    const [link] = links;
    if (!link || links.length > 1) throw new Unwritten("alterColumn");
    switch (link.method) {
      case "setDataType":
        return `type ${this.dataType(link.args[0])}`;
      case "setDefault":
        return `set default ${this.value(link.args[0])}`;
      case "dropDefault":
        return "drop default";
      case "setNotNull":
        return "set not null";
      case "dropNotNull":
        return "drop not null";
      default:
        throw new Unwritten(link.method);
    }
  }

  /** A table constraint: primary key, unique, foreign key or check, named. */
  private constraint(method: string, args: readonly Node[]): string {
    const name = `constraint ${this.name(args[0])}`;
    const columns = () => this.read.list(args[1]).map((column) => this.name(column)).join(", ");
    switch (method) {
      case "addPrimaryKeyConstraint":
        if (args.length > 2) throw new Unwritten(method);
        return `${name} primary key (${columns()})`;
      case "addUniqueConstraint":
        if (args.length > 2) throw new Unwritten(method);
        return `${name} unique (${columns()})`;
      case "addCheckConstraint":
        if (args.length > 2) throw new Unwritten(method);
        return `${name} check (${this.fragment(args[1])})`;
      case "addForeignKeyConstraint": {
        const referenced = this.read.list(args[3]).map((column) => this.name(column)).join(", ");
        const actions = this.callback(args[4]).map(({ method: action, args: given }) => {
          if (action !== "onDelete" && action !== "onUpdate") throw new Unwritten(action);
          return ` on ${action === "onDelete" ? "delete" : "update"} ${this.action(given[0])}`;
        });
        return `${name} foreign key (${columns()}) references ${this.table(args[2])} (${referenced})${actions.join("")}`;
      }
      default:
        throw new Unwritten(method);
    }
  }

  /** The links of `(col) => col.a().b()`; none without a callback. */
  private callback(node: Node | undefined): Link[] {
    if (!node) return [];
    if (node.type !== "ArrowFunctionExpression" || node.body.type === "BlockStatement") throw new Unwritten(this.#at);
    const [param] = node.params;
    if (param?.type !== "Identifier") throw new Unwritten(this.#at);
    if (node.body.type === "Identifier" && node.body.name === param.name) return [];
    const chain = linksOf(node.body);
    if (!chain || chain.root.type !== "Identifier" || chain.root.name !== param.name) throw new Unwritten(this.#at);
    return chain.links;
  }

  private dataType(node: Node | undefined): string {
    const given = this.read.string(node);
    if (given !== undefined) {
      if (!DATA_TYPE.test(given)) throw new Unwritten(this.#at);
      return given;
    }
    return this.fragment(node);
  }

  /** A default value: a literal as Kysely writes it, or a `sql` fragment. */
  private value(node: Node | undefined): string {
    const literal = this.read.literal(node);
    if (literal === null) return "null";
    if (typeof literal === "boolean") return String(literal);
    if (typeof literal === "number") return String(literal);
    if (typeof literal === "string") return `'${literal.replace(/'/g, "''")}'`;
    return this.fragment(node);
  }

  /** A `sql` tagged template with nothing computed in it, as its text. */
  private fragment(node: Node | undefined): string {
    const resolved = this.read.resolve(node);
    if (resolved?.type === "TaggedTemplateExpression" && resolved.tag.type === "Identifier" && resolved.tag.name === "sql" && resolved.quasi.expressions.length === 0) {
      const text = resolved.quasi.quasis[0]?.value.cooked;
      if (text !== undefined && text !== null) return text;
    }
    throw new Unwritten(this.#at);
  }

  private action(node: Node | undefined): string {
    const action = this.text(node).toLowerCase();
    if (!REFERENTIAL_ACTIONS.has(action)) throw new Unwritten(this.#at);
    return action;
  }

  private word(node: Node | undefined): string {
    const word = this.text(node);
    if (!/^[a-z_][a-z0-9_]*$/i.test(word)) throw new Unwritten(this.#at);
    return word;
  }

  /** A constant string the file spells out. */
  private text(node: Node | undefined): string {
    const value = this.read.string(node);
    if (value === undefined) throw new Unwritten(this.#at);
    return value;
  }

  private name(node: Node | undefined): string {
    return quoteName(this.text(node));
  }

  /** A table (or index, type) name: `schema.name` split as Kysely splits it, under withSchema's schema. */
  private table(node: Node | undefined): string {
    const given = this.text(node);
    const dot = given.indexOf(".");
    if (dot > 0) return `${quoteName(given.slice(0, dot))}.${quoteName(given.slice(dot + 1))}`;
    return this.#schema !== undefined ? `${quoteName(this.#schema)}.${quoteName(given)}` : quoteName(given);
  }

  /** `ifNotExists()` and the like: the text of each flag given, nothing else allowed. */
  private flags(links: readonly Link[], known: Readonly<Record<string, string>>): string {
    return links
      .map(({ method }) => {
        const text = known[method];
        if (text === undefined) throw new Unwritten(method);
        return text;
      })
      .join("");
  }
}
