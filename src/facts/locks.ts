/**
 * The table locks each statement takes, per PostgreSQL's lock table for each command and ALTER TABLE
 * action, including the ones it takes on other tables (the table a foreign key references, the
 * partition it attaches).
 */
import { asList, displayName, listName, relationName, stringOf, unwrap, walk, type QualifiedName } from "../parser/ast.js";
import type { AstNode, Statement } from "../parser/types.js";
import type { History, ObjectKind } from "./history.js";
import { LOCK_MODE_STRENGTH, type LockLevel } from "./lock-wording.js";
import type { Names } from "./names.js";
import type { RunOrder } from "./run-order.js";
import type { Transactions } from "./transactions.js";
import { optionIsOn } from "./options.js";

export interface TableLock {
  level: LockLevel;
  /** What is locked, for messages: `users`, `the table of index users_email_idx`, `every table of the database, one after another`. */
  label: string;
  /** The table, when the statement names it. */
  table?: QualifiedName;
  /** The object the statement names, to tell whether it is new in this file: the table, or the index or materialized view. */
  object?: { kind: ObjectKind; name: QualifiedName };
  /** The statement or action taking the lock: `ALTER TABLE users`, `CREATE TABLE orders (its foreign key to users)`. */
  action: string;
}


/** LOCK TABLE's `mode`: PostgreSQL's lock mode numbers. */
const LOCK_MODES: Record<number, LockLevel> = { 5: "SHARE", 6: "SHARE ROW EXCLUSIVE", 7: "EXCLUSIVE", 8: "ACCESS EXCLUSIVE" };

/** ALTER TABLE actions that take less than ACCESS EXCLUSIVE (PostgreSQL's AlterTableGetLockLevel). */
const SHARE_UPDATE_EXCLUSIVE_ACTIONS = new Set([
  "AT_SetStatistics",
  "AT_ClusterOn",
  "AT_DropCluster",
  "AT_SetOptions",
  "AT_ResetOptions",
  "AT_ValidateConstraint",
  "AT_DetachPartitionFinalize",
]);
const SHARE_ROW_EXCLUSIVE_ACTIONS = new Set([
  "AT_EnableTrig",
  "AT_EnableAlwaysTrig",
  "AT_EnableReplicaTrig",
  "AT_EnableTrigAll",
  "AT_EnableTrigUser",
  "AT_DisableTrig",
  "AT_DisableTrigAll",
  "AT_DisableTrigUser",
]);
/** Storage parameters of a table that ALTER TABLE ... SET (...) changes under ACCESS EXCLUSIVE; every other one takes SHARE UPDATE EXCLUSIVE. */
const ACCESS_EXCLUSIVE_RELOPTIONS = new Set(["user_catalog_table"]);

export function stronger(a: LockLevel, b: LockLevel): LockLevel {
  return LOCK_MODE_STRENGTH[a] >= LOCK_MODE_STRENGTH[b] ? a : b;
}

/** "an ACCESS EXCLUSIVE lock", "a SHARE lock". */
export function lockArticle(level: LockLevel): string {
  return level === "ACCESS EXCLUSIVE" || level === "EXCLUSIVE" ? "an" : "a";
}

/**
 * The locks a statement takes that block at least writes of a table (SHARE or stronger):
 * the ones that queue traffic while they wait. Locks of SHARE UPDATE EXCLUSIVE or weaker
 * (VALIDATE CONSTRAINT, SET STATISTICS, CONCURRENTLY, ATTACH PARTITION on the parent) are left out.
 */
type SameTable = (a: QualifiedName, b: QualifiedName) => boolean;
/** The table a constraint of a table references, when it is a foreign key the file created. */
type ForeignKeyTarget = (table: QualifiedName, constraint: string) => QualifiedName | undefined;

function tableLocks(statement: Statement, pgVersion: number, sameTable: SameTable, foreignKeyTarget: ForeignKeyTarget): TableLock[] {
  const node = statement.node as AstNode;
  switch (statement.kind) {
    case "AlterTableStmt":
      return node.objtype === "OBJECT_TABLE" ? alterTableLocks(statement, pgVersion, sameTable, foreignKeyTarget) : [];
    case "CreateStmt":
      return createTableLocks(node, sameTable);
    case "AlterObjectSchemaStmt":
      return node.objectType === "OBJECT_TABLE" ? onTable(relationName(node.relation), "ACCESS EXCLUSIVE", (t) => `ALTER TABLE ${t} SET SCHEMA`) : [];
    case "RenameStmt":
      return renameLocks(node);
    case "DropStmt":
      return dropLocks(node);
    case "TruncateStmt":
      return relations(node.relations).flatMap((table) => onTable(table, "ACCESS EXCLUSIVE", (t) => `TRUNCATE ${t}`));
    case "IndexStmt":
      if (node.concurrent === true) return [];
      return onTable(relationName(node.relation), "SHARE", (t) => `CREATE INDEX${typeof node.idxname === "string" ? ` ${displayName({ name: node.idxname })}` : ""} ON ${t}`);
    case "CreateTrigStmt":
      return onTable(relationName(node.relation), "SHARE ROW EXCLUSIVE", (t) => `CREATE TRIGGER ${displayName({ name: String(node.trigname) })} ON ${t}`);
    case "CreatePolicyStmt":
    case "AlterPolicyStmt": {
      const verb = statement.kind === "CreatePolicyStmt" ? "CREATE" : "ALTER";
      return onTable(relationName(node.table), "ACCESS EXCLUSIVE", (t) => `${verb} POLICY ${displayName({ name: String(node.policy_name) })} ON ${t}`);
    }
    case "RuleStmt":
      return onTable(relationName(node.relation), "ACCESS EXCLUSIVE", (t) => `CREATE RULE ${displayName({ name: String(node.rulename) })} ON ${t}`);
    case "LockStmt": {
      const level = LOCK_MODES[Number(node.mode)];
      return level ? relations(node.relations).flatMap((table) => onTable(table, level, (t) => `LOCK TABLE ${t}`)) : [];
    }
    case "RefreshMatViewStmt": {
      const view = relationName(node.relation);
      if (node.concurrent === true || !view) return [];
      const name = displayName(view);
      return [{ level: "ACCESS EXCLUSIVE", label: name, object: { kind: "materialized-view", name: view }, action: `REFRESH MATERIALIZED VIEW ${name}` }];
    }
    case "VacuumStmt":
      return vacuumLocks(node);
    case "ClusterStmt": {
      const table = relationName(node.relation);
      if (table) return onTable(table, "ACCESS EXCLUSIVE", (t) => `CLUSTER ${t}`);
      return [{ level: "ACCESS EXCLUSIVE", label: "every table clustered before, one after another", action: "CLUSTER" }];
    }
    case "ReindexStmt":
      return reindexLocks(node);
    default:
      return [];
  }
}

function onTable(table: QualifiedName | undefined, level: LockLevel, action: (name: string) => string): TableLock[] {
  if (!table) return [];
  const name = displayName(table);
  return [{ level, label: name, table, object: { kind: "table", name: table }, action: action(name) }];
}

function relations(list: unknown): QualifiedName[] {
  return asList(list)
    .map((item) => unwrap(item))
    .filter((item) => item?.type === "RangeVar")
    .map((item) => relationName(item!.value))
    .filter((name): name is QualifiedName => name !== undefined);
}

function alterTableLocks(statement: Statement & { kind: "AlterTableStmt" }, pgVersion: number, sameTable: SameTable, foreignKeyTarget: ForeignKeyTarget): TableLock[] {
  const table = relationName(statement.node.relation);
  if (!table) return [];
  const name = displayName(table);
  let own: LockLevel | undefined;
  const others: TableLock[] = [];
  const commands = asList(statement.node.cmds).flatMap((cmd) => (unwrap(cmd)?.type === "AlterTableCmd" ? [unwrap(cmd)!.value] : []));
  // A foreign key dropped and added again under its name in one statement (to change ON DELETE): the dropped one
  // references the table the new one does, whose ACCESS EXCLUSIVE lock dropping it takes (see droppedForeignKeyLocks).
  const added = new Map(commands.flatMap((cmd) => addedForeignKey(cmd)));
  const dropped = (cmd: AstNode) => (cmd.subtype === "AT_DropConstraint" && typeof cmd.name === "string" ? cmd.name : undefined);
  const readded = new Set(commands.map(dropped).filter((constraint): constraint is string => constraint !== undefined && added.has(constraint)));
  // …unless what the file or the folder's history knows of the dropped key says it referenced another table.
  const referencesOtherThan = (constraint: string, added: QualifiedName) => {
    const before = foreignKeyTarget(table, constraint);
    return before !== undefined && !sameTable(before, added);
  };
  for (const cmd of commands) {
    const level = actionLock(cmd, pgVersion);
    if (level) own = own ? stronger(own, level) : level;
    const constraint = unwrap(cmd.def)?.value.conname;
    for (const referenced of foreignKeyTargets(cmd.def)) {
      if (sameTable(referenced, table)) continue;
      if (typeof constraint === "string" && readded.has(constraint)) {
        others.push(...onTable(referenced, "ACCESS EXCLUSIVE", (t) => `ALTER TABLE ${name} (its foreign key to ${t}, dropped and added again)`));
      } else others.push(...onTable(referenced, "SHARE ROW EXCLUSIVE", (t) => `ALTER TABLE ${name} (its foreign key to ${t})`));
    }
    const partition = cmd.subtype === "AT_AttachPartition" ? relationName((unwrap(cmd.def)?.value as AstNode | undefined)?.name) : undefined;
    if (partition) others.push(...onTable(partition, "ACCESS EXCLUSIVE", (t) => `ALTER TABLE ${name} ATTACH PARTITION ${t}`));
    const droppedName = dropped(cmd);
    if (droppedName !== undefined && (!readded.has(droppedName) || referencesOtherThan(droppedName, added.get(droppedName)!))) {
      others.push(...droppedForeignKeyLocks(table, droppedName, sameTable, foreignKeyTarget));
    }
  }
  return [...(own ? onTable(table, own, () => `ALTER TABLE ${name}`) : []), ...others];
}

/**
 * Dropping a foreign key drops its triggers on the referenced table too, under an ACCESS EXCLUSIVE lock on it
 * (PostgreSQL's dropconstraint_internal takes the lock RemoveTriggerById needs). The referenced table is known for
 * a foreign key the file created; otherwise a name PostgreSQL gives foreign keys, `<table>_<columns>_fkey`, says
 * "probably", and which table it references is unknown.
 */
function droppedForeignKeyLocks(table: QualifiedName, constraint: string, sameTable: SameTable, foreignKeyTarget: ForeignKeyTarget): TableLock[] {
  const name = displayName(table);
  const action = `ALTER TABLE ${name} DROP CONSTRAINT ${displayName({ name: constraint })}`;
  const referenced = foreignKeyTarget(table, constraint);
  if (referenced) return sameTable(referenced, table) ? [] : onTable(referenced, "ACCESS EXCLUSIVE", (t) => `${action} (its foreign key to ${t})`);
  if (!constraint.startsWith(`${table.name}_`) || !constraint.endsWith("_fkey")) return [];
  return [{ level: "ACCESS EXCLUSIVE", label: `the table that ${displayName({ name: constraint })}, probably a foreign key by its name, references`, action }];
}

/** The name of the foreign key an ALTER TABLE action adds, with the table it references. */
function addedForeignKey(cmd: AstNode): [string, QualifiedName][] {
  const constraint = unwrap(cmd.def);
  if (cmd.subtype !== "AT_AddConstraint" || constraint?.type !== "Constraint" || constraint.value.contype !== "CONSTR_FOREIGN") return [];
  const name = constraint.value.conname;
  const referenced = relationName(constraint.value.pktable);
  return typeof name === "string" && referenced ? [[name, referenced]] : [];
}

/** The lock one ALTER TABLE action takes on the altered table, when it is SHARE or stronger. */
function actionLock(cmd: AstNode, pgVersion: number): LockLevel | undefined {
  const subtype = String(cmd.subtype);
  if (SHARE_UPDATE_EXCLUSIVE_ACTIONS.has(subtype)) return undefined;
  if (SHARE_ROW_EXCLUSIVE_ACTIONS.has(subtype)) return "SHARE ROW EXCLUSIVE";
  switch (subtype) {
    case "AT_SetRelOptions":
    case "AT_ResetRelOptions": {
      const options = asList(unwrap(cmd.def)?.value.items ?? cmd.def).map((item) => unwrap(item)?.value.defname);
      return options.some((option) => typeof option === "string" && ACCESS_EXCLUSIVE_RELOPTIONS.has(option.toLowerCase())) ? "ACCESS EXCLUSIVE" : undefined;
    }
    case "AT_AttachPartition":
      // PostgreSQL 12 lowered the parent's lock to SHARE UPDATE EXCLUSIVE; the partition itself is locked ACCESS EXCLUSIVE.
      return pgVersion < 12 ? "ACCESS EXCLUSIVE" : undefined;
    case "AT_DetachPartition":
      return (unwrap(cmd.def)?.value as AstNode | undefined)?.concurrent === true ? undefined : "ACCESS EXCLUSIVE";
    case "AT_AddConstraint": {
      const constraint = unwrap(cmd.def);
      return constraint?.type === "Constraint" && constraint.value.contype === "CONSTR_FOREIGN" ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE";
    }
    default:
      return "ACCESS EXCLUSIVE";
  }
}

/** The tables referenced by the foreign keys an ALTER TABLE action or CREATE TABLE element adds. */
function foreignKeyTargets(def: unknown): QualifiedName[] {
  const found: QualifiedName[] = [];
  walk([def], (type, value) => {
    if (type === "Constraint" && value.contype === "CONSTR_FOREIGN") {
      const target = relationName(value.pktable);
      if (target) found.push(target);
    }
  });
  return found;
}

function createTableLocks(node: AstNode, sameTable: SameTable): TableLock[] {
  const table = relationName(node.relation);
  if (!table) return [];
  const name = displayName(table);
  const locks: TableLock[] = [];
  if (node.partbound) {
    for (const parent of relations(node.inhRelations)) locks.push(...onTable(parent, "ACCESS EXCLUSIVE", (t) => `CREATE TABLE ${name} PARTITION OF ${t}`));
  }
  for (const referenced of foreignKeyTargets(node.tableElts)) {
    if (!sameTable(referenced, table)) locks.push(...onTable(referenced, "SHARE ROW EXCLUSIVE", (t) => `CREATE TABLE ${name} (its foreign key to ${t})`));
  }
  return locks;
}

function renameLocks(node: AstNode): TableLock[] {
  const table = relationName(node.relation);
  switch (node.renameType) {
    case "OBJECT_TABLE":
      return onTable(table, "ACCESS EXCLUSIVE", (t) => `ALTER TABLE ${t} RENAME TO ${displayName({ name: String(node.newname) })}`);
    case "OBJECT_COLUMN":
      if (node.relationType !== "OBJECT_TABLE") return [];
      return onTable(table, "ACCESS EXCLUSIVE", (t) => `ALTER TABLE ${t} RENAME COLUMN ${displayName({ name: String(node.subname) })}`);
    case "OBJECT_TABCONSTRAINT":
      return onTable(table, "ACCESS EXCLUSIVE", (t) => `ALTER TABLE ${t} RENAME CONSTRAINT ${displayName({ name: String(node.subname) })}`);
    case "OBJECT_TRIGGER":
      return onTable(table, "ACCESS EXCLUSIVE", (t) => `ALTER TRIGGER ${displayName({ name: String(node.subname) })} ON ${t} RENAME`);
    default:
      return [];
  }
}

function dropLocks(node: AstNode): TableLock[] {
  const objects = asList(node.objects);
  switch (node.removeType) {
    case "OBJECT_TABLE":
      return objects.flatMap((object) => onTable(listName(object), "ACCESS EXCLUSIVE", (t) => `DROP TABLE ${t}`));
    case "OBJECT_INDEX": {
      if (node.concurrent === true) return [];
      return objects.flatMap((object): TableLock[] => {
        const index = listName(object);
        if (!index) return [];
        const name = displayName(index);
        return [{ level: "ACCESS EXCLUSIVE", label: `the table of index ${name}`, object: { kind: "index", name: index }, action: `DROP INDEX ${name}` }];
      });
    }
    case "OBJECT_TRIGGER":
    case "OBJECT_POLICY":
    case "OBJECT_RULE": {
      const kind = String(node.removeType).replace(/^OBJECT_/, "");
      return objects.flatMap((object) => {
        const items = asList(unwrap(object)?.value.items);
        const table = items.length >= 2 ? listName({ List: { items: items.slice(0, -1) } }) : undefined;
        const name = stringOf(items[items.length - 1]);
        return onTable(table, "ACCESS EXCLUSIVE", (t) => `DROP ${kind} ${displayName({ name: name ?? "…" })} ON ${t}`);
      });
    }
    default:
      return [];
  }
}

function vacuumLocks(node: AstNode): TableLock[] {
  if (node.is_vacuumcmd !== true || !optionIsOn(node.options, "full")) return [];
  const tables = asList(node.rels)
    .map((rel) => relationName(unwrap(rel)?.value.relation))
    .filter((name): name is QualifiedName => name !== undefined);
  if (tables.length === 0) return [{ level: "ACCESS EXCLUSIVE", label: "every table of the database, one after another", action: "VACUUM FULL" }];
  return tables.flatMap((table) => onTable(table, "ACCESS EXCLUSIVE", (t) => `VACUUM FULL ${t}`));
}

function reindexLocks(node: AstNode): TableLock[] {
  if (optionIsOn(node.params, "concurrently")) return [];
  const relation = relationName(node.relation);
  switch (node.kind) {
    case "REINDEX_OBJECT_TABLE":
      return onTable(relation, "SHARE", (t) => `REINDEX TABLE ${t}`);
    case "REINDEX_OBJECT_INDEX": {
      if (!relation) return [];
      const name = displayName(relation);
      return [{ level: "SHARE", label: `the table of index ${name}`, object: { kind: "index", name: relation }, action: `REINDEX INDEX ${name}` }];
    }
    case "REINDEX_OBJECT_SCHEMA":
      return [{ level: "SHARE", label: `each table of schema ${displayName({ name: String(node.name) })}, one after another`, action: "REINDEX SCHEMA" }];
    default:
      return [{ level: "SHARE", label: "each table of the database, one after another", action: "REINDEX" }];
  }
}

/**
 * The endings PostgreSQL gives the names of the indexes it creates (`<table>_<columns>_idx`, `_key` for a unique
 * constraint, `_pkey`, `_excl`), which Prisma follows too, and Knex's, MikroORM's and node-pg-migrate's (`_index`, `_unique`).
 */
const INDEX_NAME_ENDINGS = ["_idx", "_key", "_pkey", "_excl", "_index", "_unique"];

/** True when `index` has a name PostgreSQL or an ORM gives an index of `table`: the table's name, columns and an index ending, or `<table>_pkey`. */
export function probablyIndexOf(index: string, table: string): boolean {
  if (!index.startsWith(`${table}_`)) return false;
  const rest = index.slice(table.length);
  return rest === "_pkey" || INDEX_NAME_ENDINGS.some((ending) => rest.endsWith(ending) && rest.length > ending.length + 1);
}

/** A lock on a table the statement names, with the statement that takes it. */
export interface LockAt {
  lock: TableLock & { table: QualifiedName };
  at: Statement;
}

/** The locks of each statement, worked out once, and which of them fall on objects that existed before the file. */
export class Locks {
  readonly #locks = new Map<Statement, TableLock[]>();

  constructor(
    private readonly pgVersion: number,
    private readonly names: Names,
    private readonly order: RunOrder,
    private readonly transactions: () => Transactions,
    private readonly history: () => History,
    private readonly onFault: (statement: Statement, error: unknown) => void,
  ) {}

  /** The locks the statement takes that block at least writes of a table (SHARE or stronger). */
  of(statement: Statement): readonly TableLock[] {
    let locks = this.#locks.get(statement);
    if (locks) return locks;
    try {
      locks = tableLocks(
        statement,
        this.pgVersion,
        (a, b) => this.names.sameRelation(a, statement, b),
        (table, constraint) => this.history().foreignKeyTarget(statement, table, constraint),
      );
    } catch (error) {
      this.onFault(statement, error);
      locks = [];
    }
    this.#locks.set(statement, locks);
    return locks;
  }

  /** The locks on objects that running code may be using: not created earlier in this file, nor undone by this rollback. */
  onExistingObjects(statement: Statement): TableLock[] {
    return this.of(statement).filter((lock) => !this.isOnNewObject(statement, lock));
  }

  /**
   * True when the locked object is new in this file (created before the statement), or, in a rollback, one its
   * forward migration created: nobody uses it but the migration, or the feature the rollback removes. An index
   * counts in a rollback only when the forward migration created its table too: the lock is on the table.
   */
  isOnNewObject(statement: Statement, lock: TableLock): boolean {
    const object = lock.object;
    if (!object) return false;
    const history = this.history();
    if (object.kind === "index") return history.isNew(statement, "index", object.name) || history.undoesForwardIndexAndTable(statement, object.name);
    // `ALTER TABLE`, `LOCK TABLE` and rules also apply to views and materialized views created in the file.
    const kinds = object.kind === "table" ? (["table", "materialized-view", "view"] as const) : [object.kind];
    return kinds.some((kind) => history.isNewOrUndone(statement, kind, object.name));
  }

  /**
   * The ACCESS EXCLUSIVE locks that the other statements of the statement's transaction, before or after it, take on
   * the tables they name: those tables are locked that way until the transaction ends, whatever the statement does.
   * None for a statement that runs on its own.
   */
  accessExclusiveInTransaction(statement: Statement): LockAt[] {
    if (!this.transactions().inTransaction(statement)) return [];
    return this.order.statements
      .filter((other) => other !== statement && this.transactions().sameTransaction(statement, other))
      .flatMap((other) => this.of(other).flatMap((lock) => (lock.level === "ACCESS EXCLUSIVE" && lock.table ? [{ lock: { ...lock, table: lock.table }, at: other }] : [])));
  }

  /**
   * True when another statement of the same transaction locks the table of the index that `index` names ACCESS
   * EXCLUSIVE. The index's table is known when the file (or, for a rollback, its forward migration) created the
   * index; otherwise only an index name made of the table's name as that statement writes it, columns and an index
   * ending (probablyIndexOf) tells it.
   */
  indexTableLockedInTransaction(statement: Statement, index: QualifiedName): boolean {
    return this.accessExclusiveInTransaction(statement).some(({ lock, at }) => this.#isIndexOf(index, statement, { table: lock.table, at }));
  }

  /**
   * True when an earlier statement of the same transaction dropped another index of the table that `index` belongs
   * to, without CONCURRENTLY: that DROP INDEX holds the table ACCESS EXCLUSIVE until commit. Which table an index
   * belongs to is told as in indexTableLockedInTransaction, among the tables the file names.
   */
  indexTableDroppedEarlierInTransaction(statement: Statement, index: QualifiedName): boolean {
    if (!this.transactions().inTransaction(statement)) return false;
    const tables = this.order.statements.flatMap((other) => this.of(other).flatMap((lock) => (lock.table ? [{ table: lock.table, at: other }] : [])));
    const ofTable = (name: QualifiedName, at: Statement) => tables.filter((table) => this.#isIndexOf(name, at, table));
    const mine = ofTable(index, statement);
    if (mine.length === 0) return false;
    return this.order.before(statement).some((earlier) => {
      if (earlier.kind !== "DropStmt" || earlier.node.removeType !== "OBJECT_INDEX" || earlier.node.concurrent === true) return false;
      if (!this.transactions().sameTransaction(statement, earlier)) return false;
      return (earlier.node.objects ?? []).some((object) => {
        const dropped = listName(object);
        return dropped !== undefined && ofTable(dropped, earlier).some((table) => mine.some((own) => this.names.sameRelation(own.table, own.at, table.table, table.at)));
      });
    });
  }

  #isIndexOf(index: QualifiedName, at: Statement, { table, at: tableAt }: { table: QualifiedName; at: Statement }): boolean {
    const known = this.history().isIndexOf(at, index, table, tableAt);
    if (known !== undefined) return known;
    return this.names.resolve(table, tableAt).schema === this.names.resolve(index, at).schema && probablyIndexOf(index.name, table.name);
  }

  /** True when two locks fall on the same table, each name read where its statement runs. */
  sameTable(a: TableLock, atA: Statement, b: QualifiedName, atB: Statement): boolean {
    return this.names.sameRelation(a.table, atA, b, atB);
  }
}

/** The strongest of the locks; the first of equally strong ones. */
export function strongest(locks: readonly TableLock[]): TableLock | undefined {
  return locks.reduce<TableLock | undefined>((a, b) => (a && LOCK_MODE_STRENGTH[a.level] >= LOCK_MODE_STRENGTH[b.level] ? a : b), undefined);
}
