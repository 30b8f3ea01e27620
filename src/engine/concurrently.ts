/** Where CONCURRENTLY can go in an index statement, and whether it may: shared by the CONCURRENTLY rules. */
import type { QualifiedName } from "../parser/ast.js";
import type { Statement, Token } from "../parser/types.js";
import type { RunnerProfile } from "../runners/profiles.js";
import type { Fix, RuleContext } from "./rule.js";

export interface ConcurrentPlacement {
  /** True when the statement runs on its own, outside any transaction block and outside a DO block: CONCURRENTLY may be added in place. */
  outside: boolean;
  /** Completes "run it …". */
  where: string;
}

const OPT_OUT =
  "goose: -- +goose NO TRANSACTION; dbmate: -- migrate:up transaction:false; sql-migrate: -- +migrate Up notransaction; " +
  "Rails: disable_ddl_transaction!; node-pg-migrate: pgm.noTransaction()";

/**
 * Whether the statement runs outside any transaction: not in a BEGIN block, not in a file the
 * runner wraps (the file's runner, the `assumeInTransaction` setting, or a goose/dbmate/sql-migrate
 * section that the runner runs in a transaction), and not in a DO block.
 */
export function concurrentPlacement(statement: Statement, context: RuleContext): ConcurrentPlacement {
  if (statement.origin === "do-block") {
    return { outside: false, where: "outside the DO block (CONCURRENTLY cannot run in a function), as a statement of its own" };
  }
  const transaction = context.facts.transactions.of(statement);
  if (transaction.id === undefined) return { outside: true, where: "outside any transaction block" };
  const reason = transaction.openedBy === "begin" ? "inside its BEGIN … COMMIT block" : `because ${transaction.section.reason}`;
  return {
    outside: false,
    where: `outside any transaction block: CONCURRENTLY cannot run inside one, and this statement runs ${reason}. ${outsideTransaction(context.facts.sections.fileRunner.profile)}`,
  };
}

/** How to run a statement outside a transaction with the file's runner. */
function outsideTransaction(profile: RunnerProfile | undefined): string {
  const own = "Move it to a migration of its own, with nothing else in it";
  if (!profile) return `${own}, that the runner runs outside a transaction (${OPT_OUT})`;
  if (profile.wrapping === "none") return `${own}, and no transaction around it`;
  if (profile.wrapping === "single-query") return `${own}: ${profile.title} sends each file as one query, and a query of one statement runs outside any transaction`;
  if (profile.optOut) return `${own}, that ${profile.title} runs outside a transaction (${profile.optOut})`;
  return `${profile.title} has no way to run one migration outside its transaction: run this statement outside it, on a connection of its own`;
}

/**
 * Inserts " CONCURRENTLY" after the keywords `head`, which must start the statement (see headEnd),
 * as the AST says they do. Nothing when the tokens are not what the AST promised.
 */
export function insertConcurrently(statement: Statement, head: readonly string[]): Fix | undefined {
  const last = headEnd(statement, head);
  return last ? { range: { start: last.end, end: last.end }, text: " CONCURRENTLY" } : undefined;
}

/**
 * The last token of the keywords `head` at the start of the statement, when they are there and CONCURRENTLY is not.
 * A parenthesised option list after the first keyword (`REINDEX (VERBOSE) TABLE`) is passed over.
 */
function headEnd(statement: Statement, head: readonly string[]): Token | undefined {
  const code = statement.codeTokensFrom(statement.range.start, 256);
  if (code[0]?.start !== statement.range.start) return undefined;
  let at = 0;
  for (let i = 0; i < head.length; i++, at++) {
    if (i === 1 && code[at]?.text === "(") at = closingParenthesis(code, at) + 1;
    if (code[at]?.type !== "keyword" || code[at]!.upper !== head[i]) return undefined;
  }
  if (code[at]?.upper === "CONCURRENTLY") return undefined;
  return code[at - 1];
}

/** The index of the `)` that closes the `(` at `open`; past the end when it is not among the tokens. */
function closingParenthesis(code: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i]!.text === "(") depth++;
    else if (code[i]!.text === ")" && --depth === 0) return i;
  }
  return code.length;
}

/** The statement itself on one line with CONCURRENTLY after the keywords `head`, or `outline` when its tokens are unknown. */
export function concurrentSql(statement: Statement, head: readonly string[], outline: string): string {
  const last = headEnd(statement, head);
  return last ? `${oneLine(statement.tokens, last, " CONCURRENTLY")};` : outline;
}

/** The statement's code tokens on one line: each gap (spaces, line breaks, comments) becomes one space. */
function oneLine(tokens: readonly Token[], after: Token | undefined, insert: string): string {
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

/** True when the index was created earlier in this file on a table (or materialized view) created in it before: nothing uses either yet. */
export function indexOnNewTable(statement: Statement, context: RuleContext, index: QualifiedName): boolean {
  const { history, order } = context.facts;
  const object = history.objectAt(statement, "relation", index);
  if (object?.kind !== "index" || !object.createdBy || !object.on?.createdBy) return false;
  return (object.on.kind === "table" || object.on.kind === "materialized-view") && order.runsBefore(object.on.createdBy, object.createdBy);
}
