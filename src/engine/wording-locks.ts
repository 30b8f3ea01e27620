/** Short phrases shared by the locking and rewrite rules' one-line messages and helps. */
import type { Statement } from "../parser/types.js";
import type { RuleContext } from "./rule.js";
import { listing } from "./wording.js";

/** "a", "a and b", "a, b and 3 more": at most `shown` names, then a count. */
export function few(names: readonly string[], shown = 2): string {
  if (names.length <= Math.max(shown, 1)) return listing(names);
  return `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
}

/** A statement's SQL for a help when it is short, or else its outline: a help names the statement, it does not paste it. */
export function shortSql(sql: string, outline: string, limit = 100): string {
  return sql.length <= limit ? sql : outline;
}

/** SQL written without its final semicolon, to be put inside a sentence. */
export function bare(sql: string): string {
  return sql.replace(/;\s*$/, "");
}

/**
 * Where a CONCURRENTLY statement must run, as the end of a one-line help: "outside a transaction block",
 * "in a migration of its own, outside a transaction (-- +goose NO TRANSACTION)", "outside the DO block".
 */
export function concurrentlyWhere(statement: Statement, context: RuleContext, outside: boolean): string {
  if (statement.origin === "do-block") return "outside the DO block, as a statement of its own";
  if (outside) return "outside a transaction block";
  const transaction = context.facts.transactions.of(statement);
  if (transaction.openedBy === "begin") return "outside the BEGIN … COMMIT block";
  const profile = context.facts.sections.fileRunner.profile;
  const optOut = profile?.optOut && profile.optOut.length <= 40 ? ` (${profile.optOut})` : "";
  return `in a migration of its own, outside a transaction${optOut}`;
}
