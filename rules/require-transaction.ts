import type { Statement } from "../src/parser/types.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import type { RunnerSection } from "../src/facts/index.js";
import { isRerunnable } from "../src/parser/rerunnable.js";
import { modifyingStatements } from "../src/parser/modifying-statements.js";

function isBookkeeping(statement: Statement): boolean {
  return statement.kind === "VariableSetStmt" || statement.kind === "TransactionStmt";
}

export default defineRule({
  meta: {
    id: "require-transaction",
    severity: "careful",
    description: "A migration with several statements runs them outside a transaction, so a failure half-way leaves it half-applied.",
    category: "transactions",
  },
  checkFile(context) {
    const { sections, transactions } = context.facts;
    // Each up/down section of a goose, dbmate or sql-migrate file is a migration of its own.
    const groups = new Map<RunnerSection, Statement[]>();
    for (const statement of context.parsed.statements) {
      if (isBookkeeping(statement)) continue;
      const section = sections.sectionOf(statement);
      const group = groups.get(section);
      if (group) group.push(statement);
      else groups.set(section, [statement]);
    }
    for (const [section, statements] of groups) {
      if (statements.length < 2) continue;
      if (statements.some((statement) => transactions.refused(statement) !== undefined)) continue;
      // The author turned the runner's transaction off, and every statement can run again: a re-run finishes the migration.
      if (section.optedOut !== undefined && statements.every(isRerunnable)) continue;
      // The runner skips "already exists" and "not found" on a re-run, which finishes a migration that writes no rows.
      if (sections.fileRunner.profile?.toleratesRerun && !statements.some(writesRows)) continue;
      const outside = statements.filter((statement) => !transactions.inTransaction(statement));
      if (outside.length > 0) {
        report(context, section, statements, outside);
        return;
      }
    }
  },
});

function writesRows(statement: Statement): boolean {
  return statement.kind === "InsertStmt" || statement.kind === "CopyStmt" || modifyingStatements(statement, "UpdateStmt").length > 0 || modifyingStatements(statement, "DeleteStmt").length > 0;
}

function report(context: RuleContext, section: RunnerSection, statements: Statement[], outside: Statement[]): void {
  const first = outside[0]!;
  const count = outside.length === statements.length ? `all ${statements.length} statements` : `${outside.length} of its ${statements.length} statements`;
  const runner = section.reason ? `${section.reason}.` : "nothing says the migration runner wraps the file in a transaction.";
  const rerun = outside.find((statement) => !isRerunnable(statement)) ?? first;
  context.report({
    range: first.range,
    message: `${outside.length === statements.length ? statements.length : `${outside.length} of ${statements.length}`} statements run outside a transaction: a failure leaves them half-applied`,
    help:
      section.optedOut !== undefined
        ? `Keep here only what cannot run in a transaction, or make each statement re-runnable from line ${context.lineOf(rerun.range)}`
        : 'Wrap the file in BEGIN; … COMMIT;, or set "runner" if your runner wraps it',
    explanation:
      `This migration runs ${count} outside a transaction, starting with this one: no BEGIN … COMMIT surrounds them, and ${runner} ` +
      "Each of them commits on its own: if one fails (a lock timeout, a duplicate value, a typo), " +
      "the ones before it stay applied and the schema is left half-migrated. " +
      "Re-running the file then fails on what already exists, and someone has to repair the database by hand. " +
      (section.optedOut !== undefined ? optedOutHelp(context, section.optedOut, rerun) : wrapHelp),
  });
}

const wrapHelp =
      "Wrap the migration in one transaction, so that a failure rolls all of it back (PostgreSQL's DDL is transactional): " +
      "BEGIN; at the top and COMMIT; at the end. If your migration runner already wraps each file in a transaction, " +
      "or sends the whole file as a single query (PostgreSQL runs a multi-statement query string as one implicit transaction), " +
      'and migsafe did not recognise it (migsafe --print-config <file> shows what it found), name it in the configuration ("runner": "flyway", "prisma", …) ' +
      'or say "assumeInTransaction": true.';

/** The author turned the transaction off on purpose, usually for a statement that cannot run in one: make a re-run finish the migration instead. */
function optedOutHelp(context: RuleContext, optedOut: string, rerun: Statement): string {
  return (
    `The migration turns its transaction off on purpose (${optedOut}), usually for a statement that cannot run in one. ` +
    "Keep only such statements in it and move the others to a migration that runs in a transaction, " +
    `or make every statement safe to run again (IF NOT EXISTS, IF EXISTS, CREATE OR REPLACE, ON CONFLICT DO NOTHING), starting with the one at line ${context.lineOf(rerun.range)}, ` +
    "so that running the migration again after a failure finishes it."
  );
}
