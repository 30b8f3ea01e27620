import { asList, displayName, relationName, unwrap, type RangeVar } from "../src/parser/ast.js";
import { defineRule } from "../src/engine/rule.js";
import type { AstNode, Statement } from "../src/parser/types.js";
import type { Range, SourceText } from "../src/source/source-text.js";

export interface ModifyingStatement {
  node: AstNode;
  /** The statement's own range: for a data-modifying WITH query, the text inside its parentheses. */
  range: Range;
}

/**
 * The DELETEs (or UPDATEs) a statement runs: the statement itself, and the
 * data-modifying queries of its WITH clause (`WITH gone AS (DELETE ...) INSERT ...`).
 */
export function modifyingStatements(statement: Statement, kind: "DeleteStmt" | "UpdateStmt", source: SourceText): ModifyingStatement[] {
  const found: ModifyingStatement[] = [];
  if (statement.kind === kind) found.push({ node: statement.node, range: statement.range });
  const withClause = statement.node.withClause as { ctes?: unknown } | undefined;
  for (const cte of asList(withClause?.ctes)) {
    const expression = unwrap(cte);
    if (expression?.type !== "CommonTableExpr") continue;
    const query = unwrap(expression.value.ctequery);
    if (query?.type === kind) found.push({ node: query.value, range: parenthesizedRange(statement, query.value, source) });
  }
  return found;
}

/** The range inside the parentheses around a WITH query, found from its target table's position. */
function parenthesizedRange(statement: Statement, node: AstNode, source: SourceText): Range {
  const location = (node.relation as RangeVar | undefined)?.location;
  const code = statement.tokens.filter((token) => token.type !== "line-comment" && token.type !== "block-comment");
  // A DO-block statement whose text PL/pgSQL changed (SELECT ... INTO x) sits at its DO's range: its tokens are not where they say.
  if (location === undefined || code.length === 0 || source.slice(statement.range) !== statement.text) return statement.range;
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

export default defineRule({
  meta: {
    id: "delete-without-where",
    severity: "dangerous",
    description: "DELETE without a WHERE clause deletes every row of the table.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  checkStatement(statement, context) {
    for (const { node, range } of modifyingStatements(statement, "DeleteStmt", context.parsed.source)) {
      if (node.whereClause) continue;
      const name = relationName(node.relation);
      if (!name || context.facts.isNewOrUndone(statement, "table", name)) continue;
      const table = displayName(name);
      context.report({
        range,
        message:
          `DELETE FROM ${table} has no WHERE: it deletes every row of ${table} for good, and running code suddenly finds the table empty. ` +
          "It takes a ROW EXCLUSIVE lock and then a row lock on every row until commit, so concurrent updates and deletes of any row wait; " +
          "the table is not rewritten, but every row is written to WAL (replicas lag) and left as a dead tuple for VACUUM.",
        help:
          "Add the WHERE you meant. To delete many rows, do it in batches outside the schema-change transaction: " +
          `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE <condition> LIMIT 1000); repeated until it deletes nothing.`,
      });
    }
  },
});
