import { asList, displayName, relationName, unwrap, type QualifiedName } from "../src/parser/ast.js";
import { modifyingStatements } from "../src/parser/modifying-statements.js";
import type { AstNode, Statement } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { lockBlocks } from "../src/facts/lock-wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { listing, messageLine } from "../src/engine/wording.js";
import { lockArticle, stronger, type TableLock } from "../src/facts/locks.js";

/** Statements whose lock on a table is a schema change (not LOCK TABLE, TRUNCATE, DROP, VACUUM ...). */
const SCHEMA_CHANGES = new Set(["AlterTableStmt", "CreateStmt", "IndexStmt", "CreateTrigStmt", "RenameStmt", "DropStmt", "CreatePolicyStmt", "AlterPolicyStmt", "RuleStmt"]);

interface Backfill {
  kind: "update" | "delete" | "insert";
  verb: string;
  table: QualifiedName;
  range: Range;
}

interface HeldLock {
  lock: TableLock;
  statement: Statement;
}

/** The first backfill of a table in a transaction, and the later ones of the same table there. */
interface Found {
  backfill: Backfill;
  statement: Statement;
  held: HeldLock;
  scope: string;
  later: Backfill[];
}

export default defineRule({
  meta: {
    id: "schema-change-with-backfill",
    severity: "careful",
    description: "An UPDATE, DELETE or INSERT ... SELECT of a table runs in the same transaction as an earlier schema change that locked it, so the lock is held for the whole backfill.",
    category: "locking",
  },
  checkFile(context) {
    const { transactions, history, locks, names, order } = context.facts;
    const held: HeldLock[] = [];
    // One finding per table and transaction: the later backfills of the table run under the same lock, one decision.
    const found: Found[] = [];
    for (const statement of order.statements) {
      const scope = transactions.of(statement).id;
      for (const backfill of backfillsOf(statement)) {
        if (scope === undefined || history.isNewOrEmptied(statement, backfill.table)) continue;
        const same = held.filter((entry) => transactions.of(entry.statement).id === scope && names.sameRelation(entry.lock.table, entry.statement, backfill.table, statement));
        if (same.length === 0) continue;
        const first = found.find((earlier) => earlier.scope === scope && names.sameRelation(earlier.backfill.table, earlier.statement, backfill.table, statement));
        if (first) {
          first.later.push(backfill);
          continue;
        }
        const strongest = same.reduce((a, b) => (stronger(a.lock.level, b.lock.level) === a.lock.level ? a : b));
        found.push({ backfill, statement, held: strongest, scope, later: [] });
      }
      if (scope === undefined || !SCHEMA_CHANGES.has(statement.kind)) continue;
      for (const lock of locks.onExistingObjects(statement)) {
        if (lock.table) held.push({ lock, statement });
      }
    }
    for (const each of found) report(context, each);
  },
});

/** The UPDATEs, DELETEs and INSERT ... SELECT ... FROM a statement runs, with the table each one writes. */
function backfillsOf(statement: Statement): Backfill[] {
  const found: Backfill[] = [];
  for (const kind of ["UpdateStmt", "DeleteStmt"] as const) {
    for (const modifying of modifyingStatements(statement, kind)) {
      const table = relationName(modifying.node.relation);
      if (table) {
        const update = kind === "UpdateStmt";
        found.push({ kind: update ? "update" : "delete", verb: update ? `UPDATE ${displayName(table)}` : `DELETE FROM ${displayName(table)}`, table, range: modifying.range });
      }
    }
  }
  if (statement.kind === "InsertStmt" && readsRows(statement.node.selectStmt)) {
    const table = relationName(statement.node.relation);
    if (table) found.push({ kind: "insert", verb: `INSERT INTO ${displayName(table)} … SELECT`, table, range: statement.range });
  }
  return found;
}

/** True for a SELECT that reads rows from somewhere (a FROM clause), as opposed to VALUES or a SELECT of constants. */
function readsRows(select: unknown): boolean {
  const node = unwrap(select);
  if (node?.type !== "SelectStmt") return false;
  const value: AstNode = node.value;
  if (asList(value.fromClause).length > 0) return true;
  return readsRows({ SelectStmt: value.larg }) || readsRows({ SelectStmt: value.rarg });
}

function report(context: RuleContext, { backfill, held, scope, later }: Found): void {
  const { lock } = held;
  const table = displayName(backfill.table);
  const line = context.lineOf(held.statement.range);
  const split = scope.startsWith("runner@")
    ? "The migration runner runs the whole file in one transaction: move the backfill to a later migration (or one the runner runs without a transaction)"
    : scope.startsWith("do@")
      ? "A DO block runs as one transaction: make the schema change outside it, on its own"
      : "Commit the schema change first (COMMIT; right after it, or move the backfill to a later migration)";
  const shortSplit = scope.startsWith("runner@")
    ? "Move the backfill to a later migration"
    : scope.startsWith("do@")
      ? "Make the schema change outside the DO block"
      : "Commit the schema change first (COMMIT; right after it)";
  // The message names the statement without an ellipsis: `INSERT INTO t … SELECT` is for the explanation.
  const shortVerb = backfill.kind === "insert" ? `INSERT INTO ${table} from a SELECT` : backfill.verb;
  const runs = "runs under the schema change's lock";
  context.report({
    range: backfill.range,
    message: messageLine(
      `${shortVerb} runs under the lock taken by ${lock.action} (${lock.level})`,
      `${shortVerb} ${runs} (${lock.level})`,
      `The ${backfill.kind === "insert" ? "INSERT from a SELECT" : backfill.kind.toUpperCase()} ${runs} on ${table} (${lock.level})`,
      `The ${backfill.kind === "insert" ? "INSERT from a SELECT" : backfill.kind.toUpperCase()} ${runs} (${lock.level})`,
    ),
    help: `${shortSplit}, then backfill in batches, each in its own short transaction`,
    explanation:
      `${backfill.verb} runs in the same transaction as ${lock.action} at line ${line}, which took ${lockArticle(lock.level)} ${lock.level} lock on ${table}. ` +
      `PostgreSQL holds that lock until the transaction commits, so it blocks ${lockBlocks(lock.level)} for as long as this statement runs: ` +
      `on a large table, the whole backfill, seconds to hours of ${lock.level === "ACCESS EXCLUSIVE" ? "downtime" : "blocked writes"}.` +
      (backfill.kind === "insert" ? "" : " Every row it changes also stays row-locked until COMMIT.") +
      laterSentence(context, later, table) +
      ` ${split}, then backfill in batches, each in its own short transaction, so that no lock is held for long: ${batch(backfill, table)}`,
  });
}

function laterSentence(context: RuleContext, later: readonly Backfill[], table: string): string {
  if (later.length === 0) return "";
  const lines = later.map((backfill) => context.lineOf(backfill.range));
  return ` The same transaction writes ${table} again at line${lines.length > 1 ? "s" : ""} ${listing(lines.map(String))}, under the same lock: batch those too.`;
}

function batch(backfill: Backfill, table: string): string {
  switch (backfill.kind) {
    case "update":
      return `UPDATE ${table} SET … WHERE id IN (SELECT id FROM ${table} WHERE <not yet backfilled> ORDER BY id LIMIT 1000); repeated until it updates no row.`;
    case "delete":
      return `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE <condition> ORDER BY id LIMIT 1000); repeated until it deletes no row.`;
    case "insert":
      return `INSERT INTO ${table} (…) SELECT … FROM … WHERE id > <last copied id> ORDER BY id LIMIT 1000; repeated until it inserts no row.`;
  }
}
