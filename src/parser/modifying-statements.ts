import type { Range } from "../source/source-text.js";
import { unwrap, type RangeVar } from "./ast.js";
import type { AstNode, NodeKind, NodeOf, Statement } from "./types.js";

export interface ModifyingStatement<K extends ModifyingKind = ModifyingKind> {
  node: NodeOf<K>;
  /** The statement's own range: for a data-modifying WITH query, the text inside its parentheses. */
  range: Range;
}

/**
 * The DELETEs (or UPDATEs) a statement runs: the statement itself, and the
 * data-modifying queries of its WITH clause (`WITH gone AS (DELETE ...) INSERT ...`).
 */
export function modifyingStatements<K extends ModifyingKind>(statement: Statement, kind: K): ModifyingStatement<K>[] {
  const found: ModifyingStatement<K>[] = [];
  // `kind` names the statement's node type: the statement is that node.
  if (statement.kind === kind) found.push({ node: statement.node as NodeOf<K>, range: statement.range });
  if (!("withClause" in statement.node)) return found;
  for (const cte of statement.node.withClause?.ctes ?? []) {
    const expression = unwrap(cte);
    if (expression?.type !== "CommonTableExpr") continue;
    const query = unwrap(expression.value.ctequery);
    if (query?.type === kind) found.push({ node: query.value as NodeOf<K>, range: parenthesizedRange(statement, query.value) });
  }
  return found;
}

type ModifyingKind = "DeleteStmt" | "UpdateStmt";

/** The statement kinds that have a WITH clause, and so can run a DELETE or UPDATE in it. */
type KindWithClause = { [K in NodeKind]: "withClause" extends keyof NodeOf<K> ? K : never }[NodeKind];

// A record, so that the compiler checks the list is exactly the kinds with a WITH clause.
const WITH_CLAUSE: Record<KindWithClause, true> = { SelectStmt: true, InsertStmt: true, UpdateStmt: true, DeleteStmt: true, MergeStmt: true };

/** Every statement kind `modifyingStatements` can find a DELETE or UPDATE in: the kinds to visit for them. */
export const KINDS_WITH_CLAUSE = Object.keys(WITH_CLAUSE) as KindWithClause[];

/** The range inside the parentheses around a WITH query, found from its target table's position. */
function parenthesizedRange(statement: Statement, node: AstNode): Range {
  const location = (node.relation as RangeVar | undefined)?.location;
  const code = statement.tokens.filter((token) => token.type !== "line-comment" && token.type !== "block-comment");
  // A DO-block statement without an exact place (PL/pgSQL rewrote its text) has no tokens.
  if (location === undefined || code.length === 0) return statement.range;
  const at = statement.indexOf(location);
  const table = code.findIndex((token) => token.start >= at);
  // Back from the table name to the "(" that is still open, then forward to the ")" that closes it.
  let open = table - 1;
  for (let depth = 0; open >= 0; open--) {
    const text = code[open]!.text;
    if (text === ")") depth++;
    else if (text === "(" && depth-- === 0) break;
  }
  if (table < 0 || open < 0) return statement.range;
  let close = open + 1;
  for (let depth = 0; close < code.length; close++) {
    const text = code[close]!.text;
    if (text === "(") depth++;
    else if (text === ")" && depth-- === 0) break;
  }
  if (close >= code.length || close === open + 1) return statement.range;
  return { start: code[open + 1]!.start, end: code[close - 1]!.end };
}
