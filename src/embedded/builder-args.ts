/**
 * Reading the arguments of a schema-builder call as SQL: names, constants, option objects, lists and
 * default values, through the `const`s of the file. What the file does not fix becomes a placeholder
 * (see HoleNames), shown in messages as the expression.
 */
import type { Constants, HoleNames } from "./holes.js";
import { quoteDotted, quoteName, shownExpression, sqlValue } from "./holes.js";
import { calleeText, keyName, propertyOf, type Node } from "./tree.js";

export class BuilderArgs {
  constructor(
    readonly sourceText: string,
    private readonly constants: Constants,
    private readonly holes: HoleNames,
  ) {}

  /** The expression itself, or what a `const` of the file holds, without TypeScript's `as`/`!`. */
  resolve(node: Node | undefined, depth = 0): Node | undefined {
    if (!node || depth > 8) return node;
    if (node.type === "TSAsExpression" || node.type === "TSNonNullExpression" || node.type === "TSSatisfiesExpression") return this.resolve(node.expression, depth + 1);
    if (node.type === "Identifier") {
      const init = this.constants.init(node);
      return init ? this.resolve(init, depth + 1) : node;
    }
    return node;
  }

  /** A constant's value (a string or a number), or undefined. */
  value(node: Node | undefined): string | number | undefined {
    return this.constants.value(node);
  }

  string(node: Node | undefined): string | undefined {
    return this.constants.string(node);
  }

  /** A placeholder standing for an expression the file does not fix. */
  hole(node: Node): string {
    return this.holes.nameFor(`\${${shownExpression(node, this.sourceText)}}`);
  }

  /**
   * A SQL name for an argument, quoted as node-pg-migrate and the ORMs quote it: a constant string,
   * node-pg-migrate's `{ schema, name }`, TypeORM's `new Table({ name })`; a placeholder otherwise.
   */
  name(node: Node | undefined): string | undefined {
    if (!node) return undefined;
    const value = this.string(node);
    if (value !== undefined) return quoteName(value);
    const resolved = this.resolve(node)!;
    if (resolved.type === "ObjectExpression") {
      const name = this.property(resolved, "name");
      const schema = this.string(this.property(resolved, "schema"));
      if (name) return schema !== undefined ? `${quoteName(schema)}.${this.name(name)}` : this.name(name);
    }
    if (resolved.type === "NewExpression") {
      const name = this.string(this.property(resolved.arguments[0], "name"));
      if (name !== undefined) return quoteName(name);
    }
    return this.hole(node);
  }

  /** The bare name (for building other names from it, e.g. `users_pkey`): the constant, or the placeholder. */
  bareName(node: Node | undefined): string | undefined {
    if (!node) return undefined;
    const resolved = this.resolve(node)!;
    const name = resolved.type === "ObjectExpression" ? this.property(resolved, "name") : node;
    return this.string(name) ?? (name ? this.hole(name) : undefined);
  }

  /** A property of an object literal (or of the one a `const` holds), by key. */
  property(node: Node | undefined, key: string): Node | undefined {
    return propertyOf(this.resolve(node), key);
  }

  /** The properties of an object literal as [key, value] pairs; undefined when one of them cannot be read (a spread, a computed key). */
  entries(node: Node | undefined): [string, Node][] | undefined {
    const object = this.resolve(node);
    if (object?.type !== "ObjectExpression") return undefined;
    const entries: [string, Node][] = [];
    for (const prop of object.properties) {
      if (prop.type !== "Property") return undefined;
      const key = prop.computed ? this.string(prop.key) : keyName(prop.key);
      if (key === undefined) return undefined;
      entries.push([key, prop.value]);
    }
    return entries;
  }

  /** True when an option is the literal `true`. */
  flag(node: Node | undefined, key: string): boolean {
    return this.literal(this.property(node, key)) === true;
  }

  /** The value of a literal (`true`, `null`, `5`, `"x"`), through constants; undefined for anything else. */
  literal(node: Node | undefined): unknown {
    const resolved = this.resolve(node);
    return resolved?.type === "Literal" ? resolved.value : undefined;
  }

  /** A list argument: the elements of an array, or the one value. */
  list(node: Node | undefined): Node[] {
    const resolved = this.resolve(node);
    if (!resolved) return [];
    if (resolved.type !== "ArrayExpression") return [node!];
    return resolved.elements.flatMap((element) => (element && element.type !== "SpreadElement" ? [element] : []));
  }

  /** Column names: a name, a list of names, the keys of an object of columns, or `Object.keys(columns)`; quoted. */
  names(node: Node | undefined): string[] {
    const resolved = this.resolve(node);
    const keysOf = resolved?.type === "CallExpression" && calleeText(resolved.callee, this.sourceText) === "Object.keys" ? resolved.arguments[0] : resolved?.type === "ObjectExpression" ? resolved : undefined;
    const keys = keysOf && this.entries(keysOf);
    if (keys) return keys.map(([key]) => quoteName(key));
    return this.list(node).map((item) => this.name(item)!);
  }

  /** SQL text given as a string (a CHECK expression, a `using`): the constant, or a placeholder. */
  raw(node: Node): string {
    return this.string(node) ?? this.hole(node);
  }

  /**
   * A default value as node-pg-migrate writes it: `null`, booleans, numbers, strings as literals,
   * `pgm.func('now()')` / `PgLiteral.create('now()')` as their SQL; a placeholder otherwise.
   */
  sqlValue(node: Node): string {
    const resolved = this.resolve(node)!;
    const literal = this.literal(resolved);
    if (literal === null) return "NULL";
    if (typeof literal === "boolean") return literal ? "TRUE" : "FALSE";
    if (resolved.type === "UnaryExpression" && resolved.operator === "-" && typeof this.value(resolved.argument) === "number") return `-${this.value(resolved.argument)}`;
    const value = this.value(node);
    if (value !== undefined) return sqlValue(value);
    if (resolved.type === "CallExpression" || resolved.type === "NewExpression") {
      const callee = calleeText(resolved.callee, this.sourceText);
      const sql = /(^|\.)(func|PgLiteral(\.create)?)$/.test(callee) ? this.string(resolved.arguments[0]) : undefined;
      if (sql !== undefined) return sql;
    }
    if (resolved.type === "ArrayExpression") return `ARRAY[${this.list(resolved).map((element) => this.sqlValue(element)).join(", ")}]`;
    return this.hole(node);
  }

  /** A dotted name given as one string (`schema.table`), quoted part by part. */
  dotted(node: Node): string {
    const value = this.string(node);
    return value !== undefined ? quoteDotted(value) : this.hole(node);
  }
}
