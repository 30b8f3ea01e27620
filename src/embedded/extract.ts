/**
 * Finds the SQL embedded in a TypeScript/JavaScript migration: the string or template
 * given to `queryRunner.query(…)`, `pgm.sql(…)`, `knex.raw(…)`, `sql\`…\`` and the like.
 * Each snippet comes with a per-character map from SQL index to source index, so that a
 * finding in the SQL is reported at its exact place in the source, escapes and all.
 * A call whose SQL the file does not spell out (`queryRunner.query(buildSql())`) is an
 * unchecked call: migsafe says it did not check it.
 */
import type * as EstreeModule from "@typescript-eslint/typescript-estree";
import type { TSESTree } from "@typescript-eslint/typescript-estree";
import type { MigrationFunctions } from "../engine/rule.js";
import { requireOptional } from "../optional-dependency.js";
import type { Dialects } from "./dialects.js";
import { MigrationFunctionFinder } from "./functions.js";
import { Constants, HoleNames, kyselyHelper, quoteDotted, shownExpression, sqlValue } from "./holes.js";
import { calleeText, propertyOf, walk, type Node } from "./tree.js";

/** Which call sites hold SQL: the callee (or tag) source text, without spaces and with `?.` read as `.`. */
export interface SqlTarget {
  /** A string matches the whole callee text; a RegExp is tested against it. */
  callee: string | RegExp;
  /** Calls `f("…")`, tagged templates `` f`…` ``, or both. Default: both. */
  kind?: "call" | "tag" | "both";
  /** Placeholders of the library in the SQL text, replaced when the call passes bindings: Knex `?`/`??`, Sequelize `:name`/`?`. */
  bindings?: "knex" | "sequelize";
}

export type TargetSpec = string | RegExp | SqlTarget;

export const DEFAULT_TARGETS: readonly SqlTarget[] = [
  // TypeORM
  { callee: /(^|\.)queryRunner\.query$/, kind: "call" },
  { callee: /(^|\.)queryRunner\.sql$/, kind: "tag" },
  // MikroORM
  { callee: /^this\.addSql$/, kind: "call" },
  // Knex
  { callee: /(^|\.)(knex|trx)(\.schema)?\.raw$/, kind: "call", bindings: "knex" },
  { callee: /\.schema\.raw$/, kind: "call", bindings: "knex" },
  // node-pg-migrate
  { callee: /(^|\.)pgm\.sql$/, kind: "call" },
  { callee: /(^|\.)pgm\.db\.query$/, kind: "call" },
  // Sequelize
  { callee: /(^|\.)sequelize\.query$/, kind: "call", bindings: "sequelize" },
  // Tagged templates: Kysely, Drizzle, slonik (`sql.unsafe`, `sql.type(x)`), postgres.js
  { callee: /^sql(\.(unsafe|type|typeAlias))?$/, kind: "tag" },
  { callee: /^sql\.(raw|unsafe)$/, kind: "call" },
];

export interface SqlSnippet {
  /** The SQL, computed parts replaced by their constant value or by a placeholder (see HoleNames). */
  sql: string;
  /** Source index of each SQL index, one more entry than `sql` has characters (the end). */
  offsets: Int32Array;
  /** Source index just after each SQL character's source text (an escape, a `${}` hole, or one character). */
  ends: Int32Array;
  /** Source index of a SQL index (an index past the end maps to the end). */
  map(sqlIndex: number): number;
  /** Source index of the end of a SQL range ending (exclusive) at `sqlEnd`. */
  mapEnd(sqlEnd: number): number;
  /** The call or tagged template, in the source. */
  range: [number, number];
  /** The callee or tag text that matched. */
  callee: string;
  kind: "call" | "tag";
  /** The migration function (`up`, `down`, a configured hook) the snippet is in, or undefined outside them. */
  fn: string | undefined;
  /** How many parts of the SQL are computed at run time (placeholders). */
  placeholders: number;
}

/** A call that runs SQL the file does not spell out. */
export interface UncheckedCall {
  range: [number, number];
  callee: string;
  /** Why, as a clause: "its SQL is `buildSql()`, computed at run time". */
  reason: string;
  fn: string | undefined;
}

export interface Extraction {
  snippets: SqlSnippet[];
  unchecked: UncheckedCall[];
}

/** What extraction needs to know of the file and the project. */
export interface ExtractScope {
  targets: readonly SqlTarget[];
  /** The migration function that runs each part of the file. */
  functions: MigrationFunctionFinder;
  constants: Constants;
  holes: HoleNames;
  /** The parts of the file that run on other databases; none when undefined. */
  dialects?: Dialects;
}

type Estree = typeof EstreeModule;
let estree: Estree | undefined;
/** typescript-estree loads TypeScript (≈10 MB): only when a JS/TS migration is linted. */
export function loadEstree(): Estree {
  estree ??= requireOptional<Estree>(["@typescript-eslint/typescript-estree", "typescript"], "linting TypeScript/JavaScript migrations");
  return estree;
}

/** A syntax error in the TS/JS itself, at a source index. */
export class ScriptSyntaxError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

export function parseScript(sourceText: string, filePath: string): TSESTree.Program {
  const { parse } = loadEstree();
  try {
    return parse(sourceText, { range: true, loc: false, comment: false, jsx: /\.[jt]sx$/i.test(filePath), filePath });
  } catch (error) {
    const e = error as { message?: string; index?: number };
    throw new ScriptSyntaxError(String(e.message ?? error), typeof e.index === "number" ? e.index : 0);
  }
}

export function normalizeTargets(targets: readonly TargetSpec[] | undefined): SqlTarget[] {
  return (targets ?? DEFAULT_TARGETS).map((target) => (typeof target === "string" || target instanceof RegExp ? { callee: target } : target));
}

/**
 * What the file fixes, read in one walk: its constants, which migration function runs what, and
 * (with `dialects`) the parts that run on other databases.
 */
export function scanProgram(ast: TSESTree.Program, sourceText: string, functions: MigrationFunctions, dialects?: Dialects): Pick<ExtractScope, "functions" | "constants"> {
  const constants = new Constants();
  const finder = new MigrationFunctionFinder(functions, sourceText);
  walk(ast, [], (node, ancestors) => {
    constants.visit(node, ancestors);
    finder.visit(node, ancestors);
    dialects?.visit(node, ancestors);
  });
  return { functions: finder, constants: constants.finish() };
}

/** The SQL snippets of a source file, with `up`/`down` as its functions. Throws ScriptSyntaxError when the source does not parse. */
export function extractSql(sourceText: string, filePath: string, targets?: readonly TargetSpec[]): SqlSnippet[] {
  const ast = parseScript(sourceText, filePath);
  const scope = { targets: normalizeTargets(targets), ...scanProgram(ast, sourceText, { up: ["up"], down: ["down"] }), holes: new HoleNames() };
  return extractFromProgram(ast, sourceText, scope).snippets;
}

export function extractFromProgram(ast: TSESTree.Program, sourceText: string, scope: ExtractScope): Extraction {
  const found: Extraction = { snippets: [], unchecked: [] };
  const reader = new SqlReader(sourceText, scope);
  /** Calls already read as part of another one's SQL (a fragment in a hole): not statements of their own. */
  const inside: [number, number][] = [];
  walk(ast, [], (node, ancestors) => {
    if (node.type !== "CallExpression" && node.type !== "TaggedTemplateExpression") return;
    if (scope.dialects?.skips(node) || inside.some(([start, end]) => node.range[0] >= start && node.range[1] <= end)) return;
    const fn = scope.functions.of(ancestors);
    if (node.type === "CallExpression") {
      const callee = calleeText(node.callee, sourceText);
      const target = scope.targets.find((t) => t.kind !== "tag" && matches(t, callee));
      const first = node.arguments[0];
      if (!target || !first) return;
      inside.push(node.range);
      const pieces = reader.pieces(first);
      if (!pieces) {
        // A fragment passed to another call (`.defaultTo(knex.raw(x))`) is not a statement.
        const parent = ancestors[ancestors.length - 1];
        if (parent?.type === "CallExpression" && parent.callee !== node) return;
        // A variable holding the result of a call: name the call too.
        const init = first.type === "Identifier" ? scope.constants.init(first) : undefined;
        const source = init ? `${shownExpression(first, sourceText)} = ${shownExpression(init, sourceText)}` : shownExpression(first, sourceText);
        found.unchecked.push({ range: node.range, callee, reason: `its SQL is \`${source}\`, computed at run time`, fn });
        return;
      }
      const bindings = target.bindings && node.arguments.length > 1 ? { style: target.bindings, values: node.arguments[1]! } : undefined;
      const snippet = reader.build(pieces, node, callee, "call", fn, bindings);
      // An expression used as a value (`.defaultTo(knex.raw('uuid_generate_v4()'))`, `update({ tags: knex.raw('array_append(…)') })`)
      // is a fragment, not a statement: SQL that does not start as one, where the call is not run as a statement.
      const parent = ancestors[ancestors.length - 1];
      if (!STATEMENT_START.test(snippet.sql) && parent !== undefined && VALUE_POSITIONS.has(parent.type) && (parent.type !== "CallExpression" || parent.callee !== node)) return;
      found.snippets.push(snippet);
    } else {
      const tag = calleeText(node.tag.type === "CallExpression" ? node.tag.callee : node.tag, sourceText);
      const target = scope.targets.find((t) => t.kind !== "call" && matches(t, tag));
      if (!target) return;
      inside.push(node.range);
      const snippet = reader.build(reader.template(node.quasi), node, tag, "tag", fn, undefined);
      // `sql` tags also build fragments (`sql\`now()\``): only whole statements are linted.
      const parent = ancestors[ancestors.length - 1];
      const executed = parent?.type === "MemberExpression" && parent.object === node && /^execute/.test(calleeText(parent.property, sourceText));
      if (node.tag.type === "Identifier" && !executed && !STATEMENT_START.test(snippet.sql)) return;
      found.snippets.push(snippet);
    }
  });
  return found;
}

/** Where a call's result is a value given to something else, not a statement run on its own. */
const VALUE_POSITIONS: ReadonlySet<string> = new Set(["CallExpression", "NewExpression", "Property", "ArrayExpression", "ConditionalExpression", "BinaryExpression", "TemplateLiteral"]);

const STATEMENT_START =
  /^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(alter|analyze|begin|call|cluster|comment|commit|copy|create|deallocate|delete|discard|do|drop|end|execute|explain|grant|insert|listen|lock|merge|notify|prepare|refresh|reindex|release|reset|revoke|rollback|savepoint|security|select|set|show|start|table|truncate|update|vacuum|values|with)\b/i;

function matches(target: SqlTarget, text: string): boolean {
  return typeof target.callee === "string" ? target.callee === text : target.callee.test(text);
}

// ---------------------------------------------------------------------------
// Pieces: the parts of a SQL argument, literal text with its source positions, values, or holes.

type Piece =
  | { kind: "text"; raw: string; start: number; template: boolean }
  /** A constant's value standing for source[start, end). */
  | { kind: "value"; text: string; start: number; end: number }
  /** A part computed at run time, standing for source[start, end), shown as `shown`. */
  | { kind: "hole"; start: number; end: number; shown: string };

type Bindings = { style: "knex" | "sequelize"; values: Node };

/** Reads the SQL of a call's argument into pieces, and pieces into a snippet. */
class SqlReader {
  constructor(
    private readonly sourceText: string,
    private readonly scope: ExtractScope,
  ) {}

  /** A string, a template, a `+` of them, a constant holding one, or PostgreSQL's side of a test of the database; undefined for anything else. */
  pieces(node: Node, depth = 0): Piece[] | undefined {
    if (depth > 8) return undefined;
    switch (node.type) {
      case "Literal":
        if (typeof node.value !== "string") return undefined;
        return [{ kind: "text", raw: this.sourceText.slice(node.range[0] + 1, node.range[1] - 1), start: node.range[0] + 1, template: false }];
      case "TemplateLiteral":
        return this.template(node);
      case "BinaryExpression": {
        if (node.operator !== "+") return undefined;
        const left = this.pieces(node.left, depth + 1);
        if (!left) return undefined;
        return [...left, ...(this.pieces(node.right, depth + 1) ?? this.hole(node.right))];
      }
      case "Identifier": {
        const init = this.scope.constants.init(node);
        return init ? this.pieces(init, depth + 1) : undefined;
      }
      case "ConditionalExpression": {
        const postgres = this.scope.dialects?.runsOnPostgres(node.test);
        return postgres === undefined ? undefined : this.pieces(postgres ? node.consequent : node.alternate, depth + 1);
      }
      case "TSAsExpression":
      case "TSNonNullExpression":
      case "TSSatisfiesExpression":
        return this.pieces(node.expression, depth + 1);
      default:
        return undefined;
    }
  }

  template(quasi: TSESTree.TemplateLiteral): Piece[] {
    const pieces: Piece[] = [];
    quasi.quasis.forEach((element, i) => {
      // An element's range includes its delimiters: `` ` `` or `}` before, `${` or `` ` `` after.
      const start = element.range[0] + 1;
      const end = element.range[1] - (element.tail ? 1 : 2);
      pieces.push({ kind: "text", raw: this.sourceText.slice(start, end), start, template: true });
      const expression = quasi.expressions[i];
      const next = quasi.quasis[i + 1];
      if (expression && next) pieces.push(...this.hole(expression, element.range[1] - 2, next.range[0] + 1));
    });
    return pieces;
  }

  /** A `${}` hole (from `start` to `end`, its delimiters included) or a `+` operand: its value when the file fixes it. */
  hole(expression: Node, start = expression.range[0], end = expression.range[1]): Piece[] {
    const value = this.scope.constants.value(expression);
    if (value !== undefined) return [{ kind: "value", text: String(value), start, end }];
    if (expression.type === "TaggedTemplateExpression" && /^sql$/.test(calleeText(expression.tag, this.sourceText))) return this.template(expression.quasi);
    if (expression.type === "CallExpression") {
      const helper = kyselyHelper(expression, calleeText(expression.callee, this.sourceText), this.scope.constants);
      if (helper !== undefined) return [{ kind: "value", text: helper, start, end }];
    }
    return [{ kind: "hole", start, end, shown: `\${${shownExpression(expression, this.sourceText)}}` }];
  }

  build(pieces: Piece[], node: Node, callee: string, kind: "call" | "tag", fn: string | undefined, bindings: Bindings | undefined): SqlSnippet {
    const out = new Builder();
    let placeholders = 0;
    let holeEnd = node.range[1];
    for (const piece of pieces) {
      if (piece.kind === "text") {
        const cooked = cook(piece.raw, piece.start, piece.template);
        out.push(cooked.text, cooked.offsets, cooked.ends);
        holeEnd = piece.start + piece.raw.length;
        continue;
      }
      // An identifier parses wherever a value does, and also where a name is expected (`ALTER TABLE ${t}`).
      const text = piece.kind === "value" ? piece.text : this.scope.holes.nameFor(piece.shown);
      if (piece.kind === "hole") placeholders++;
      out.push(text, spread(piece.start, piece.end, text.length), piece.end);
      holeEnd = piece.end;
    }
    let { sql, offsets, ends } = out;
    if (bindings) {
      const replaced = this.#replaceBindings(out, bindings);
      ({ sql, offsets, ends } = replaced.out);
      placeholders += replaced.placeholders;
    }
    offsets.push(offsets.length > 0 ? holeEnd : node.range[0]);
    const table = Int32Array.from(offsets);
    const endTable = Int32Array.from(ends);
    return {
      sql,
      offsets: table,
      ends: endTable,
      map: (sqlIndex: number) => table[Math.max(0, Math.min(sqlIndex, table.length - 1))]!,
      mapEnd: (sqlEnd: number) => (sqlEnd <= 0 ? table[0]! : sqlEnd > endTable.length ? table[table.length - 1]! : endTable[sqlEnd - 1]!),
      range: [node.range[0], node.range[1]],
      callee,
      kind,
      fn,
      placeholders,
    };
  }

  /**
   * Library placeholders (`?`, `??`, `:name`) outside strings, quoted names and comments: the value the
   * call passes for them when the file fixes it, else a placeholder name shown as the binding.
   */
  #replaceBindings(sql: Builder, { style, values }: Bindings): { out: Builder; placeholders: number } {
    const { positional, named } = bindingArguments(values, style);
    const out = new Builder();
    let placeholders = 0;
    let next = 0;
    let i = 0;
    const text = sql.sql;
    while (i < text.length) {
      const skipped = skipQuoted(text, i);
      if (skipped > i) {
        out.push(text.slice(i, skipped), sql.offsets.slice(i, skipped), sql.ends.slice(i, skipped));
        i = skipped;
        continue;
      }
      const ch = text[i]!;
      let length = 0;
      if (ch === "?" && style === "knex" && text[i + 1] === "?") length = 2;
      else if (ch === "?" && text[i - 1] !== "\\") length = 1;
      else if (style === "sequelize" && ch === ":" && text[i - 1] !== ":" && text[i + 1] !== ":") length = /^:[A-Za-z_]\w*/.exec(text.slice(i))?.[0].length ?? 0;
      if (length === 0) {
        out.push(ch, sql.offsets[i]!, sql.ends[i]!);
        i++;
        continue;
      }
      const binding = text.slice(i, i + length);
      const argument = binding.startsWith(":") ? named.get(binding.slice(1)) : positional[next++];
      const value = this.scope.constants.value(argument);
      let replacement: string;
      if (value !== undefined) replacement = binding === "??" ? quoteDotted(String(value)) : sqlValue(value);
      else {
        replacement = this.scope.holes.nameFor(argument ? `\${${shownExpression(argument, this.sourceText)}}` : binding);
        placeholders++;
      }
      const end = sql.ends[i + length - 1]!;
      out.push(replacement, spread(sql.offsets[i]!, end, replacement.length), end);
      i += length;
    }
    return { out, placeholders };
  }
}

/** The values a call passes for its SQL's bindings: Knex `[a, b]`, Sequelize `{ replacements: [a] | { name: a } }`. */
function bindingArguments(values: Node, style: "knex" | "sequelize"): { positional: (Node | undefined)[]; named: Map<string, Node> } {
  const list = style === "knex" ? values : propertyOf(values, "replacements");
  const positional = list?.type === "ArrayExpression" ? list.elements.map((element) => (element && element.type !== "SpreadElement" ? element : undefined)) : [];
  const named = new Map<string, Node>();
  if (list?.type === "ObjectExpression") {
    for (const property of list.properties) {
      if (property.type === "Property" && property.key.type === "Identifier") named.set(property.key.name, property.value);
    }
  }
  return { positional, named };
}

// ---------------------------------------------------------------------------
// Building the SQL text and its map.

class Builder {
  sql = "";
  offsets: number[] = [];
  ends: number[] = [];
  push(text: string, starts: number | number[], ends: number | number[]): void {
    for (let i = 0; i < text.length; i++) {
      this.offsets.push(typeof starts === "number" ? starts : starts[i]!);
      this.ends.push(typeof ends === "number" ? ends : ends[i]!);
    }
    this.sql += text;
  }
}

/** Source indices for text standing for source[start, end): first and last characters at the ends. */
function spread(start: number, end: number, length: number): number[] {
  return Array.from({ length }, (_, i) => (i === length - 1 && length > 1 ? Math.max(start, end - 1) : Math.min(start + i, end - 1)));
}

/**
 * The value of a string literal's or template element's raw text, with the source index of
 * each of its characters: an escape's characters map to its backslash.
 */
export function cook(raw: string, start: number, template: boolean): { text: string; offsets: number[]; ends: number[] } {
  let text = "";
  const offsets: number[] = [];
  const ends: number[] = [];
  let pending = 0;
  const emit = (value: string, at: number) => {
    text += value;
    for (let k = 0; k < value.length; k++) offsets.push(start + at);
    pending += value.length;
  };
  // Each character's source text ends where the next escape or character begins.
  const close = (end: number) => {
    for (; pending > 0; pending--) ends.push(start + end);
  };
  let i = 0;
  while (i < raw.length) {
    close(i);
    const ch = raw[i]!;
    if (ch === "\r" && template) {
      // Template literals normalize CRLF and CR to LF.
      emit("\n", i);
      i += raw[i + 1] === "\n" ? 2 : 1;
      continue;
    }
    if (ch !== "\\") {
      emit(ch, i);
      i++;
      continue;
    }
    const next = raw[i + 1] ?? "";
    const at = i;
    switch (next) {
      case "n":
        emit("\n", at);
        i += 2;
        break;
      case "t":
        emit("\t", at);
        i += 2;
        break;
      case "r":
        emit("\r", at);
        i += 2;
        break;
      case "b":
        emit("\b", at);
        i += 2;
        break;
      case "f":
        emit("\f", at);
        i += 2;
        break;
      case "v":
        emit("\v", at);
        i += 2;
        break;
      case "\r":
        i += raw[i + 2] === "\n" ? 3 : 2;
        break;
      case "\n":
      case "\u2028":
      case "\u2029":
        i += 2;
        break;
      case "x": {
        emit(String.fromCharCode(parseInt(raw.slice(i + 2, i + 4), 16)), at);
        i += 4;
        break;
      }
      case "u": {
        if (raw[i + 2] === "{") {
          const close = raw.indexOf("}", i + 3);
          emit(String.fromCodePoint(parseInt(raw.slice(i + 3, close), 16)), at);
          i = close + 1;
        } else {
          emit(String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16)), at);
          i += 6;
        }
        break;
      }
      default: {
        const octal = /^[0-7]{1,3}/.exec(raw.slice(i + 1, i + 4));
        if (octal && !template) {
          // Legacy octal escapes (sloppy-mode strings): at most 255.
          let digits = octal[0];
          if (parseInt(digits, 8) > 255) digits = digits.slice(0, 2);
          emit(String.fromCharCode(parseInt(digits, 8)), at);
          i += 1 + digits.length;
        } else {
          // `\\`, `\'`, `` \` ``, `\$` and any other character: itself. A surrogate pair stays whole.
          const code = raw.codePointAt(i + 1) ?? 0;
          const value = String.fromCodePoint(code);
          emit(value, at);
          i += 1 + value.length;
        }
      }
    }
  }
  close(raw.length);
  return { text, offsets, ends };
}

/** The end of a string, quoted name, comment or dollar-quoted body starting at i; i when none does. */
function skipQuoted(sql: string, i: number): number {
  const ch = sql[i];
  if (ch === "'" || ch === '"') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === ch) {
        if (sql[j + 1] === ch) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (ch === "-" && sql[i + 1] === "-") {
    const end = sql.indexOf("\n", i);
    return end < 0 ? sql.length : end;
  }
  if (ch === "/" && sql[i + 1] === "*") {
    const end = sql.indexOf("*/", i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  if (ch === "$") {
    const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i));
    if (tag) {
      const end = sql.indexOf(tag[0], i + tag[0].length);
      return end < 0 ? sql.length : end + tag[0].length;
    }
  }
  return i;
}
