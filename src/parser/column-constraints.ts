/** The constraints of a column definition with their exact source ranges, and code printed back on one line. */
import type { ColumnDef, Constraint, ConstrType, Node, TypeName } from "@pgsql/types";
import type { Range } from "../source/source-text.js";
import { nodeAs } from "./node-types.js";
import type { Statement } from "./types.js";

export interface ColumnConstraint {
  node: Constraint;
  /** From the constraint's first token (CONSTRAINT name, or its keyword) to the next constraint, DEFERRABLE-style attributes included. */
  range: Range;
  /** The same without `CONSTRAINT name`: `CHECK (…)`, `REFERENCES t (c) ON DELETE … DEFERRABLE`, `DEFAULT …`. */
  body: Range;
  /** The attributes that follow it (`CONSTR_ATTR_DEFERRABLE`, `CONSTR_ATTR_NOT_ENFORCED`, …). */
  attributes: ConstrType[];
}

const ATTRIBUTE = /^CONSTR_ATTR_/;

/** The serial pseudo-types and the integer type each one creates. */
export const SERIAL_TYPES: Readonly<Record<string, string>> = {
  smallserial: "smallint",
  serial2: "smallint",
  serial: "integer",
  serial4: "integer",
  bigserial: "bigint",
  serial8: "bigint",
};

/** The constraint nodes of a column definition, attributes (`DEFERRABLE`, …) included. */
export function constraintsOf(column: ColumnDef): Constraint[] {
  return (column.constraints ?? []).flatMap((node) => nodeAs(node, "Constraint") ?? []);
}

/** The column constraints of an ADD COLUMN, each with its source range. */
export function columnConstraints(statement: Statement, column: ColumnDef, action: Range): ColumnConstraint[] {
  const nodes = constraintsOf(column);
  const starts = nodes.map((node) => (node.location !== undefined ? statement.indexOf(node.location) : action.end));
  const found: ColumnConstraint[] = [];
  nodes.forEach((node, i) => {
    if (ATTRIBUTE.test(String(node.contype))) return;
    const attributes: ConstrType[] = [];
    let next = i + 1;
    while (next < nodes.length && ATTRIBUTE.test(String(nodes[next]!.contype))) attributes.push(nodes[next++]!.contype!);
    const start = starts[i]!;
    const end = lastCodeEnd(statement, start, next < nodes.length ? starts[next]! : action.end);
    let bodyStart = start;
    const head = statement.codeTokensFrom(start, 2);
    if (head[0]?.upper === "CONSTRAINT" && head[1]) bodyStart = statement.codeTokensFrom(head[1].end, 1)[0]?.start ?? start;
    found.push({ node, range: { start, end }, body: { start: bodyStart, end }, attributes });
  });
  return found;
}

/** The serial pseudo-type a column is declared with (`serial`, `bigserial`, …), if any. */
export function serialType(typeName: TypeName | undefined): string | undefined {
  const names = typeName?.names ?? [];
  const type = names.length === 1 ? nodeAs(names[0], "String")?.sval : undefined;
  return type !== undefined && type in SERIAL_TYPES && (typeName?.arrayBounds ?? []).length === 0 ? type : undefined;
}

/** A bare `NULL`, as in `DEFAULT NULL`. */
export function isNullConstant(expression: Node | undefined): boolean {
  return nodeAs(expression, "A_Const")?.isnull === true;
}

/** End of the last code token in [start, end). */
export function lastCodeEnd(statement: Statement, start: number, end: number): number {
  let last = start;
  for (const token of statement.tokens) {
    if (token.start >= end) break;
    if (token.start >= start && token.type !== "line-comment" && token.type !== "block-comment") last = token.end;
  }
  return last;
}

/** The first parenthesized code at or after string index `from` (and ending by `end`), parentheses included. */
export function parenthesized(statement: Statement, from: number, end = Infinity): Range | undefined {
  const code = statement.tokens.filter((token) => token.start >= from && token.end <= end && token.type !== "line-comment" && token.type !== "block-comment");
  const open = code.findIndex((token) => token.text === "(");
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i]!.text === "(") depth++;
    else if (code[i]!.text === ")" && --depth === 0) return { start: code[open]!.start, end: code[i]!.end };
  }
  return undefined;
}

export interface CodeTextOptions {
  /** Ranges left out. */
  skip?: readonly Range[];
  /** Rewrites of single tokens, keyed by the string index where the token starts. */
  edits?: ReadonlyMap<number, (text: string) => string>;
}

/** The code in a range as one line: comments dropped, whitespace (or a comment) between tokens made one space (none inside parentheses or before a comma). */
export function codeText(statement: Statement, range: Range, { skip = [], edits }: CodeTextOptions = {}): string {
  let text = "";
  let previousEnd = range.start;
  let gap = false;
  for (const token of statement.tokens) {
    if (token.start < range.start || token.end > range.end) continue;
    if (token.type === "line-comment" || token.type === "block-comment" || skip.some((s) => token.start >= s.start && token.end <= s.end)) {
      gap = true;
      continue;
    }
    if (text !== "" && (gap || token.start > previousEnd) && !text.endsWith("(") && token.text !== ")" && token.text !== ",") text += " ";
    const edit = edits?.get(token.start);
    text += edit ? edit(token.text) : token.text;
    previousEnd = token.end;
    gap = false;
  }
  return text;
}
