/**
 * Runs a migration's statements one by one, the way its runner would, and watches
 * what each one does to the relations that existed before: the locks it takes
 * (`pg_locks` of this session, read inside the transaction) and the tables it
 * rewrites (`relfilenode` changed, same oid).
 */
import { refusedInTransaction } from "../facts/refused-in-transaction.js";
import { transactionControl } from "../facts/transactions.js";
import type { Statement } from "../parser/types.js";
import { userSchema } from "./catalog.js";
import { databaseError, type DatabaseError, type VerifyDatabase } from "./database.js";
import { LOCK_MODE_STRENGTH as LOCK_STRENGTH, type LockMode } from "../facts/lock-wording.js";
import { compareText } from "../files/compare-text.js";

export { LOCK_STRENGTH, type LockMode };

/** `pg_locks.mode` as the docs and migsafe's messages name it: "AccessExclusiveLock" → "ACCESS EXCLUSIVE". */
export function lockModeName(mode: string): LockMode | undefined {
  const name = mode
    .replace(/Lock$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase();
  return name in LOCK_STRENGTH ? (name as LockMode) : undefined;
}

/** A table, materialized view or index of the user's schemas. */
export interface Relation {
  oid: string;
  schema: string;
  name: string;
  /** pg_class.relkind: r, p, m, i, I. */
  kind: string;
  relfilenode: string;
  /** For an index: its table's oid. */
  tableOid?: string;
}

/** "users", or "audit.events" outside the public schema. */
export function relationName(relation: Relation): string {
  return relation.schema === "public" ? relation.name : `${relation.schema}.${relation.name}`;
}

/** Tables and materialized views: what lock and rewrite reports are about (an index goes with its table). */
export function isTable(relation: Relation): boolean {
  return relation.kind === "r" || relation.kind === "p" || relation.kind === "m";
}

/** The tables, materialized views and indexes of the user's schemas, by oid. */
export async function userRelations(db: VerifyDatabase, ignored: readonly string[] = []): Promise<Map<string, Relation>> {
  const rows = await db.query<{ oid: string; schema: string; name: string; kind: string; relfilenode: string; table_oid: string | null }>(`
    SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relfilenode::text AS relfilenode,
      i.indrelid::text AS table_oid
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
    WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I') AND ${userSchema("n.nspname", ignored)}`);
  const relations = new Map<string, Relation>();
  for (const row of rows) {
    relations.set(row.oid, {
      oid: row.oid,
      schema: row.schema,
      name: row.name,
      kind: row.kind,
      relfilenode: row.relfilenode,
      ...(row.table_oid ? { tableOid: row.table_oid } : {}),
    });
  }
  return relations;
}

/**
 * A run of statements and the transaction it runs in:
 * - `runner`: the transaction a runner opens around the file (migsafe opens it, and commits it after the last statement);
 * - `file`: the file's own BEGIN … COMMIT block, run as written;
 * - `autocommit`: one statement outside any transaction, which commits on its own (migsafe wraps it to read its locks);
 * - `bare`: one statement PostgreSQL refuses in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, …),
 *   or transaction control outside a block: run alone, its locks cannot be read.
 */
export interface Segment {
  kind: "runner" | "file" | "autocommit" | "bare";
  statements: Statement[];
  /** The file's COMMIT or ROLLBACK that ends the transaction, when the file ends it itself. */
  end?: Statement;
}

/**
 * Groups a migration's statements by the transaction each runs in. `scopeOf` is the
 * transaction's id from the facts (`runner@…`, `begin@…`, or undefined for autocommit). A statement that refuses a transaction block splits the
 * runner's transaction around it: runners with a no-transaction mode run it that way,
 * and the static rule forbidden-in-transaction reports the runners that do not.
 */
export function planSegments(statements: readonly Statement[], scopeOf: (statement: Statement) => string | undefined, pgVersion: number): Segment[] {
  const segments: Segment[] = [];
  let current: Segment | undefined;
  let currentScope: string | undefined;
  for (const statement of statements) {
    const scope = scopeOf(statement);
    const control = transactionControl(statement);
    if (scope?.startsWith("runner@") && refusedInTransaction(statement, pgVersion) && control === undefined) {
      segments.push({ kind: "bare", statements: [statement] });
      current = undefined;
      continue;
    }
    if (scope !== undefined) {
      const kind = scope.startsWith("runner@") ? "runner" : "file";
      if (!current || current.kind !== kind || currentScope !== scope) {
        current = { kind, statements: [] };
        currentScope = scope;
        segments.push(current);
      }
      current.statements.push(statement);
      if (control === "end") {
        current.end = statement;
        current = undefined;
      }
      continue;
    }
    current = undefined;
    currentScope = undefined;
    const alone = statement.kind === "TransactionStmt" || refusedInTransaction(statement, pgVersion) !== undefined;
    segments.push({ kind: alone ? "bare" : "autocommit", statements: [statement] });
  }
  return segments;
}

/** A lock a statement took on a relation that existed before the migration: the strongest mode it added. */
export interface TakenLock {
  relation: Relation;
  mode: LockMode;
  statement: Statement;
  segment: Segment;
}

/** A table a statement rewrote: its relfilenode changed. */
export interface Rewrite {
  relation: Relation;
  statement: Statement;
  /** How many of its indexes were rebuilt by the same statement. */
  indexes: number;
}

export interface Failure {
  statement: Statement;
  error: DatabaseError;
  /** True when the statements ran and the error came at COMMIT (a deferred constraint). */
  atCommit?: boolean;
  segment?: Segment;
}

/** What a statement's transaction held on a table right after the statement: its strongest mode, and the statement that first took that mode. */
export interface HeldLock {
  relation: Relation;
  mode: LockMode;
  since: Statement;
}

export interface ApplyResult {
  /** The locks of the statements whose transaction committed. */
  locks: TakenLock[];
  /** After each statement of a committed transaction: every table its transaction held a lock on, by oid. */
  held: Map<Statement, Map<string, HeldLock>>;
  /** How long each statement took, in milliseconds. */
  durations: Map<Statement, number>;
  /** The rewrites of the statements whose transaction committed, or that ran alone. */
  rewrites: Rewrite[];
  /** The statement that failed; the statements after it did not run, and its transaction was rolled back. */
  failure?: Failure;
  /** Statements run alone (outside any transaction), whose locks are gone before they can be read. */
  unobserved: Statement[];
}

/**
 * Applies the segments in order, reading this session's locks after every statement
 * that runs in a transaction, and every relation's relfilenode after every statement.
 * Stops at the first error: the failing transaction is rolled back, earlier ones stay committed.
 */
export async function applySegments(
  db: VerifyDatabase,
  segments: readonly Segment[],
  before: ReadonlyMap<string, Relation>,
  ignored: readonly string[] = [],
): Promise<ApplyResult> {
  const result: ApplyResult = { locks: [], held: new Map(), durations: new Map(), rewrites: [], unobserved: [] };
  const files = new Map([...before].map(([oid, relation]) => [oid, relation.relfilenode]));
  for (const segment of segments) {
    const locks: TakenLock[] = [];
    const rewrites: Rewrite[] = [];
    const held = new Map<string, Set<LockMode>>();
    const since = new Map<string, Statement>();
    const heldAfter = new Map<Statement, Map<string, HeldLock>>();
    const opens = segment.kind === "runner" || segment.kind === "autocommit";
    if (opens) await db.exec("BEGIN");
    for (const statement of segment.statements) {
      try {
        const started = performance.now();
        await db.run(statement.text);
        result.durations.set(statement, performance.now() - started);
      } catch (error) {
        await rollback(db);
        return { ...result, failure: { statement, error: databaseError(error), segment } };
      }
      // BEGIN and SET take no lock and rewrite nothing; and a query of verify's own after BEGIN would take the
      // transaction's snapshot, which makes the file's SET TRANSACTION ISOLATION LEVEL fail (25001).
      if (statement.kind === "TransactionStmt" || statement.kind === "VariableSetStmt") continue;
      if (segment.kind === "bare") result.unobserved.push(statement);
      else if (statement !== segment.end) {
        locks.push(...(await newLocks(db, before, held, statement, segment)));
        heldAfter.set(statement, heldLocks(held, since, before, statement));
      }
      rewrites.push(...(await newRewrites(db, before, files, statement, ignored)));
    }
    if (segment.end === undefined && segment.kind !== "bare") {
      try {
        await db.exec("COMMIT");
      } catch (error) {
        await rollback(db);
        return { ...result, failure: { statement: segment.statements[segment.statements.length - 1]!, error: databaseError(error), atCommit: true, segment } };
      }
    }
    result.locks.push(...locks);
    for (const [statement, tables] of heldAfter) result.held.set(statement, tables);
    result.rewrites.push(...rewrites);
  }
  return result;
}

/** ROLLBACK outside a transaction is only a warning: safe whatever state the failure left. */
async function rollback(db: VerifyDatabase): Promise<void> {
  try {
    await db.exec("ROLLBACK");
  } catch {
    // The session is gone; the next statement reports it.
  }
}

/** The strongest mode held on each table after `statement`, and the statement that first took it (`since` remembers, by oid and mode). */
function heldLocks(held: ReadonlyMap<string, ReadonlySet<LockMode>>, since: Map<string, Statement>, before: ReadonlyMap<string, Relation>, statement: Statement): Map<string, HeldLock> {
  const tables = new Map<string, HeldLock>();
  for (const [oid, modes] of held) {
    for (const mode of modes) if (!since.has(`${oid} ${mode}`)) since.set(`${oid} ${mode}`, statement);
    const mode = [...modes].reduce((a, b) => (LOCK_STRENGTH[b] > LOCK_STRENGTH[a] ? b : a));
    tables.set(oid, { relation: before.get(oid)!, mode, since: since.get(`${oid} ${mode}`)! });
  }
  return tables;
}

async function newLocks(
  db: VerifyDatabase,
  before: ReadonlyMap<string, Relation>,
  held: Map<string, Set<LockMode>>,
  statement: Statement,
  segment: Segment,
): Promise<TakenLock[]> {
  const rows = await db.query<{ oid: string; mode: string }>(`
    SELECT l.relation::text AS oid, l.mode
    FROM pg_catalog.pg_locks l
    WHERE l.locktype = 'relation' AND l.granted AND l.pid = pg_catalog.pg_backend_pid()
      AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())`);
  // In the tables' name order: pg_locks lists them in its hash table's order, which differs between two sessions.
  const named = rows.flatMap((row) => {
    const relation = before.get(row.oid);
    const mode = lockModeName(row.mode);
    return relation && isTable(relation) && mode ? [{ oid: row.oid, relation, mode }] : [];
  });
  named.sort((a, b) => compareText(a.relation.schema, b.relation.schema) || compareText(a.relation.name, b.relation.name));
  const now = new Map<string, Set<LockMode>>();
  for (const { oid, mode } of named) {
    const modes = now.get(oid) ?? new Set();
    modes.add(mode);
    now.set(oid, modes);
  }
  const taken: TakenLock[] = [];
  for (const [oid, modes] of now) {
    const added = [...modes].filter((mode) => !held.get(oid)?.has(mode));
    if (added.length === 0) continue;
    const mode = added.reduce((a, b) => (LOCK_STRENGTH[b] > LOCK_STRENGTH[a] ? b : a));
    taken.push({ relation: before.get(oid)!, mode, statement, segment });
  }
  held.clear();
  for (const [oid, modes] of now) held.set(oid, modes);
  return taken;
}

async function newRewrites(
  db: VerifyDatabase,
  before: ReadonlyMap<string, Relation>,
  files: Map<string, string>,
  statement: Statement,
  ignored: readonly string[],
): Promise<Rewrite[]> {
  const now = await userRelations(db, ignored);
  const changed: Relation[] = [];
  for (const [oid, relfilenode] of files) {
    const current = now.get(oid);
    if (!current) {
      files.delete(oid);
      continue;
    }
    if (current.relfilenode === relfilenode) continue;
    files.set(oid, current.relfilenode);
    changed.push(before.get(oid)!);
  }
  // TRUNCATE gives a table a new, empty file: nothing is copied.
  if (statement.kind === "TruncateStmt") return [];
  return changed.filter(isTable).map((relation) => ({
    relation,
    statement,
    indexes: changed.filter((index) => index.tableOid === relation.oid).length,
  }));
}

/**
 * The text to run a statement in a transaction that is rolled back afterwards (the
 * rollback round trip, --rerun): as written, or without CONCURRENTLY where that is the
 * only reason PostgreSQL refuses it in a transaction (the schema it leaves is the same).
 * Undefined for statements that cannot run in a transaction at all (VACUUM, CREATE DATABASE, …).
 */
export function transactionalText(statement: Statement, pgVersion: number): string | undefined {
  if (refusedInTransaction(statement, pgVersion) === undefined) return statement.text;
  if (!["IndexStmt", "DropStmt", "AlterTableStmt"].includes(statement.kind)) return undefined;
  const keyword = statement.tokens.find((token) => token.type === "keyword" && token.upper === "CONCURRENTLY");
  if (!keyword) return undefined;
  const start = keyword.start - statement.range.start;
  const end = keyword.end - statement.range.start;
  return statement.text.slice(0, start) + " ".repeat(end - start) + statement.text.slice(end);
}

/** Transaction control that works inside the caller's transaction: savepoints. */
const SAVEPOINTS = new Set(["TRANS_STMT_SAVEPOINT", "TRANS_STMT_RELEASE", "TRANS_STMT_ROLLBACK_TO"]);

export interface TransactionalRun {
  failure?: Failure;
  /** Statements left out: they cannot run in a transaction. */
  skipped: Statement[];
}

/**
 * Runs statements inside a transaction the caller opened (and rolls back): the file's
 * own BEGIN/COMMIT are left out, so that everything stays in the caller's transaction.
 * Stops at the first error; the caller's transaction is then aborted.
 */
export async function runTransactional(db: VerifyDatabase, statements: readonly Statement[]): Promise<TransactionalRun> {
  const skipped: Statement[] = [];
  for (const statement of statements) {
    if (statement.kind === "TransactionStmt" && !SAVEPOINTS.has(String(statement.node.kind))) continue;
    const text = transactionalText(statement, db.majorVersion);
    if (text === undefined) {
      skipped.push(statement);
      continue;
    }
    try {
      await db.run(text);
    } catch (error) {
      return { failure: { statement, error: databaseError(error) }, skipped };
    }
  }
  return { skipped };
}
