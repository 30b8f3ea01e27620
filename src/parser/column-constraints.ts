/** The constraints of a column definition with their exact source ranges, and code printed back on one line. */
import type { Range } from "../source/source-text.js";
import { asList, unwrap } from "./ast.js";
import type { AstNode, Statement } from "./types.js";

export interface ColumnConstraint {
  node: AstNode;
  /** From the constraint's first token (CONSTRAINT name, or its keyword) to the next constraint, DEFERRABLE-style attributes included. */
  range: Range;
  /** The same without `CONSTRAINT name`: `CHECK (…)`, `REFERENCES t (c) ON DELETE … DEFERRABLE`, `DEFAULT …`. */
  body: Range;
  /** The attributes that follow it (`CONSTR_ATTR_DEFERRABLE`, `CONSTR_ATTR_NOT_ENFORCED`, …). */
  attributes: string[];
}

const ATTRIBUTE = /^CONSTR_ATTR_/;

/** The column constraints of an ADD COLUMN, each with its source range. */
export function columnConstraints(statement: Statement, column: AstNode, action: Range): ColumnConstraint[] {
  const nodes = asList(column.constraints)
    .map(unwrap)
    .filter((c): c is { type: string; value: AstNode } => c?.type === "Constraint")
    .map((c) => c.value);
  const starts = nodes.map((node) => (typeof node.location === "number" ? statement.indexOf(node.location) : action.end));
  const found: ColumnConstraint[] = [];
  nodes.forEach((node, i) => {
    if (ATTRIBUTE.test(String(node.contype))) return;
    const attributes: string[] = [];
    let next = i + 1;
    while (next < nodes.length && ATTRIBUTE.test(String(nodes[next]!.contype))) attributes.push(String(nodes[next++]!.contype));
    const start = starts[i]!;
    const end = lastCodeEnd(statement, start, next < nodes.length ? starts[next]! : action.end);
    let bodyStart = start;
    const head = statement.codeTokensFrom(start, 2);
    if (head[0]?.upper === "CONSTRAINT" && head[1]) bodyStart = statement.codeTokensFrom(head[1].end, 1)[0]?.start ?? start;
    found.push({ node, range: { start, end }, body: { start: bodyStart, end }, attributes });
  });
  return found;
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

/** The code in a range as one line: comments dropped, whitespace (or a comment) between tokens made one space (none inside parentheses or before a comma); `skip` ranges left out. */
export function codeText(statement: Statement, range: Range, skip: readonly Range[] = []): string {
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
    text += token.text;
    previousEnd = token.end;
    gap = false;
  }
  return text;
}
