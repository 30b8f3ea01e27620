import type { Statement } from "../src/parser/types.js";
import { messageLine } from "../src/engine/wording.js";
import { defineRule, visitEach, type RuleContext } from "../src/engine/rule.js";
import { REFUSABLE_KINDS } from "../src/facts/refused-in-transaction.js";
import type { Refusal } from "../src/facts/transactions.js";
import { NO_TRANSACTION_SWITCHES } from "../src/engine/wording-transactions.js";

export default defineRule({
  meta: {
    id: "forbidden-in-transaction",
    severity: "dangerous",
    description: "Statements PostgreSQL refuses inside a transaction block or a function (CREATE INDEX CONCURRENTLY, VACUUM, …) make the migration fail when it runs in one.",
    category: "transactions",
    checksDoBlocks: true,
  },
  visit: visitEach(REFUSABLE_KINDS, (statement, context) => {
    const refusal = context.facts.transactions.refusal(statement);
    // ALTER TYPE … ADD VALUE has a rule of its own, which knows when PostgreSQL allows it after all.
    if (!refusal || refusal.explainedBy) return;
    if (refusal.where === "function") reportInFunction(statement, context, refusal);
    else reportInTransaction(statement, context, refusal);
  }),
});

const FAILS =
  "The migration fails at this statement every time: nothing is locked or changed, the statements before it in the same transaction are rolled back, and the deploy stops here.";

function reportInTransaction(statement: Statement, context: RuleContext, refused: Refusal): void {
  const { transaction } = refused;
  const begin = transaction.openedBy === "begin";
  const origin = begin ? beginOrigin(statement, transaction.begin, context) : transaction.section.reason;
  const where = begin ? "a transaction block" : "the runner's transaction";
  context.report({
    range: refused.range ?? statement.range,
    message: messageLine(`${refused.label} fails inside ${where}`, `${refused.command} fails inside ${where}`),
    help: begin
      ? `Move ${refused.label} out of BEGIN … COMMIT, to a migration of its own that runs outside a transaction`
      : `Move ${refused.label} to a migration of its own, with the runner's transaction turned off`,
    explanation:
      `${refused.label} runs inside a transaction block (${origin}), and PostgreSQL refuses it there: "${refused.command} cannot run inside a transaction block". ${FAILS} ` +
      `Put it in a migration of its own, with nothing else in it, and turn the runner's transaction off for that file (${NO_TRANSACTION_SWITCHES}).`,
  });
}

/** A DO block is a function: PostgreSQL refuses these statements there whatever the transaction. */
function reportInFunction(statement: Statement, context: RuleContext, refused: Refusal): void {
  context.report({
    range: refused.range ?? statement.range,
    message: messageLine(`${refused.label} fails inside a DO block, which is a function`, `${refused.command} fails inside a DO block`),
    help: `Run ${refused.label} as a top-level statement of its own, outside the DO block and any transaction`,
    explanation:
      `${refused.label} runs inside a DO block, and PostgreSQL refuses it in a function: "${refused.command} cannot be executed from a function". ${FAILS} ` +
      "A condition it needed can usually be written as IF EXISTS / IF NOT EXISTS on the statement itself.",
  });
}

function beginOrigin(statement: Statement, begin: Statement | undefined, context: RuleContext): string {
  const keyword = begin?.codeTokensFrom(begin.range.start, 1)[0]?.upper;
  if (!begin || begin === statement || !keyword) return "an explicit transaction block";
  return `opened by the ${keyword === "START" ? "START TRANSACTION" : keyword} on line ${context.lineOf(begin.range)}`;
}
