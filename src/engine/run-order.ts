/** The order statements run in, DO blocks included, and whether two run in one transaction. */
import { transactionKind } from "../parser/transactions.js";
import type { Statement } from "../parser/types.js";
import type { RuleContext } from "./rule.js";

/**
 * Run order of a statement: its top-level statement's index, then (for a DO-block
 * statement) its place among the DO blocks' statements. Ranges cannot order them:
 * the statements of a DO block whose body is not dollar-quoted all share the DO's range.
 */
export function runsBefore(a: Statement, b: Statement): boolean {
  const topA = (a.parent ?? a).index;
  const topB = (b.parent ?? b).index;
  if (topA !== topB) return topA < topB;
  return (a.parent ? a.index + 1 : 0) < (b.parent ? b.index + 1 : 0);
}

/**
 * True when both statements run in one transaction: the same DO block, or both in a
 * transaction (explicit block, or the runner's) with no COMMIT/ROLLBACK between them.
 */
export function runsInSameTransaction(earlier: Statement, later: Statement, context: RuleContext): boolean {
  const a = earlier.parent ?? earlier;
  const b = later.parent ?? later;
  if (a === b) return true;
  if (!context.inTransaction(a) || !context.inTransaction(b)) return false;
  return !context.parsed.statements.slice(a.index + 1, b.index).some((between) => transactionKind(between) === "end");
}
