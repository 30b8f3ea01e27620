/**
 * The parts of embedded SQL that JavaScript computes: `${table}` in a template, `'…' + name`, a Knex
 * `??` binding. What the file itself fixes (a `const` holding a string or a number, Kysely's
 * `sql.ref('x')`) is read as its value; anything else becomes a placeholder name, one per expression,
 * that messages show again as the expression (`${table}`), never as the placeholder.
 */
import type { TSESTree } from "@typescript-eslint/typescript-estree";
import { isFunction, type Node, type Visitor } from "./tree.js";

/** The nodes whose `const`/`let` declarations stay inside them. */
const SCOPES = new Set(["BlockStatement", "Program", "ForOfStatement", "ForInStatement", "ForStatement"]);

/** Placeholders for computed parts of a file's SQL: one name per expression, shown back as the expression. */
export class HoleNames {
  readonly #byShown = new Map<string, string>();
  readonly #shown = new Map<string, string>();

  /** The placeholder for an expression shown as `shown`: the same expression always gets the same name. */
  nameFor(shown: string): string {
    let name = this.#byShown.get(shown);
    if (!name) {
      // Lower case (what an unquoted name folds to), ended by `_` so that `${a}1` stays readable.
      name = `migsafe_hole_${this.#byShown.size + 1}_`;
      this.#byShown.set(shown, name);
      this.#shown.set(name, shown);
    }
    return name;
  }

  /**
   * The placeholder as a number of the same length (`000000000000001`: small, an integer wherever SQL
   * wants one, as in `MODULUS ${count}`): positions in the SQL stay the same, and messages show it as
   * the expression too.
   */
  numberFor(name: string): string {
    const number = name.replace(/\D/g, "").padStart(name.length, "0");
    this.#shown.set(number, this.#shown.get(name) ?? name);
    return number;
  }

  /** How many placeholders of this file's the text holds (a builder's SQL made of names computed at run time). */
  count(text: string): number {
    let count = 0;
    for (const match of text.matchAll(PLACEHOLDER)) if (this.#shown.has(match[0])) count++;
    return count;
  }

  /** The text with each placeholder shown as the expression it stands for. */
  show(text: string): string {
    return this.#shown.size === 0 ? text : text.replace(PLACEHOLDER, (name) => this.#shown.get(name) ?? name);
  }

  /**
   * The placeholder at `index` in the SQL, or just before it (with only spaces between): where a syntax
   * error there comes from a part computed at run time. Its range in the SQL, or undefined.
   */
  placeholderAt(sql: string, index: number): { start: number; end: number } | undefined {
    for (const match of sql.matchAll(PLACEHOLDER)) {
      if (!this.#shown.has(match[0])) continue;
      const end = match.index + match[0].length;
      if (index >= match.index && (index < end || /^\s*$/.test(sql.slice(end, index)))) return { start: match.index, end };
    }
    return undefined;
  }
}

const PLACEHOLDER = /migsafe_hole_\d+_|\b0{8,}[1-9]\d*\b/g;

/** An expression as a message shows it: its source text on one line, shortened to `max` characters. */
export function shownExpression(node: Node, sourceText: string, max = 40): string {
  const text = sourceText.slice(node.range[0], node.range[1]).replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The variables of a file that are never assigned again after their declaration: their initial value
 * is their value wherever their name is read. A name is looked up in the innermost block (or function,
 * or the file) around the reading that declares it.
 */
export class Constants {
  readonly #declared = new Map<string, { scope: [number, number]; init: Node | undefined }[]>();

  readonly #assignments: TSESTree.Identifier[] = [];

  /** Reads one node of the file's walk; `finish` once the walk is over. */
  readonly visit: Visitor = (node, ancestors) => {
    if (node.type === "AssignmentExpression" && node.left.type === "Identifier") this.#assignments.push(node.left);
    else if (node.type === "UpdateExpression" && node.argument.type === "Identifier") this.#assignments.push(node.argument);
    // A parameter hides a variable of the same name outside its function.
    if (isFunction(node)) {
      for (const param of node.params) {
        const id = param.type === "AssignmentPattern" ? param.left : param;
        if (id.type === "Identifier") this.#declare(id.name, node.range, undefined);
      }
    }
    if (node.type !== "VariableDeclarator" || node.id.type !== "Identifier") return;
    let scope = ancestors[0]!;
    for (let i = ancestors.length - 1; i >= 0; i--) {
      if (SCOPES.has(ancestors[i]!.type) || isFunction(ancestors[i]!)) {
        scope = ancestors[i]!;
        break;
      }
    }
    this.#declare(node.id.name, scope.range, node.init ?? undefined);
  };

  /** A variable assigned anywhere after its declaration has no value to trust. */
  finish(): this {
    for (const assigned of this.#assignments) {
      const declaration = this.#declaration(assigned);
      if (declaration) declaration.init = undefined;
    }
    return this;
  }

  #declare(name: string, scope: [number, number], init: Node | undefined): void {
    const list = this.#declared.get(name) ?? [];
    // Declared twice in one scope (`var`): no value can be trusted.
    const twice = list.some((other) => other.scope[0] === scope[0] && other.scope[1] === scope[1]);
    list.push({ scope, init: twice ? undefined : init });
    this.#declared.set(name, list);
  }

  /** The initial value of a name that never changes, where the name is read; undefined otherwise. */
  init(name: TSESTree.Identifier): Node | undefined {
    return this.#declaration(name)?.init;
  }

  #declaration(name: TSESTree.Identifier): { scope: [number, number]; init: Node | undefined } | undefined {
    let found: { scope: [number, number]; init: Node | undefined } | undefined;
    for (const declaration of this.#declared.get(name.name) ?? []) {
      const [start, end] = declaration.scope;
      if (name.range[0] < start || name.range[1] > end) continue;
      if (!found || start >= found.scope[0]) found = declaration;
    }
    return found;
  }

  /** The string or number an expression always has: literals, constants, templates and `+` of them; undefined otherwise. */
  value(node: Node | undefined, depth = 0): string | number | undefined {
    if (!node || depth > 8) return undefined;
    switch (node.type) {
      case "Literal":
        return typeof node.value === "string" || typeof node.value === "number" ? node.value : undefined;
      case "TemplateLiteral": {
        let text = node.quasis[0]!.value.cooked ?? undefined;
        for (let i = 0; i < node.expressions.length && text !== undefined; i++) {
          const part = this.value(node.expressions[i], depth + 1);
          const next = node.quasis[i + 1]!.value.cooked;
          text = part === undefined || next === null ? undefined : `${text}${part}${next}`;
        }
        return text;
      }
      case "BinaryExpression": {
        if (node.operator !== "+") return undefined;
        const left = this.value(node.left, depth + 1);
        const right = this.value(node.right, depth + 1);
        if (left === undefined || right === undefined) return undefined;
        return typeof left === "number" && typeof right === "number" ? left + right : `${left}${right}`;
      }
      case "Identifier":
        return this.value(this.init(node), depth + 1);
      case "TSAsExpression":
      case "TSNonNullExpression":
      case "TSSatisfiesExpression":
        return this.value(node.expression, depth + 1);
      default:
        return undefined;
    }
  }

  /** A constant's string value, or undefined. */
  string(node: Node | undefined): string | undefined {
    const value = this.value(node);
    return typeof value === "string" ? value : undefined;
  }
}

/** A SQL name, quoted. */
export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL name as written inside its quotes: `"a""b"` → `a"b`; an unquoted name as it is. */
export function unquoteName(name: string): string {
  return name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

/** A dotted name (`schema.table`) as quoted SQL names. */
export function quoteDotted(name: string): string {
  return name.split(".").map(quoteName).join(".");
}

/** A SQL literal for a constant. */
export function sqlValue(value: string | number): string {
  return typeof value === "number" ? String(value) : `'${value.replace(/'/g, "''")}'`;
}

/**
 * The SQL text of a Kysely helper call with constant arguments: `sql.ref('t.c')`, `eb.ref('c')`,
 * `sql.table('t')`, `sql.id('s', 't')`, `sql.raw('…')`, `sql.lit(5)`; undefined for anything else.
 */
export function kyselyHelper(node: Node, callee: string, constants: Constants): string | undefined {
  if (node.type !== "CallExpression") return undefined;
  const method = /(?:^|\.)(ref|table|id|raw|lit|literal)$/.exec(callee)?.[1];
  if (!method || (method !== "ref" && !/(^|\.)sql\.\w+$/.test(callee))) return undefined;
  const values = node.arguments.map((argument) => constants.value(argument));
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined;
  const [first] = values as (string | number)[];
  switch (method) {
    case "ref":
    case "table":
      return typeof first === "string" ? quoteDotted(first) : undefined;
    case "id":
      return values.map((value) => quoteName(String(value))).join(".");
    case "raw":
      return typeof first === "string" ? first : undefined;
    default:
      return sqlValue(first!);
  }
}
