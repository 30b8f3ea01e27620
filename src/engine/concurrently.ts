/** Where CONCURRENTLY can go in an index statement, and whether it may: shared by the CONCURRENTLY rules. */
import { relationName, type QualifiedName } from "../parser/ast.js";
import type { Statement, Token } from "../parser/types.js";
import type { Fix, RuleContext } from "./rule.js";
import { runnerSections, sectionOf, transactionOf, transactionScopes } from "./transaction-scopes.js";

export interface ConcurrentPlacement {
  /** True when the statement runs on its own, outside any transaction block and outside a DO block: CONCURRENTLY may be added in place. */
  outside: boolean;
  /** Completes "run it …". */
  where: string;
}

const OPT_OUT =
  "goose: -- +goose NO TRANSACTION; dbmate: -- migrate:up transaction:false; sql-migrate: -- +migrate Up notransaction; " +
  "Rails: disable_ddl_transaction!; node-pg-migrate: pgm.noTransaction()";

const scopeCache = new WeakMap<RuleContext, ReturnType<typeof transactionScopes>>();

/**
 * Whether the statement runs outside any transaction: not in a BEGIN block, not in a file the
 * runner wraps (the `assumeInTransaction` setting, or a goose/dbmate/sql-migrate section that
 * the runner runs in a transaction), and not in a DO block.
 */
export function concurrentPlacement(statement: Statement, context: RuleContext): ConcurrentPlacement {
  if (statement.origin === "do-block") {
    return { outside: false, where: "outside the DO block (CONCURRENTLY cannot run in a function), as a statement of its own" };
  }
  let scopes = scopeCache.get(context);
  if (!scopes) {
    scopes = transactionScopes(context);
    scopeCache.set(context, scopes);
  }
  if (!context.inTransaction(statement) && transactionOf(scopes, statement) === undefined) return { outside: true, where: "outside any transaction block" };
  const section = sectionOf(runnerSections(context), statement);
  const reason = statement.transaction.inTransaction ? "inside its BEGIN … COMMIT block" : section.wraps ? `because ${section.reason}` : "in the runner's transaction";
  return {
    outside: false,
    where:
      `outside any transaction block: CONCURRENTLY cannot run inside one, and this statement runs ${reason}. ` +
      `Move it to a migration of its own, with nothing else in it, that the runner runs outside a transaction (${OPT_OUT})`,
  };
}

/**
 * Inserts " CONCURRENTLY" after the keywords `head`, which must be the statement's first code
 * tokens, as the AST says they are. Nothing when the tokens are not what the AST promised.
 */
export function insertConcurrently(statement: Statement, head: readonly string[]): Fix | undefined {
  const last = headEnd(statement, head);
  return last ? { range: { start: last.end, end: last.end }, text: " CONCURRENTLY" } : undefined;
}

/** The last token of the keywords `head` at the start of the statement, when they are there and CONCURRENTLY is not. */
function headEnd(statement: Statement, head: readonly string[]): Token | undefined {
  const code = statement.codeTokensFrom(statement.range.start, head.length + 1);
  if (code[0]?.start !== statement.range.start) return undefined;
  for (let i = 0; i < head.length; i++) {
    if (code[i]?.type !== "keyword" || code[i]!.upper !== head[i]) return undefined;
  }
  if (code[head.length]?.upper === "CONCURRENTLY") return undefined;
  return code[head.length - 1];
}

/** The statement itself on one line with CONCURRENTLY after the keywords `head`, or `outline` when its tokens are unknown. */
export function concurrentSql(statement: Statement, head: readonly string[], outline: string): string {
  const last = headEnd(statement, head);
  return last ? `${oneLine(statement.tokens, last, " CONCURRENTLY")};` : outline;
}

/** The statement's code tokens on one line: each gap (spaces, line breaks, comments) becomes one space. */
export function oneLine(tokens: readonly Token[], after: Token | undefined, insert: string): string {
  let text = "";
  let previous: Token | undefined;
  for (const token of tokens) {
    if (token.type === "line-comment" || token.type === "block-comment") continue;
    if (previous) text += token.start > previous.end ? " " : "";
    text += token.text;
    if (token === after) text += insert;
    previous = token;
  }
  return text;
}

export function indexOnNewTable(statement: Statement, context: RuleContext, index: QualifiedName): boolean {
  if (!context.facts.createdBefore(statement, "index", index)) return false;
  const earlier = [...context.facts.statementsBefore(statement), ...context.parsed.doBlockStatements.filter((inner) => inner.range.start < statement.range.start)];
  const creation = earlier.filter((candidate) => candidate.kind === "IndexStmt" && candidate.node.idxname === index.name).pop();
  const table = creation ? relationName(creation.node.relation) : undefined;
  return table !== undefined && (context.facts.createdBefore(creation!, "table", table) || context.facts.createdBefore(creation!, "materialized-view", table));
}
