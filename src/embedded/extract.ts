/**
 * Finds the SQL embedded in a TypeScript/JavaScript migration: the string or template
 * given to `queryRunner.query(…)`, `pgm.sql(…)`, `knex.raw(…)`, `sql\`…\`` and the like.
 * Each snippet comes with a per-character map from SQL index to source index, so that a
 * finding in the SQL is reported at its exact place in the source, escapes and all.
 */
import { createRequire } from "node:module";
import type * as EstreeModule from "@typescript-eslint/typescript-estree";
import type { TSESTree } from "@typescript-eslint/typescript-estree";

export type Node = TSESTree.Node;

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
  /** The SQL, holes replaced by placeholders. */
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
  /** `up`, `down`, or undefined: the migration function the snippet is in. */
  direction: Direction | undefined;
  /** How many `${}` holes and bindings became placeholders. */
  placeholders: number;
}

export type Direction = "up" | "down";

type Estree = typeof EstreeModule;
let estree: Estree | undefined;
/** typescript-estree loads TypeScript (≈10 MB): only when a JS/TS migration is linted. */
export function loadEstree(): Estree {
  if (estree) return estree;
  try {
    estree = createRequire(import.meta.url)("@typescript-eslint/typescript-estree") as Estree;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND";
    if (!missing) throw error;
    throw new Error("linting TypeScript/JavaScript migrations needs the typescript package in the project: npm install --save-dev typescript", { cause: error });
  }
  return estree;
}

export interface ParsedProgram {
  ast: TSESTree.Program;
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

/** The SQL snippets of a source file. Throws ScriptSyntaxError when the source does not parse. */
export function extractSql(sourceText: string, filePath: string, targets?: readonly TargetSpec[]): SqlSnippet[] {
  return extractFromProgram(parseScript(sourceText, filePath), sourceText, normalizeTargets(targets));
}

export function extractFromProgram(ast: TSESTree.Program, sourceText: string, targets: readonly SqlTarget[]): SqlSnippet[] {
  const snippets: SqlSnippet[] = [];
  const constants = collectConstants(ast);
  walk(ast, [], (node, ancestors) => {
    if (node.type === "CallExpression") {
      const callee = calleeText(node.callee, sourceText);
      const target = targets.find((t) => t.kind !== "tag" && matches(t, callee));
      const first = node.arguments[0];
      if (!target || !first) return;
      const pieces = sqlPieces(first, sourceText, constants);
      if (!pieces) return;
      const bindings = target.bindings && node.arguments.length > 1 ? target.bindings : undefined;
      snippets.push(build(pieces, sourceText, node, callee, "call", directionOf(ancestors), bindings));
    } else if (node.type === "TaggedTemplateExpression") {
      const tag = calleeText(node.tag.type === "CallExpression" ? node.tag.callee : node.tag, sourceText);
      const target = targets.find((t) => t.kind !== "call" && matches(t, tag));
      if (!target) return;
      const pieces = templatePieces(node.quasi, sourceText);
      const snippet = build(pieces, sourceText, node, tag, "tag", directionOf(ancestors), undefined);
      // `sql` tags also build fragments (`sql\`now()\``): only whole statements are linted.
      if (node.tag.type === "Identifier" && !STATEMENT_START.test(snippet.sql)) return;
      snippets.push(snippet);
    }
  });
  return snippets;
}

const STATEMENT_START =
  /^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(alter|analyze|begin|call|cluster|comment|commit|copy|create|deallocate|delete|discard|do|drop|end|execute|explain|grant|insert|listen|lock|merge|notify|prepare|refresh|reindex|release|reset|revoke|rollback|savepoint|security|select|set|show|start|table|truncate|update|vacuum|values|with)\b/i;

function matches(target: SqlTarget, text: string): boolean {
  return typeof target.callee === "string" ? target.callee === text : target.callee.test(text);
}

export function calleeText(node: Node, sourceText: string): string {
  return sourceText
    .slice(node.range[0], node.range[1])
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "")
    .replace(/\s+/g, "")
    .replace(/\?\./g, ".")
    .replace(/!\./g, ".");
}

// ---------------------------------------------------------------------------
// Pieces: the parts of a SQL argument, literal text with its source positions, or holes.

type Piece =
  | { kind: "text"; raw: string; start: number; template: boolean }
  | { kind: "hole"; start: number; end: number };

function templatePieces(quasi: TSESTree.TemplateLiteral, sourceText: string): Piece[] {
  const pieces: Piece[] = [];
  quasi.quasis.forEach((element, i) => {
    // An element's range includes its delimiters: `` ` `` or `}` before, `${` or `` ` `` after.
    const start = element.range[0] + 1;
    const end = element.range[1] - (element.tail ? 1 : 2);
    pieces.push({ kind: "text", raw: sourceText.slice(start, end), start, template: true });
    const expression = quasi.expressions[i];
    const next = quasi.quasis[i + 1];
    if (expression && next) pieces.push({ kind: "hole", start: element.range[1] - 2, end: next.range[0] + 1 });
  });
  return pieces;
}

/** A string, a template, a `+` of them, or a `const` holding one; undefined for anything else. */
function sqlPieces(node: Node, sourceText: string, constants: Map<string, Node>, depth = 0): Piece[] | undefined {
  if (depth > 8) return undefined;
  switch (node.type) {
    case "Literal":
      if (typeof node.value !== "string") return undefined;
      return [{ kind: "text", raw: sourceText.slice(node.range[0] + 1, node.range[1] - 1), start: node.range[0] + 1, template: false }];
    case "TemplateLiteral":
      return templatePieces(node, sourceText);
    case "BinaryExpression": {
      if (node.operator !== "+") return undefined;
      const left = sqlPieces(node.left, sourceText, constants, depth + 1);
      if (!left) return undefined;
      const right = sqlPieces(node.right, sourceText, constants, depth + 1) ?? [{ kind: "hole", start: node.right.range[0], end: node.right.range[1] }];
      return [...left, ...right];
    }
    case "Identifier": {
      const init = constants.get(node.name);
      return init ? sqlPieces(init, sourceText, constants, depth + 1) : undefined;
    }
    case "TSAsExpression":
    case "TSNonNullExpression":
    case "TSSatisfiesExpression":
      return sqlPieces(node.expression, sourceText, constants, depth + 1);
    default:
      return undefined;
  }
}

/** `const name = "…"` declared once in the file: a name given to `query(name)` is read through it. */
function collectConstants(ast: TSESTree.Program): Map<string, Node> {
  const found = new Map<string, Node>();
  const duplicate = new Set<string>();
  walk(ast, [], (node) => {
    if (node.type !== "VariableDeclarator" || node.id.type !== "Identifier") return;
    const name = node.id.name;
    if (found.has(name)) duplicate.add(name);
    if (node.init) found.set(name, node.init);
  });
  for (const name of duplicate) found.delete(name);
  return found;
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

function build(
  pieces: Piece[],
  sourceText: string,
  node: Node,
  callee: string,
  kind: "call" | "tag",
  direction: Direction | undefined,
  bindings: SqlTarget["bindings"],
): SqlSnippet {
  const out = new Builder();
  let placeholders = 0;
  let holeEnd = node.range[1];
  for (const piece of pieces) {
    if (piece.kind === "text") {
      const cooked = cook(piece.raw, piece.start, piece.template);
      out.push(cooked.text, cooked.offsets, cooked.ends);
      holeEnd = piece.start + piece.raw.length;
    } else {
      placeholders++;
      // An identifier parses wherever a value does, and also where a name is expected (`ALTER TABLE ${t}`).
      const placeholder = `_${placeholders}`;
      out.push(placeholder, spread(piece.start, piece.end, placeholder.length), piece.end);
      holeEnd = piece.end;
    }
  }
  let sql = out.sql;
  let offsets = out.offsets;
  let ends = out.ends;
  if (bindings) ({ sql, offsets, ends, placeholders } = replaceBindings(sql, offsets, ends, bindings, placeholders));
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
    direction,
    placeholders,
  };
}

/** Source indices for a placeholder standing for source[start, end): first and last characters at the ends. */
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

/**
 * Library placeholders (`?`, `??`, `:name`) outside strings, quoted names and comments,
 * replaced by an identifier so that the SQL parses.
 */
function replaceBindings(
  sql: string,
  offsets: number[],
  ends: number[],
  style: "knex" | "sequelize",
  count: number,
): { sql: string; offsets: number[]; ends: number[]; placeholders: number } {
  const out = new Builder();
  let i = 0;
  while (i < sql.length) {
    const skipped = skipQuoted(sql, i);
    if (skipped > i) {
      out.push(sql.slice(i, skipped), offsets.slice(i, skipped), ends.slice(i, skipped));
      i = skipped;
      continue;
    }
    const ch = sql[i]!;
    let length = 0;
    if (ch === "?" && style === "knex" && sql[i + 1] === "?") length = 2;
    else if (ch === "?" && sql[i - 1] !== "\\") length = 1;
    else if (style === "sequelize" && ch === ":" && sql[i - 1] !== ":" && sql[i + 1] !== ":") length = /^:[A-Za-z_]\w*/.exec(sql.slice(i))?.[0].length ?? 0;
    if (length === 0) {
      out.push(ch, offsets[i]!, ends[i]!);
      i++;
      continue;
    }
    count++;
    const placeholder = `_${count}`;
    out.push(placeholder, spread(offsets[i]!, ends[i + length - 1]!, placeholder.length), ends[i + length - 1]!);
    i += length;
  }
  return { sql: out.sql, offsets: out.offsets, ends: out.ends, placeholders: count };
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

// ---------------------------------------------------------------------------
// Walking the tree.

export function walk(node: Node, ancestors: Node[], visit: (node: Node, ancestors: readonly Node[]) => void): void {
  visit(node, ancestors);
  ancestors.push(node);
  for (const key of Object.keys(node)) {
    if (key === "parent" || key === "range" || key === "loc") continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) walk(child, ancestors, visit);
    } else if (isNode(value)) {
      walk(value, ancestors, visit);
    }
  }
  ancestors.pop();
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

/** The innermost `up`/`down` function around a node: a method, property, declaration, variable or `exports.down = …`. */
export function directionOf(ancestors: readonly Node[]): Direction | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const node = ancestors[i]!;
    if (!isFunction(node)) continue;
    const name = functionName(node, ancestors[i - 1]);
    if (name === "up" || name === "down") return name;
  }
  return undefined;
}

function isFunction(node: Node): boolean {
  return node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression";
}

function functionName(node: Node, parent: Node | undefined): string | undefined {
  if (node.type === "FunctionDeclaration") return node.id?.name;
  if (!parent) return undefined;
  const keyName = (key: Node) => (key.type === "Identifier" ? key.name : key.type === "Literal" ? String(key.value) : undefined);
  if ((parent.type === "Property" || parent.type === "MethodDefinition") && parent.value === node) return keyName(parent.key);
  if (parent.type === "VariableDeclarator" && parent.id.type === "Identifier") return parent.id.name;
  if (parent.type === "AssignmentExpression" && parent.left.type === "MemberExpression") return keyName(parent.left.property);
  return undefined;
}
