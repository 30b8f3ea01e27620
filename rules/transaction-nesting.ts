import type { Statement } from "../src/parser/types.js";
import { messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import type { RunnerSection } from "../src/facts/index.js";
import { transactionControl as transactionKind } from "../src/facts/transactions.js";

const SAVEPOINTS = new Set(["TRANS_STMT_SAVEPOINT", "TRANS_STMT_RELEASE", "TRANS_STMT_ROLLBACK_TO"]);
const RUNNER_HINT = 'If the migration runner wraps each file in a transaction, tell migsafe with "assumeInTransaction": true.';

export default defineRule({
  meta: {
    id: "transaction-nesting",
    severity: "careful",
    description: "BEGIN inside an open transaction, COMMIT or ROLLBACK with none open, BEGIN/COMMIT inside the runner's transaction, or a BEGIN the file never commits.",
    category: "transactions",
  },
  checkFile(context) {
    const { sections } = context.facts;
    const groups = new Map<RunnerSection, Statement[]>();
    for (const statement of context.parsed.statements) {
      const section = sections.sectionOf(statement);
      const group = groups.get(section);
      if (group) group.push(statement);
      else groups.set(section, [statement]);
    }
    for (const [section, statements] of groups) checkSection(context, section, statements);
  },
});

function checkSection(context: RuleContext, section: RunnerSection, statements: Statement[]): void {
  const line = (statement: Statement) => context.lineOf(statement.range);
  const word = keywordOf;
  // PostgreSQL's implicit transaction around one query string is the file's to take over with BEGIN … COMMIT.
  let runnerOpen = section.wraps && !section.implicit;
  let begin: Statement | undefined;
  let lastEnd: Statement | undefined;
  /** The COMMIT that a BEGIN inside the runner's transaction was reported with. */
  let explained: Statement | undefined;

  statements.forEach((statement, i) => {
    const kind = transactionKind(statement);
    const nextEnd = () => statements.slice(i + 1).find((later) => transactionKind(later) === "end");
    if (kind === "begin") {
      if (runnerOpen) {
        const end = nextEnd();
        explained = end;
        report(context, statement, {
          message: end
            ? `${word(statement)} inside the runner's transaction is ignored; the ${word(end)} at line ${line(end)} ends it early`
            : `${word(statement)} inside the runner's transaction is ignored: transactions do not nest`,
          help: `Remove ${word(statement)}${end ? ` and the ${word(end)} at line ${line(end)}` : ""}: the runner's transaction already makes the file atomic`,
          old:
            `${word(statement)} runs inside the runner's transaction (${section.reason}): PostgreSQL ignores it with a WARNING (there is already a transaction in progress), because transactions do not nest. ` +
            (end
              ? `The ${word(end)} at line ${line(end)} then ${isRollback(end) ? "rolls back" : "commits"} the runner's transaction early: ` +
                (afterwards(statements, end)
                  ? "the statements after it run outside any transaction, each on its own, so a failure among them leaves the migration half-applied, "
                  : "") +
                "and the runner's own bookkeeping (recording the migration as applied) runs after it, outside the transaction, while the runner's COMMIT only warns" +
                (isRollback(end) ? ": the migration is recorded as applied although its work was rolled back." : ".")
              : "It has no effect; the runner's transaction commits the file."),
          oldHelp:
            `Remove ${word(statement)}${end ? ` and the ${word(end)} at line ${line(end)}` : ""}: the runner's transaction already makes the file atomic. ` +
            "To undo part of the work on an error, use SAVEPOINT name; … ROLLBACK TO SAVEPOINT name; inside it. " +
            "If a statement must run outside a transaction (CREATE INDEX CONCURRENTLY), move it to a migration of its own that the runner runs without one.",
        });
        return;
      }
      if (begin) {
        const end = nextEnd();
        report(context, statement, {
          message: end
            ? messageLine(
                `${word(statement)} inside the transaction opened at line ${line(begin)} is ignored; the ${word(end)} at line ${line(end)} ends both`,
                `${word(statement)} inside an open transaction is ignored; the ${word(end)} at line ${line(end)} ends both`,
              )
            : `${word(statement)} inside the transaction opened at line ${line(begin)} is ignored: transactions do not nest`,
          help: `Remove this ${word(statement)} and its ${end ? `${word(end)} at line ${line(end)}` : "COMMIT"}; for a partial undo, use SAVEPOINT name; … ROLLBACK TO SAVEPOINT name;`,
          old:
            `${word(statement)} runs inside the transaction opened at line ${line(begin)}: PostgreSQL ignores it with a WARNING (there is already a transaction in progress), because transactions do not nest. ` +
            (end
              ? `The ${word(end)} at line ${line(end)} then ends the outer transaction too, ${isRollback(end) ? "undoing everything since line " + line(begin) : "committing everything since line " + line(begin)}, ` +
                "and the statements after it run outside any transaction, each on its own: a failure among them leaves the migration half-applied."
              : "It has no effect."),
          oldHelp:
            `Remove this ${word(statement)} and its ${end ? `${word(end)} at line ${line(end)}` : "COMMIT"}, keeping one BEGIN … COMMIT around the whole migration. ` +
            "To undo part of the work on an error, use SAVEPOINT name; … ROLLBACK TO SAVEPOINT name; (or RELEASE SAVEPOINT name;) inside the transaction.",
        });
        return;
      }
      begin = statement;
      return;
    }

    if (kind === "end") {
      const chain = statement.kind === "TransactionStmt" && statement.node.chain === true;
      if (runnerOpen) {
        runnerOpen = false;
        if (statement !== explained) {
          const rollback = isRollback(statement);
          report(context, statement, {
            message: `${word(statement)} ends the runner's transaction in the middle of the migration${rollback ? ", undoing the work before it" : ""}`,
            help: `Remove this ${word(statement)}: the runner commits the file's transaction itself, or rolls it back if a statement fails`,
            old:
              `${word(statement)} ends the runner's transaction (${section.reason}) in the middle of the migration: ` +
              (rollback
                ? "it undoes everything the file did before it, "
                : "it commits what the file did so far, ") +
              (afterwards(statements, statement) ? "the statements after it run outside any transaction, each on its own, " : "") +
              "and the runner's own bookkeeping (recording the migration as applied) runs outside the transaction, while the runner's COMMIT only warns" +
              (rollback ? ": the migration is recorded as applied although its work was rolled back." : "."),
            oldHelp: `Remove this ${word(statement)}: the runner commits the file's transaction itself, or rolls it back if a statement fails. To undo part of the work, use SAVEPOINT name; … ROLLBACK TO SAVEPOINT name;.`,
          });
        }
      } else if (begin) {
        begin = undefined;
      } else {
        const rollback = isRollback(statement);
        report(context, statement, {
          message: lastEnd
            ? `${word(statement)} with no transaction open is ignored: the ${word(lastEnd)} at line ${line(lastEnd)} already ended it`
            : `${word(statement)} with no transaction open is ignored: no BEGIN precedes it`,
          help: lastEnd
            ? `Remove this ${word(statement)}, or the ${word(lastEnd)} at line ${line(lastEnd)} if the statements in between belong to the transaction`
            : `Open the transaction with BEGIN; at the top, or remove this ${word(statement)} (runner wraps the file? "assumeInTransaction": true)`,
          old:
            `${word(statement)} runs with no transaction open: PostgreSQL ignores it with a WARNING (there is no transaction in progress). ` +
            (lastEnd
              ? `The transaction was already ended by the ${word(lastEnd)} at line ${line(lastEnd)}, so the statements in between ran outside any transaction, each on its own` +
                (rollback ? ", and this ROLLBACK cannot undo them." : ".")
              : `No BEGIN precedes it, so the statements before it ran outside any transaction, each on its own${rollback ? ", and this ROLLBACK cannot undo them" : ""}; ` +
                "if the runner wraps the file in a transaction, this ends the runner's transaction early instead."),
          oldHelp: lastEnd
            ? `Remove this ${word(statement)}, or the ${word(lastEnd)} at line ${line(lastEnd)} if the statements in between belong to the transaction.`
            : `Open the transaction at the top of the file with BEGIN;, or remove this ${word(statement)}. ${RUNNER_HINT}`,
        });
      }
      lastEnd = statement;
      if (chain) begin = statement;
      return;
    }

    if (statement.kind === "TransactionStmt" && SAVEPOINTS.has(String(statement.node.kind)) && !runnerOpen && !begin) {
      report(context, statement, {
        message: `${word(statement)} with no transaction open fails with an ERROR, and the migration stops here`,
        help: 'Open a transaction first (BEGIN; at the top of the file, COMMIT; at the end), or say "assumeInTransaction": true if the runner wraps it',
        old: `${word(statement)} runs with no transaction open: PostgreSQL rejects it with an ERROR (it can only be used in transaction blocks), and the migration stops here.`,
        oldHelp: `Open a transaction first (BEGIN; at the top of the file, COMMIT; at the end). ${RUNNER_HINT}`,
      });
    }
  });

  if (begin && !runnerOpen) {
    report(context, begin, {
      message: `${word(begin)} opens a transaction that the ${section.label} never ends: no COMMIT follows it`,
      help: "End the migration with COMMIT; after its last statement",
      old:
        `${word(begin)} opens a transaction that the ${section.label} never ends: no COMMIT follows it. What happens to the migration then depends on the runner. ` +
        "psql rolls it back when it disconnects at the end of the file, so the migration silently does nothing although psql reports no error; " +
        "a runner that keeps the connection leaves it idle in transaction, holding every lock the migration took (an ACCESS EXCLUSIVE lock blocks every read and write of its table) " +
        "until something commits or rolls it back.",
      oldHelp: "",
    });
  }
}

/** A finding at the statement: the short message and help, with the longer wording as its explanation. */
function report(context: RuleContext, statement: Statement, wording: { message: string; help: string; old: string; oldHelp: string }): void {
  context.report({
    range: statement.range,
    message: wording.message,
    help: wording.help,
    explanation: wording.oldHelp ? `${wording.old} ${wording.oldHelp}` : wording.old,
  });
}

const NAMES: Record<string, string> = {
  TRANS_STMT_START: "START TRANSACTION",
  TRANS_STMT_PREPARE: "PREPARE TRANSACTION",
  TRANS_STMT_SAVEPOINT: "SAVEPOINT",
  TRANS_STMT_RELEASE: "RELEASE SAVEPOINT",
  TRANS_STMT_ROLLBACK_TO: "ROLLBACK TO SAVEPOINT",
};

/** The statement as written: BEGIN, START TRANSACTION, COMMIT or END, ROLLBACK or ABORT, ... */
function keywordOf(statement: Statement): string {
  const kind = statement.kind === "TransactionStmt" ? String(statement.node.kind) : "";
  return NAMES[kind] ?? statement.tokens.find((token) => token.type === "keyword")?.upper ?? kind.replace(/^TRANS_STMT_/, "");
}

function isRollback(statement: Statement): boolean {
  return statement.kind === "TransactionStmt" && statement.node.kind === "TRANS_STMT_ROLLBACK";
}

/** True when statements other than SET/RESET and transaction control follow `end`. */
function afterwards(statements: readonly Statement[], end: Statement): boolean {
  return statements.some((statement) => statement.index > end.index && statement.kind !== "TransactionStmt" && statement.kind !== "VariableSetStmt");
}
