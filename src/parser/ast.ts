/** Small readers over libpg-query's JSON AST, shared by the engine and the rules. */
import type { Range } from "../source/source-text.js";
import type { AlterTableCmd } from "@pgsql/types";
import type { AstNode, Statement, Token } from "./types.js";

export interface QualifiedName {
  schema?: string;
  name: string;
}

export interface RangeVar {
  schemaname?: string;
  relname?: string;
  location?: number;
}

/** The single key of a wrapped node (`{ ColumnDef: {...} }` → "ColumnDef") and its contents. */
export function unwrap(node: unknown): { type: string; value: AstNode } | undefined {
  if (!node || typeof node !== "object") return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const type = keys[0]!;
  const value = (node as Record<string, unknown>)[type];
  return value && typeof value === "object" ? { type, value: value as AstNode } : undefined;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function stringOf(node: unknown): string | undefined {
  const unwrapped = unwrap(node);
  if (unwrapped?.type === "String") return unwrapped.value.sval as string | undefined;
  return undefined;
}

export function relationName(relation: unknown): QualifiedName | undefined {
  const rangeVar = relation as RangeVar | undefined;
  if (!rangeVar?.relname) return undefined;
  return rangeVar.schemaname ? { schema: rangeVar.schemaname, name: rangeVar.relname } : { name: rangeVar.relname };
}

/** A DROP's object, a `List` of `String`s such as ["public", "users"]. */
export function listName(node: unknown): QualifiedName | undefined {
  const unwrapped = unwrap(node);
  const items = unwrapped?.type === "List" ? asList(unwrapped.value.items) : [node];
  const parts = items.map(stringOf).filter((part): part is string => part !== undefined);
  if (parts.length === 0) return undefined;
  const name = parts[parts.length - 1]!;
  return parts.length > 1 ? { schema: parts[parts.length - 2]!, name } : { name };
}

/**
 * A relation's name written as text, read as a regclass reads it: `'public.users_id_seq'`, `'"Users_id_seq"'`
 * (unquoted parts folded to lower case). Undefined for anything else.
 */
export function nameFromText(text: string): QualifiedName | undefined {
  const parts: string[] = [];
  const part = /\s*(?:"((?:[^"]|"")+)"|([^".\s]+))\s*(\.|$)/y;
  let match: RegExpExecArray | null;
  let ended = false;
  while (!ended && (match = part.exec(text))) {
    parts.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!.toLowerCase());
    ended = match[3] === "";
  }
  if (!ended || parts.length > 2) return undefined;
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

export function displayName(name: QualifiedName): string {
  return name.schema ? `${quoteIfNeeded(name.schema)}.${quoteIfNeeded(name.name)}` : quoteIfNeeded(name.name);
}

/** An identifier as SQL text: bare when PostgreSQL would read it back unchanged, double-quoted otherwise. */
export function quoteIfNeeded(identifier: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(identifier) ? identifier : `"${identifier.replace(/"/g, '""')}"`;
}

export interface AlterCommand {
  subtype: string;
  node: AlterTableCmd;
  range: Range;
}

/**
 * The commands of an ALTER TABLE with the source range of each, so that a finding
 * on one action of a multi-action ALTER TABLE points at that action.
 */
export function alterTableCommands(statement: Statement): readonly AlterCommand[] {
  // A dozen rules ask for the same statement's commands: make them once.
  let commands = commandsOf.get(statement);
  if (!commands) commandsOf.set(statement, (commands = makeAlterCommands(statement)));
  return commands;
}

const commandsOf = new WeakMap<Statement, readonly AlterCommand[]>();

function makeAlterCommands(statement: Statement): AlterCommand[] {
  if (statement.kind !== "AlterTableStmt") return [];
  const commands = (statement.node.cmds ?? []).flatMap((cmd) => ("AlterTableCmd" in cmd ? [cmd.AlterTableCmd] : []));
  // The ranges need the statement's tokens: worked out only when a rule asks for one.
  let ranges: Range[] | undefined | null = null;
  return commands.map((node, i) => ({
    subtype: String(node.subtype),
    node,
    get range() {
      if (ranges === null) ranges = commandRanges(statement, commands.length);
      return ranges?.[i] ?? statement.range;
    },
  }));
}

function commandRanges(statement: Statement & { kind: "AlterTableStmt" }, expected: number): Range[] | undefined {
  const relation = statement.node.relation;
  if (relation?.location === undefined || statement.tokens.length === 0) return undefined;
  const code = statement.tokens.filter((token) => token.type !== "line-comment" && token.type !== "block-comment");
  const relationStart = statement.indexOf(relation.location);
  let i = code.findIndex((token) => token.start >= relationStart);
  if (i < 0) return undefined;
  i++;
  while (code[i]?.text === "." && code[i + 1]) i += 2;
  if (code[i]?.text === "*") i++;

  const ranges: Range[] = [];
  let depth = 0;
  let first: Token | undefined;
  let last: Token | undefined;
  for (; i < code.length; i++) {
    const token = code[i]!;
    if (token.text === "," && depth === 0) {
      if (first && last) ranges.push({ start: first.start, end: last.end });
      first = last = undefined;
      continue;
    }
    if (token.text === "(") depth++;
    else if (token.text === ")") depth--;
    first ??= token;
    last = token;
  }
  if (first && last) ranges.push({ start: first.start, end: last.end });
  return ranges.length === expected ? ranges : undefined;
}

/** The first token of the statement matching the predicate, searching from `fromIndex` (a string index). */
export function findToken(statement: Statement, predicate: (token: Token) => boolean, fromIndex = 0): Token | undefined {
  return statement.tokens.find((token) => token.start >= fromIndex && token.type !== "line-comment" && token.type !== "block-comment" && predicate(token));
}

/** Calls `visit` on every wrapped node below `node` (depth first). */
export function walk(node: unknown, visit: (type: string, value: AstNode) => void): void {
  // An explicit stack, not recursion: an expression nested a few thousand levels deep parses, and would overflow the call stack.
  const stack: [key: string | undefined, value: unknown][] = [[undefined, node]];
  while (stack.length > 0) {
    const [key, value] = stack.pop()!;
    if (!value || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([undefined, value[i]]);
      continue;
    }
    if (key !== undefined && /^[A-Z]/.test(key)) visit(key, value as AstNode);
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]!);
  }
}

const INTERNAL_TYPES: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  bpchar: "char",
  timestamptz: "timestamp with time zone",
  timetz: "time with time zone",
};

/** The type as PostgreSQL would print it back, e.g. `varchar(20)`, `integer[]`. */
export function typeDisplay(typeName: unknown): string {
  const node = (typeName ?? {}) as AstNode;
  const names = asList(node.names)
    .map(stringOf)
    .filter((part): part is string => part !== undefined);
  const builtin = names[0] === "pg_catalog" && names.length === 2;
  const mods = asList(node.typmods).map((mod) => {
    const constant = unwrap(mod);
    const ival = constant?.type === "A_Const" ? (constant.value.ival as { ival?: number } | undefined) : undefined;
    return ival ? String(ival.ival ?? 0) : "…";
  });
  const base = builtin ? (INTERNAL_TYPES[names[1]!] ?? names[1]!) : names.map((part) => displayName({ name: part })).join(".") || "…";
  return `${base}${mods.length > 0 ? `(${mods.join(", ")})` : ""}${"[]".repeat(asList(node.arrayBounds).length)}`;
}
