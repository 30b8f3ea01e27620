import type { Statement } from "./types.js";

const OPENS = new Set(["TRANS_STMT_BEGIN", "TRANS_STMT_START"]);
const CLOSES = new Set(["TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE"]);

export function transactionKind(statement: Statement): "begin" | "end" | undefined {
  if (statement.kind !== "TransactionStmt") return undefined;
  const kind = String(statement.node.kind);
  if (OPENS.has(kind)) return "begin";
  if (CLOSES.has(kind)) return "end";
  return undefined;
}

/**
 * Marks each statement with the explicit transaction block it runs in. BEGIN and
 * its COMMIT belong to the block they delimit. A BEGIN inside a block is a no-op in
 * PostgreSQL (a warning), so the outer block continues.
 */
export function assignTransactions(statements: Statement[]): void {
  let open: { beginIndex: number; members: Statement[] } | undefined;
  for (const statement of statements) {
    const kind = transactionKind(statement);
    if (kind === "begin" && !open) open = { beginIndex: statement.index, members: [] };
    if (!open) continue;
    open.members.push(statement);
    if (kind === "end") {
      for (const member of open.members) member.transaction = { inTransaction: true, beginIndex: open.beginIndex, endIndex: statement.index };
      open = undefined;
    }
  }
  if (open) for (const member of open.members) member.transaction = { inTransaction: true, beginIndex: open.beginIndex };
}
