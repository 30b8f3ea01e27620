import { asList, stringOf, unwrap, walk } from "../src/parser/ast.js";
import type { AstNode, Statement } from "../src/parser/types.js";
import { LOCK_QUEUE, lockBlocks } from "../src/facts/lock-wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { lockArticle, strongest, type TableLock } from "../src/facts/locks.js";
import { listing, messageLine } from "../src/engine/wording.js";

type Timeout = { on: false } | { on: true; local: string | undefined };

/**
 * The lock_timeout a statement sets, if it sets one: `SET [LOCAL] lock_timeout`, `RESET`,
 * `SET ... TO DEFAULT`, or `SELECT set_config('lock_timeout', value, is_local)`.
 * `on` is false for a value of 0 (no timeout) and for DEFAULT/RESET (the server's default, 0 unless configured).
 */
function timeoutSetBy(statement: Statement): { on: boolean; local: boolean } | undefined {
  if (statement.kind === "VariableSetStmt") {
    const node = statement.node;
    const name = typeof node.name === "string" ? node.name.toLowerCase() : undefined;
    if (name !== "lock_timeout") return undefined;
    if (node.kind !== "VAR_SET_VALUE") return { on: false, local: node.is_local === true };
    const value = unwrap(asList(node.args)[0]);
    return { on: value?.type !== "A_Const" || !isZero(value.value), local: node.is_local === true };
  }
  // set_config('lock_timeout', …) is called from a SELECT; walking every other statement's tree would cost a lot for nothing.
  if (statement.kind !== "SelectStmt") return undefined;
  let found: { on: boolean; local: boolean } | undefined;
  walk(statement.node, (type, value) => {
    if (type !== "FuncCall") return;
    const names = asList(value.funcname).map(stringOf);
    if (names[names.length - 1] !== "set_config" || (names.length === 2 && names[0] !== "pg_catalog")) return;
    const [setting, newValue, isLocal] = asList(value.args).map(unwrap);
    if (setting?.type !== "A_Const" || (setting.value.sval as { sval?: string } | undefined)?.sval?.toLowerCase() !== "lock_timeout") return;
    const local = isLocal?.type === "A_Const" ? (isLocal.value.boolval as { boolval?: boolean } | undefined)?.boolval === true : false;
    found = { on: newValue?.type !== "A_Const" || !isZero(newValue.value), local };
  });
  return found;
}

/** A constant lock_timeout of 0: `0`, `'0'`, `'0ms'`, `'0s'`. */
function isZero(constant: AstNode): boolean {
  if (constant.isnull === true) return true;
  if (constant.ival) return ((constant.ival as { ival?: number }).ival ?? 0) === 0;
  if (constant.fval) return Number((constant.fval as { fval?: string }).fval) === 0;
  const text = (constant.sval as { sval?: string } | undefined)?.sval;
  if (text === undefined) return false;
  const number = /^\s*([0-9]*\.?[0-9]+)\s*[a-z]*\s*$/i.exec(text);
  return number !== null && Number(number[1]) === 0;
}

export default defineRule({
  meta: {
    id: "require-lock-timeout",
    severity: "careful",
    description: "A statement that locks an existing table against writes (or reads) runs with no lock_timeout set earlier in the file.",
    category: "locking",
    pgVersionNote: "< 12: ATTACH PARTITION also locks the parent ACCESS EXCLUSIVE",
  },
  checkFile(context) {
    const { transactions, locks, order } = context.facts;
    let timeout: Timeout = { on: false };
    for (const statement of order.statements) {
      const set = timeoutSetBy(statement);
      if (set) {
        const scope = transactions.of(statement).id;
        // SET LOCAL outside a transaction has no effect (PostgreSQL only warns).
        if (set.local && scope === undefined) continue;
        timeout = set.on ? { on: true, local: set.local ? scope : undefined } : { on: false };
        continue;
      }
      if (timeout.on && (timeout.local === undefined || timeout.local === transactions.of(statement).id)) continue;
      const taken = locks.onExistingObjects(statement);
      const lock = strongest(taken);
      if (!lock) continue;
      report(context, statement, lock, taken.filter((other) => other !== lock), timeout);
      return;
    }
  },
});

function report(context: RuleContext, statement: Statement, lock: TableLock, others: readonly TableLock[], timeout: Timeout): void {
  const queue =
    lock.level === "ACCESS EXCLUSIVE"
      ? `${LOCK_QUEUE}.`
      : "While it waits for running transactions that write to the table, every INSERT, UPDATE and DELETE that arrives after it waits too " +
        "(reads go on): a long-running transaction turns the migration into a write outage.";
  const expired = timeout.on ? " (the SET LOCAL lock_timeout earlier in the file ended with its transaction)" : "";
  // The locks it takes on other tables: a foreign key's referenced table, a partition, the table of a dropped foreign key.
  const also =
    others.length > 0
      ? ` It also takes ${listing(others.map((other) => `${lockArticle(other.level)} ${other.level} lock on ${other.label} (it blocks ${lockBlocks(other.level)})`))}, ` +
        `and waits for ${others.length > 1 ? "those" : "it"} the same way.`
      : "";
  const none = `with no lock_timeout${timeout.on ? " in effect" : ""}`;
  context.report({
    range: statement.range,
    message: messageLine(
      // "ALTER TABLE users takes … on users": the table once is enough.
      ...(lock.action.endsWith(` ${lock.label}`) ? [`${lock.action} takes ${lock.level} ${none}`] : []),
      `${lock.action} takes ${lock.level} on ${lock.label} ${none}`,
      `${lock.action} takes ${lock.level} ${none}`,
      `${lock.level} lock on ${lock.label} ${none}`,
      `${lock.level} lock ${none}`,
    ),
    help: "Start the file with SET lock_timeout = '5s';",
    explanation:
      `${lock.action} takes ${lockArticle(lock.level)} ${lock.level} lock on ${lock.label} (it blocks ${lockBlocks(lock.level)}), ` +
      `and no lock_timeout is in effect${expired}, so it waits for that lock as long as it takes.${also} ${queue} ` +
      "This is reported once per file, at the first statement that needs such a lock; the timeout protects the later ones too. " +
      "Set a lock timeout at the top of the file: SET lock_timeout = '5s'; A statement that cannot get its lock within 5 seconds then fails, " +
      "and the queries queued behind it go on, instead of all of them waiting together. Retry the migration when it fails that way (ideally automatically, after a pause). " +
      "Optionally add SET statement_timeout = '60s'; to bound how long each statement may run while it holds its lock.",
  });
}
