/**
 * What happens to each object across a migration: created, renamed, dropped, emptied or changed,
 * statement by statement, following renames (and SET SCHEMA) across statements. Every object has one
 * identity: a table created in this file stays new under a later name, and a table that existed
 * before the file stays old under a new one.
 */
import { alterTableCommands, asList, displayName, listName, nameFromText, relationName, stringOf, typeDisplay, unwrap, walk, type QualifiedName } from "../parser/ast.js";
import { modifyingStatements } from "../parser/modifying-statements.js";
import type { TypeName } from "@pgsql/types";
import { nodeAs } from "../parser/node-types.js";
import type { AstNode, Statement } from "../parser/types.js";
import type { Range } from "../source/source-text.js";
import { Names, type ResolvedName } from "./names.js";
import { RunOrder } from "./run-order.js";
import { NO_RUNNER } from "../runners/file-runner.js";
import { NO_ROLLBACK, Sections } from "./sections.js";
import type { Transactions } from "./transactions.js";
import type { ColumnBefore, SchemaBefore } from "./schema-before.js";

export type ObjectKind =
  | "table"
  | "view"
  | "materialized-view"
  | "sequence"
  | "index"
  | "type"
  | "function"
  | "schema"
  | "extension"
  | "database"
  | "column"
  | "constraint"
  | "trigger";

/** Objects whose names share one namespace: relations (tables, views, sequences, indexes), functions, types, … */
export type Namespace = "relation" | "function" | "type" | "schema" | "extension" | "database";

const NAMESPACE_OF: Record<Exclude<ObjectKind, "column" | "constraint" | "trigger">, Namespace> = {
  table: "relation",
  view: "relation",
  "materialized-view": "relation",
  sequence: "relation",
  index: "relation",
  type: "type",
  function: "function",
  schema: "schema",
  extension: "extension",
  database: "database",
};

/** Objects without a schema: their names are global. */
const GLOBAL: ReadonlySet<Namespace> = new Set(["schema", "extension", "database"]);

export function namespaceOf(kind: ObjectKind): Namespace | undefined {
  return kind === "column" || kind === "constraint" || kind === "trigger" ? undefined : NAMESPACE_OF[kind];
}

/** One object, through all the names it has in the file. */
export interface TrackedObject {
  id: number;
  kind: ObjectKind;
  /** The statement that created it; undefined for an object that existed before the file. */
  createdBy: Statement | undefined;
  /** For a column, constraint, trigger or index: its table. */
  on?: TrackedObject;
}

export type HistoryAction = "create" | "rename" | "drop" | "empty" | "change";

/** What a statement did to an object, in run order. */
export interface HistoryEvent {
  statement: Statement;
  action: HistoryAction;
  object: TrackedObject;
  /** The name the statement uses (for a column, constraint or trigger: its own name). */
  name: string;
  /** For a rename: the new name. */
  newName?: string;
  /** For a change: what changed (`set-default`, `drop-default`, `type`, `set-not-null`, `drop-not-null`, `update`, `validate`). */
  change?: ColumnChangeKind | "validate";
  /** The action of the statement, when it is not the whole statement. */
  range?: Range;
}

export type ColumnChangeKind = "set-default" | "drop-default" | "type" | "set-not-null" | "drop-not-null" | "update";

/** How a statement gives an object a name: by creating it, or by renaming another to it. */
export type Taking = "create" | "rename";

export interface Successor {
  /** The first later statement of the file that gives an object the name again. */
  statement: Statement;
  how: Taking;
  /** It commits together with the statement that freed the name: no session ever finds the name missing. */
  sameTransaction: boolean;
}

export interface Dropped {
  name: QualifiedName;
  /** The name as written for the message, with the argument types of a function. */
  label: string;
  successor?: Successor;
}

interface Binding {
  at: number;
  object: TrackedObject | undefined;
  statement: Statement;
  how: Taking | "drop";
}

/**
 * What stopped using functions, types or sequences at a statement (a trigger, column or table dropped, a
 * column retyped or given another default): what it is known to have used, and, for what existed before
 * the file, what PostgreSQL's conventions say it may have used.
 */
interface EndedUses {
  statement: Statement;
  /** Keys (`function:public.f`, `type:public.e`, `relation:public.s`) of what the file saw it use. */
  known: ReadonlySet<string>;
  /** A trigger that existed before the file: it executed some function that takes no arguments. */
  someTriggerFunction?: boolean;
  /** A column that existed before the file: it had some type. */
  someColumnType?: boolean;
  /** A column (or a table's columns) that existed before the file: it may own a serial's sequence, `<table>_<column>_seq`. */
  serialSequenceOf?: { table: ResolvedName; column?: string };
}

const RELATION_OBJECTS: Partial<Record<string, ObjectKind>> = {
  OBJECT_TABLE: "table",
  OBJECT_FOREIGN_TABLE: "table",
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "materialized-view",
  OBJECT_SEQUENCE: "sequence",
  OBJECT_INDEX: "index",
};
const FUNCTION_OBJECTS = new Set(["OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE", "OBJECT_AGGREGATE"]);
const TYPE_OBJECTS = new Set(["OBJECT_TYPE", "OBJECT_DOMAIN"]);
const GLOBAL_OBJECTS: Partial<Record<string, ObjectKind>> = { OBJECT_SCHEMA: "schema", OBJECT_EXTENSION: "extension" };
const SERIAL_TYPES = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

/** An object kind as a DROP or RENAME names it. */
export function objectKindOf(objectType: string | undefined): ObjectKind | undefined {
  if (objectType === undefined) return undefined;
  if (FUNCTION_OBJECTS.has(objectType)) return "function";
  if (TYPE_OBJECTS.has(objectType)) return "type";
  return RELATION_OBJECTS[objectType] ?? GLOBAL_OBJECTS[objectType];
}

export class History {
  readonly events: HistoryEvent[] = [];
  readonly #bindings = new Map<string, Binding[]>();
  readonly #existing = new Map<string, TrackedObject>();
  /** The key each object that existed before the file had at its start: the reverse of #existing. */
  readonly #startKeys = new Map<TrackedObject, string>();
  #nextId = 1;
  /** Objects the forward migration creates (for a rollback file, or the up section of a file with a down section). */
  readonly #forwardCreated = new Set<string>();
  /** For a rollback file: the table of each index its forward migration creates, index key → table key. */
  #forwardIndexTables = new Map<string, string>();

  constructor(
    private readonly order: RunOrder,
    private readonly names: Names,
    private readonly sections: Sections,
    private readonly transactions: () => Transactions,
    private readonly onFault: (statement: Statement, error: unknown) => void,
    /** The schema the earlier migrations of the file's folder leave (schema-before.ts); undefined: no history is known. */
    private readonly before?: SchemaBefore,
  ) {
    for (const statement of order.statements) {
      try {
        this.#record(statement);
      } catch (error) {
        onFault(statement, error);
      }
    }
    if (sections.rollback.downSectionStart !== undefined) {
      for (const { statement, key } of this.#namesOfNew) if (!sections.inDownSection(statement)) this.#forwardCreated.add(key);
    }
    const forward = sections.rollback.forward;
    if (forward) {
      const forwardOrder = new RunOrder(forward);
      const forwardSections = new Sections(forward, NO_RUNNER, NO_ROLLBACK);
      const forwardHistory = new History(forwardOrder, new Names(forwardOrder), forwardSections, transactions, () => undefined);
      for (const { key } of forwardHistory.#namesOfNew) this.#forwardCreated.add(key);
      this.#forwardIndexTables = forwardHistory.#indexTables();
    }
  }

  /** The table of each index the file creates, by the names both have at the end of the file: index key → table key. */
  #indexTables(): Map<string, string> {
    const tables = new Map<string, string>();
    for (const { action, object } of this.events) {
      const index = object.kind === "index" && action === "create" ? this.#keys.get(object) : undefined;
      const table = object.on ? this.#keys.get(object.on) : undefined;
      if (index !== undefined && table !== undefined) tables.set(index, table);
    }
    return tables;
  }

  /**
   * True when the statement is a rollback undoing an index its forward migration created on a table the forward
   * migration created too: nothing but the feature the rollback removes uses either.
   */
  undoesForwardIndexAndTable(statement: Statement, index: QualifiedName): boolean {
    if (!this.sections.isRollback(statement)) return false;
    const table = this.#forwardIndexTables.get(this.#key("relation", index, statement));
    return table !== undefined && (this.#forwardCreated.has(`table|${table}`) || this.#forwardCreated.has(`materialized-view|${table}`));
  }

  /**
   * Whether the index that `index` names at `statement` belongs to the table that `table` names at `tableAt`, when
   * the file created the index (or, for a rollback, its forward migration did); undefined when that is not known.
   */
  isIndexOf(statement: Statement, index: QualifiedName, table: QualifiedName, tableAt: Statement): boolean | undefined {
    const object = this.objectAt(statement, "relation", index);
    if (object?.kind === "index" && object.createdBy !== undefined && object.on) return this.objectAt(tableAt, "relation", table) === object.on;
    if (!this.sections.isRollback(statement)) return undefined;
    const forwardTable = this.#forwardIndexTables.get(this.#key("relation", index, statement));
    return forwardTable === undefined ? undefined : forwardTable === this.#key("relation", table, tableAt);
  }

  /**
   * The object a name refers to just before the statement runs: one the file created or renamed to
   * it, or one that existed before the file (`createdBy` undefined) and that the file touches.
   * Undefined when the file dropped or renamed away what had the name, or never touches it.
   */
  objectAt(statement: Statement, namespace: Namespace, name: QualifiedName): TrackedObject | undefined {
    const key = this.#key(namespace, name, statement);
    const binding = this.#bindingBefore(key, statement);
    return binding ? binding.object : this.#existing.get(key);
  }

  /**
   * True when the object of that name was created earlier in this file: it is new and empty, and nothing running
   * uses it yet. A CREATE TABLE IF NOT EXISTS that the file goes on to reshape may find the table there already:
   * it creates nothing new (see #reshapedLater).
   */
  isNew(statement: Statement, kind: ObjectKind, name: QualifiedName | string): boolean {
    const namespace = namespaceOf(kind);
    if (!namespace) return false;
    const object = this.objectAt(statement, namespace, typeof name === "string" ? { name } : name);
    if (object?.createdBy !== undefined) return object.kind === kind;
    return kind === "table" && object !== undefined && this.#createdInChange(object);
  }

  /**
   * True for a table that existed before the file but that an earlier migration of the same change (`--changed-since`,
   * `--staged`) created: it is not in production yet, so it is empty there and nothing running uses it.
   */
  #createdInChange(object: TrackedObject): boolean {
    if (!this.before || object.kind !== "table") return false;
    const start = this.#nameAtStart(object);
    return start !== undefined && this.before.table(start)?.inChange === true;
  }

  /** The name an object that existed before the file had at its start. */
  #nameAtStart(object: TrackedObject): ResolvedName | undefined {
    const key = this.#startKeys.get(object);
    const name = key?.startsWith("relation:") ? key.slice("relation:".length) : undefined;
    const dot = name?.indexOf(".") ?? -1;
    return name === undefined || dot < 0 ? undefined : { schema: name.slice(0, dot), name: name.slice(dot + 1) };
  }

  /**
   * The column as the earlier migrations of the folder left it, when the column at `statement` is the one the file
   * started with (under whatever name it has now); undefined when the file created it, or no earlier migration is known.
   */
  columnBefore(statement: Statement, table: QualifiedName, column: string): ColumnBefore | undefined {
    if (!this.before) return undefined;
    const owner = this.objectAt(statement, "relation", table);
    const start = owner && this.#nameAtStart(owner);
    if (!owner || !start) return undefined;
    const object = this.#bindingBefore(columnKey(owner, column), statement)?.object ?? this.#existing.get(columnKey(owner, column));
    if (!object || object.createdBy !== undefined) return undefined;
    const startName = this.#startKeys.get(object)?.split(":column:")[1];
    return startName === undefined ? undefined : this.before.column(start, startName);
  }

  /**
   * True when the column is NOT NULL already as the statement runs: the last SET/DROP NOT NULL of the file before it
   * (top level, same direction) set it, or, with none, the earlier migrations of the folder left it NOT NULL.
   */
  isNotNullBefore(statement: Statement, table: QualifiedName, column: string): boolean {
    const last = this.columnChanges(statement, table, column)
      .filter((event) => (event.change === "set-not-null" || event.change === "drop-not-null") && this.order.runsBefore(event.statement, statement) && this.#sameDirection(event.statement, statement))
      .pop();
    if (last) return last.change === "set-not-null" && !last.statement.parent;
    return this.columnBefore(statement, table, column)?.notNull === true;
  }

  /** True when the column is new: its table was created in this file (or earlier in the same change), or the column was added (or its table created) earlier in it. */
  isNewColumn(statement: Statement, table: QualifiedName, column: string): boolean {
    const owner = this.objectAt(statement, "relation", table);
    if (owner?.createdBy !== undefined) return true;
    if (!owner) return false;
    if (this.#createdInChange(owner)) return true;
    return this.#bindingBefore(columnKey(owner, column), statement)?.object?.createdBy !== undefined;
  }

  /** True when the statement is a rollback undoing what the forward migration created. */
  undoesForward(statement: Statement, kind: ObjectKind, name: QualifiedName | string): boolean {
    if (!this.sections.isRollback(statement) || this.#forwardCreated.size === 0) return false;
    const namespace = namespaceOf(kind);
    if (!namespace) return false;
    return this.#forwardCreated.has(`${kind}|${this.#key(namespace, typeof name === "string" ? { name } : name, statement)}`);
  }

  /**
   * True for a RENAME in a rollback that undoes one of the forward migration: in a down section, the up section
   * renames an object of the same namespace the other way. A separate rollback file cannot see its forward
   * migration's renames (only what it creates is known), so a rename there is taken to undo one.
   */
  undoesForwardRename(statement: Statement, rename: Rename): boolean {
    if (!this.sections.isRollback(statement)) return false;
    if (this.sections.rollback.role === "rollback") return true;
    return this.order.statements.some((forward) => {
      if (this.sections.isRollback(forward)) return false;
      const earlier = renameOf(forward);
      return (
        earlier?.namespace === rename.namespace &&
        this.names.sameRelation(earlier.from, forward, rename.to, statement) &&
        this.names.sameRelation(earlier.to, forward, rename.from, statement)
      );
    });
  }

  isNewOrUndone(statement: Statement, kind: ObjectKind, name: QualifiedName | string): boolean {
    return this.isNew(statement, kind, name) || this.undoesForward(statement, kind, name);
  }

  /** For a column: new in this file, or the rollback undoing the forward migration's ADD COLUMN. */
  isNewOrUndoneColumn(statement: Statement, table: QualifiedName, column: string): boolean {
    if (this.isNewColumn(statement, table, column)) return true;
    if (!this.sections.isRollback(statement) || this.#forwardCreated.size === 0) return false;
    return this.#forwardCreated.has(`column|${this.#key("relation", table, statement)}.${column}`);
  }

  /**
   * True when an earlier statement created an object of this name or renamed one to it: no
   * code running before this migration knows the name.
   */
  nameTakenBefore(statement: Statement, namespace: Namespace, name: QualifiedName): boolean {
    const bindings = this.#bindings.get(this.#key(namespace, name, statement));
    const at = this.order.positionOf(statement);
    return bindings?.some((binding) => binding.at < at && binding.how !== "drop") ?? false;
  }

  /** True when an earlier statement added a column of this name to the table, or renamed one to it. */
  columnNameTakenBefore(statement: Statement, table: QualifiedName, column: string): boolean {
    const owner = this.objectAt(statement, "relation", table);
    if (!owner) return false;
    const at = this.order.positionOf(statement);
    return this.#bindings.get(columnKey(owner, column))?.some((binding) => binding.at < at && binding.how !== "drop") ?? false;
  }

  /**
   * The first later statement that gives an object the name that `statement` frees (by a DROP or a RENAME),
   * in the same direction: an up section's successor is not in the down section, which runs only on a rollback.
   */
  successorOf(statement: Statement, namespace: Namespace, name: QualifiedName): Successor | undefined {
    const at = this.order.positionOf(statement);
    const next = this.#bindings.get(this.#key(namespace, name, statement))?.find((binding) => binding.at > at && binding.how !== "drop" && this.#sameDirection(statement, binding.statement));
    if (!next || next.how === "drop") return undefined;
    return { statement: next.statement, how: next.how, sameTransaction: this.transactions().sameTransaction(statement, next.statement) };
  }

  /**
   * True when a DROP TABLE IF EXISTS clears the name for the migration's own scratch table: a later statement of the
   * same transaction creates a table of that name again, as a temporary table (the name unqualified), or as a table the
   * file drops again later in the same direction. A migration that treats the name as scratch expects no other table
   * of that name.
   */
  clearsScratchTable(statement: Statement, name: QualifiedName): boolean {
    if (statement.kind !== "DropStmt" || statement.node.missing_ok !== true) return false;
    const successor = this.successorOf(statement, "relation", name);
    if (successor?.how !== "create" || !successor.sameTransaction) return false;
    if (name.schema === undefined && isTemporaryTable(successor.statement)) return true;
    const created = this.events.find((event) => event.statement === successor.statement && event.action === "create" && event.object.kind === "table")?.object;
    return created !== undefined && this.events.some((event) => event.action === "drop" && event.object === created && this.#sameDirection(event.statement, statement));
  }

  /** The first later statement that gives the table a column of that name again (ADD COLUMN, or RENAME COLUMN to it). */
  columnSuccessorOf(statement: Statement, table: QualifiedName, column: string): Statement | undefined {
    const owner = this.objectAt(statement, "relation", table);
    if (!owner) return undefined;
    const at = this.order.positionOf(statement);
    return this.#bindings.get(columnKey(owner, column))?.find((binding) => binding.at > at && binding.how !== "drop" && this.#sameDirection(statement, binding.statement))?.statement;
  }

  #sameDirection(a: Statement, b: Statement): boolean {
    return this.sections.inDownSection(a) === this.sections.inDownSection(b);
  }

  /**
   * The objects of a DROP that running code may know: not created earlier in the file, not
   * given their name by an earlier RENAME of the file, not what the paired forward
   * migration created (for a rollback), and, without CASCADE, not a function, type or sequence
   * whose use ended earlier in the file (see useEndedBefore); each with the later statement that
   * takes its name again.
   */
  droppedObjects(statement: Statement, kind: ObjectKind): Dropped[] {
    const namespace = namespaceOf(kind);
    if (!namespace || statement.kind !== "DropStmt") return [];
    const dropped: Dropped[] = [];
    const cascade = statement.node.behavior === "DROP_CASCADE";
    for (const object of asList(statement.node.objects)) {
      const named = nameAndLabel(object);
      if (!named) continue;
      const { takesNoArguments, ...label } = named;
      if (this.isNewOrUndone(statement, kind, named.name) || this.nameTakenBefore(statement, namespace, named.name)) continue;
      // What used it is gone, and without CASCADE PostgreSQL refuses while anything else does.
      if (!cascade && (kind === "function" || kind === "type" || kind === "sequence") && this.useEndedBefore(statement, kind, named.name, takesNoArguments)) continue;
      const successor = this.successorOf(statement, namespace, named.name);
      dropped.push({ ...label, ...(successor ? { successor } : {}) });
    }
    return dropped;
  }

  /** Every change the file makes to a column of the table the name refers to at `statement`, in run order. */
  columnChanges(statement: Statement, table: QualifiedName, column: string): HistoryEvent[] {
    const owner = this.objectAt(statement, "relation", table);
    if (!owner) return [];
    return this.events.filter((event) => event.action === "change" && event.object.kind === "column" && event.object.on === owner && event.name === column);
  }

  /**
   * The type of the column just before the statement, when the file gave it one earlier: it created the column
   * (CREATE TABLE, ADD COLUMN) or changed its type (ALTER COLUMN … TYPE). Undefined when the column's type comes
   * from before the file, when the column may have existed already (IF NOT EXISTS), or when a DO block set it last.
   */
  columnTypeAt(statement: Statement, table: QualifiedName, column: string): TypeName | undefined {
    const owner = this.objectAt(statement, "relation", table);
    if (!owner) return undefined;
    const key = columnKey(owner, column);
    const binding = this.#bindingBefore(key, statement);
    const object = binding ? binding.object : this.#existing.get(key);
    const at = this.order.positionOf(statement);
    return (object && this.#columnTypes.get(object)?.filter((typed) => typed.at < at).pop())?.type;
  }

  /**
   * The table a constraint of `table` references, when the file created that constraint as a foreign key earlier
   * (named, or under the name PostgreSQL gives it): its name as written, or resolved where the search_path changed since;
   * else, for a constraint the file has not touched on a table it started with, when an earlier migration of the folder
   * created it as a foreign key (`SchemaBefore`).
   */
  foreignKeyTarget(statement: Statement, table: QualifiedName, constraint: string): QualifiedName | undefined {
    const owner = this.objectAt(statement, "relation", table);
    const binding = owner ? this.#bindingBefore(memberKey(owner, "constraint", constraint), statement) : undefined;
    if (!binding) {
      const start = owner && owner.createdBy === undefined ? this.#nameAtStart(owner) : undefined;
      const referenced = start && this.before?.foreignKey(start, constraint);
      if (!referenced) return undefined;
      // Written as the statement would write it: without its schema when the search_path finds it there.
      const unqualified = this.names.resolve({ name: referenced.name }, statement);
      return unqualified.schema === referenced.schema ? { name: referenced.name } : referenced;
    }
    const object = binding.object;
    const foreignKey = object ? this.#foreignKeys.get(object) : undefined;
    if (!foreignKey) return undefined;
    const { references, at } = foreignKey;
    return this.names.sameRelation(references, at, references, statement) ? references : this.names.resolve(references, at);
  }

  /**
   * The last earlier statement that emptied the table (TRUNCATE, or DELETE without WHERE), in the same
   * direction: what an up section empties may hold rows again by the time its down section runs.
   */
  emptiedBefore(statement: Statement, table: QualifiedName): Statement | undefined {
    const owner = this.objectAt(statement, "relation", table);
    if (!owner) return undefined;
    const at = this.order.positionOf(statement);
    return this.events
      .filter((event) => event.action === "empty" && event.object === owner && this.order.positionOf(event.statement) < at && this.#sameDirection(event.statement, statement))
      .pop()?.statement;
  }

  /**
   * True when the table holds none of the rows it had before the file: created earlier in it, or emptied
   * earlier in the same direction. Rewriting, scanning or indexing it takes no time; running code may
   * still use an emptied table, so this answers only for rows.
   */
  isNewOrEmptied(statement: Statement, table: QualifiedName): boolean {
    return this.isNew(statement, "table", table) || this.emptiedBefore(statement, table) !== undefined;
  }

  /**
   * The last earlier statement, in the same direction, that removed a use of the function, type or sequence:
   * the DROP TRIGGER of a trigger that executed the function; the DROP TABLE, DROP COLUMN, ALTER COLUMN … TYPE
   * of a column of the type; the DROP TABLE, DROP COLUMN, DROP DEFAULT or SET DEFAULT of a column whose default
   * took values from the sequence. Known for what the file created; for what existed before it, taken from
   * PostgreSQL's conventions: a trigger executes a function without arguments, and a serial column owns the
   * sequence `<table>_<column>_seq`; any column that existed may have had the type.
   */
  useEndedBefore(statement: Statement, kind: "function" | "type" | "sequence", name: QualifiedName, takesNoArguments: boolean): Statement | undefined {
    const key = this.#key(kind === "sequence" ? "relation" : kind, name, statement);
    const resolved = this.names.resolve(name, statement);
    const at = this.order.positionOf(statement);
    const matches = (ended: EndedUses): boolean => {
      if (ended.known.has(key)) return true;
      if (kind === "function") return takesNoArguments && ended.someTriggerFunction === true;
      if (kind === "type") return ended.someColumnType === true;
      const serial = ended.serialSequenceOf;
      if (!serial || serial.table.schema !== resolved.schema) return false;
      return serial.column === undefined
        ? resolved.name.startsWith(`${serial.table.name}_`) && resolved.name.endsWith("_seq")
        : resolved.name === `${serial.table.name}_${serial.column}_seq`;
    };
    return this.#endedUses.filter((ended) => this.order.positionOf(ended.statement) < at && this.#sameDirection(ended.statement, statement) && matches(ended)).pop()
      ?.statement;
  }

  /**
   * True when a later ALTER TABLE of the same direction changes the columns of the table a CREATE TABLE IF NOT
   * EXISTS declares (ADD, DROP, RENAME or ALTER COLUMN): a migration that reshapes the table it has just
   * declared expects an older version of it to exist, so the table may hold rows and running code may use it.
   * Without such a change, IF NOT EXISTS is taken for what it mostly is in migrations: an idempotent creation
   * of a new table, followed by its indexes and foreign keys.
   */
  #reshapedLater(create: Statement, table: QualifiedName): boolean {
    return this.order.after(create).some((later) => {
      if (!this.#sameDirection(create, later)) return false;
      const reshaped = reshapedTable(later);
      return reshaped !== undefined && this.names.sameRelation(reshaped, later, table, create);
    });
  }

  // --- recording -------------------------------------------------------------------------------

  #record(statement: Statement): void {
    switch (statement.kind) {
      case "CreateStmt":
        this.#createTable(statement, statement.node);
        return;
      case "CreateForeignTableStmt":
        if (statement.node.base) this.#createTable(statement, statement.node.base);
        return;
      case "CreateTableAsStmt": {
        const into = statement.node.into;
        this.#create(statement, statement.node.objtype === "OBJECT_MATVIEW" ? "materialized-view" : "table", relationName(into?.rel));
        return;
      }
      case "ViewStmt":
        this.#create(statement, "view", relationName(statement.node.view));
        return;
      case "CreateSeqStmt":
        this.#create(statement, "sequence", relationName(statement.node.sequence));
        return;
      case "IndexStmt": {
        const table = relationName(statement.node.relation);
        if (typeof statement.node.idxname !== "string") return;
        const on = table ? this.#current("relation", table, statement, "table") : undefined;
        this.#create(statement, "index", { name: statement.node.idxname, ...(table?.schema ? { schema: table.schema } : {}) }, on);
        return;
      }
      case "CreateSchemaStmt":
        if (typeof statement.node.schemaname === "string") this.#create(statement, "schema", { name: statement.node.schemaname });
        return;
      case "CreateExtensionStmt":
        if (typeof statement.node.extname === "string") this.#create(statement, "extension", { name: statement.node.extname });
        return;
      case "CreatedbStmt":
        if (typeof statement.node.dbname === "string") this.#create(statement, "database", { name: statement.node.dbname });
        return;
      case "CreateEnumStmt":
      case "CreateRangeStmt":
        this.#create(statement, "type", listName({ List: { items: statement.node.typeName } }));
        return;
      case "CreateDomainStmt":
        this.#create(statement, "type", listName({ List: { items: statement.node.domainname } }));
        return;
      case "CompositeTypeStmt":
        this.#create(statement, "type", relationName(statement.node.typevar));
        return;
      case "DefineStmt":
        if (statement.node.kind === "OBJECT_TYPE") this.#create(statement, "type", listName({ List: { items: statement.node.defnames } }));
        return;
      case "CreateFunctionStmt":
        this.#create(statement, "function", listName({ List: { items: statement.node.funcname } }));
        return;
      case "CreateTrigStmt": {
        const table = relationName(statement.node.relation);
        if (!table || typeof statement.node.trigname !== "string") return;
        const trigger = this.#createMember(statement, "trigger", this.#current("relation", table, statement, "table"), statement.node.trigname);
        const executes = listName({ List: { items: statement.node.funcname } });
        if (executes) this.#uses.set(trigger, new Set([this.#key("function", executes, statement)]));
        return;
      }
      case "AlterTableStmt":
        this.#alterTable(statement);
        return;
      case "RenameStmt":
        this.#rename(statement);
        return;
      case "AlterObjectSchemaStmt":
        this.#setSchema(statement);
        return;
      case "DropStmt":
        this.#drop(statement);
        return;
      case "DropdbStmt":
        if (typeof statement.node.dbname === "string") this.#dropName(statement, "database", { name: statement.node.dbname });
        return;
      case "TruncateStmt":
        for (const relation of asList(statement.node.relations)) {
          const table = relationName(unwrap(relation)?.value);
          if (table) this.#event(statement, "empty", this.#current("relation", table, statement, "table"), table.name);
        }
        return;
      default:
        this.#modifications(statement);
    }
  }

  #createTable(statement: Statement, node: { relation?: unknown; tableElts?: unknown; if_not_exists?: boolean }): void {
    const name = relationName(node.relation);
    const table = this.#create(statement, "table", name, undefined, node.if_not_exists === true && name !== undefined && this.#reshapedLater(statement, name));
    if (!table || !name) return;
    // A table that may exist already may have these columns and constraints already.
    const mayExist = table.createdBy !== statement;
    for (const element of asList(node.tableElts)) {
      const item = unwrap(element);
      if (item?.type === "ColumnDef" && typeof item.value.colname === "string") this.#addColumn(statement, table, name, item.value, undefined, mayExist);
      else if (item?.type === "Constraint") this.#addConstraint(statement, table, name, item.value, undefined, undefined, mayExist);
    }
  }

  /** `ifNotExists`: ADD COLUMN IF NOT EXISTS, which may find the column there already, with another type. */
  #addColumn(statement: Statement, table: TrackedObject, tableName: QualifiedName, def: Record<string, unknown>, range: Range | undefined, mayExist: boolean, ifNotExists = false): void {
    const column = def.colname as string;
    const created = this.#createMember(statement, "column", table, column, range, mayExist);
    // A column that may exist already may have another type.
    if (!mayExist && !ifNotExists) this.#setColumnType(statement, created, nodeAs({ ColumnDef: def }, "ColumnDef")?.typeName);
    const type = listName({ List: { items: (def.typeName as { names?: unknown } | undefined)?.names } });
    const uses = new Set(type ? [this.#key("type", type, statement)] : []);
    for (const constraint of asList(def.constraints)) {
      const value = unwrap(constraint)?.value;
      if (value?.contype === "CONSTR_DEFAULT") for (const sequence of nextvalSequences(value.raw_expr)) uses.add(this.#key("relation", sequence, statement));
    }
    this.#uses.set(created, uses);
    for (const constraint of asList(def.constraints)) {
      const value = unwrap(constraint)?.value;
      if (value) this.#addConstraint(statement, table, tableName, value, column, range, mayExist);
    }
    // serial and identity columns own a sequence that PostgreSQL names <table>_<column>_seq.
    const typeNames = asList((def.typeName as { names?: unknown } | undefined)?.names).map(stringOf);
    const serial = typeNames.length === 1 && SERIAL_TYPES.has(typeNames[0] ?? "");
    const identity = asList(def.constraints).some((constraint) => unwrap(constraint)?.value.contype === "CONSTR_IDENTITY");
    if (serial || identity) {
      this.#create(statement, "sequence", { name: `${tableName.name}_${column}_seq`, ...(tableName.schema ? { schema: tableName.schema } : {}) }, table, mayExist);
    }
  }

  /**
   * A named constraint of a table, or a foreign key under the name PostgreSQL gives it (`<table>_<columns>_fkey`),
   * remembering the table a foreign key references. `column`: the column a column constraint is written on.
   */
  #addConstraint(statement: Statement, table: TrackedObject, tableName: QualifiedName, constraint: AstNode, column: string | undefined, range: Range | undefined, mayExist: boolean): void {
    const foreign = constraint.contype === "CONSTR_FOREIGN";
    const columns = column !== undefined ? [column] : asList(constraint.fk_attrs).map(stringOf);
    const name = typeof constraint.conname === "string" ? constraint.conname : foreign ? `${tableName.name}_${columns.join("_")}_fkey` : undefined;
    if (name === undefined) return;
    const created = this.#createMember(statement, "constraint", table, name, range, mayExist);
    const references = foreign ? relationName(constraint.pktable) : undefined;
    if (references) this.#foreignKeys.set(created, { references, at: statement });
  }

  #alterTable(statement: Statement): void {
    if (statement.kind !== "AlterTableStmt") return;
    const name = relationName(statement.node.relation);
    if (!name) return;
    const kind: ObjectKind = statement.node.objtype === "OBJECT_INDEX" ? "index" : statement.node.objtype === "OBJECT_SEQUENCE" ? "sequence" : "table";
    const table = this.#current("relation", name, statement, kind);
    for (const command of alterTableCommands(statement)) {
      const node = command.node;
      const column = typeof node.name === "string" ? node.name : undefined;
      switch (command.subtype) {
        case "AT_AddColumn": {
          const def = unwrap(node.def);
          if (def?.type === "ColumnDef" && typeof def.value.colname === "string") this.#addColumn(statement, table, name, def.value, command.range, false, node.missing_ok === true);
          break;
        }
        case "AT_DropColumn":
          if (!column) break;
          this.#endUses(statement, this.#member(table, "column", column), () => true, { someColumnType: true, serialSequenceOf: { table: this.names.resolve(name, statement), column } });
          this.#dropMember(statement, "column", table, column, command.range);
          break;
        case "AT_AddConstraint": {
          const constraint = unwrap(node.def)?.value;
          if (constraint) this.#addConstraint(statement, table, name, constraint, undefined, command.range, false);
          break;
        }
        case "AT_DropConstraint":
          if (column) this.#dropMember(statement, "constraint", table, column, command.range);
          break;
        case "AT_ValidateConstraint":
          if (column) this.#changeMember(statement, "constraint", table, column, "validate", command.range);
          break;
        case "AT_ColumnDefault": {
          if (!column) break;
          const changed = this.#member(table, "column", column);
          this.#endUses(statement, changed, (key) => key.startsWith("relation:"), { serialSequenceOf: { table: this.names.resolve(name, statement), column } });
          for (const sequence of nextvalSequences(node.def)) this.#use(changed, this.#key("relation", sequence, statement));
          this.#changeMember(statement, "column", table, column, node.def === undefined ? "drop-default" : "set-default", command.range);
          break;
        }
        case "AT_AlterColumnType": {
          if (!column) break;
          const changed = this.#member(table, "column", column);
          this.#endUses(statement, changed, (key) => key.startsWith("type:"), { someColumnType: true });
          const typeName = nodeAs(node.def, "ColumnDef")?.typeName;
          const type = listName({ List: { items: typeName?.names } });
          if (type) this.#use(changed, this.#key("type", type, statement));
          this.#setColumnType(statement, changed, typeName);
          this.#changeMember(statement, "column", table, column, "type", command.range);
          break;
        }
        case "AT_SetNotNull":
          if (column) this.#changeMember(statement, "column", table, column, "set-not-null", command.range);
          break;
        case "AT_DropNotNull":
          if (column) this.#changeMember(statement, "column", table, column, "drop-not-null", command.range);
          break;
        default:
          break;
      }
    }
  }

  #rename(statement: Statement): void {
    if (statement.kind !== "RenameStmt" || typeof statement.node.newname !== "string") return;
    const node = statement.node;
    const newName = node.newname!;
    const type = String(node.renameType);
    const relationKind = RELATION_OBJECTS[type];
    if (relationKind) {
      const from = relationName(node.relation);
      if (from) this.#move(statement, "relation", from, { ...from, name: newName }, relationKind);
      return;
    }
    const table = relationName(node.relation);
    if (type === "OBJECT_COLUMN" || type === "OBJECT_TABCONSTRAINT" || type === "OBJECT_TRIGGER") {
      if (!table || typeof node.subname !== "string") return;
      const kind = type === "OBJECT_COLUMN" ? "column" : type === "OBJECT_TRIGGER" ? "trigger" : "constraint";
      this.#moveMember(statement, kind, this.#current("relation", table, statement, "table"), node.subname, newName);
      return;
    }
    const from = FUNCTION_OBJECTS.has(type) || TYPE_OBJECTS.has(type) ? objectName(node.object) : GLOBAL_OBJECTS[type] ? { name: stringOf(node.object) ?? "" } : undefined;
    const kind = objectKindOf(type);
    const namespace = kind ? namespaceOf(kind) : undefined;
    if (from && from.name !== "" && kind && namespace) this.#move(statement, namespace, from, { ...from, name: newName }, kind);
  }

  #setSchema(statement: Statement): void {
    if (statement.kind !== "AlterObjectSchemaStmt" || typeof statement.node.newschema !== "string") return;
    const node = statement.node;
    const kind = objectKindOf(String(node.objectType));
    const namespace = kind ? namespaceOf(kind) : undefined;
    if (!kind || !namespace || GLOBAL.has(namespace)) return;
    const from = namespace === "relation" ? relationName(node.relation) : objectName(node.object);
    if (from) this.#move(statement, namespace, from, { schema: node.newschema!, name: from.name }, kind);
  }

  #drop(statement: Statement): void {
    if (statement.kind !== "DropStmt") return;
    const type = String(statement.node.removeType);
    if (type === "OBJECT_TRIGGER") {
      for (const object of asList(statement.node.objects)) {
        const items = asList(unwrap(object)?.value.items);
        const table = items.length >= 2 ? listName({ List: { items: items.slice(0, -1) } }) : undefined;
        const trigger = stringOf(items[items.length - 1]);
        if (!table || !trigger) continue;
        const owner = this.#current("relation", table, statement, "table");
        this.#endUses(statement, this.#member(owner, "trigger", trigger), () => true, { someTriggerFunction: true });
        this.#dropMember(statement, "trigger", owner, trigger);
      }
      return;
    }
    if (type === "OBJECT_EVENT_TRIGGER") {
      this.#endedUses.push({ statement, known: new Set(), someTriggerFunction: true });
      return;
    }
    const kind = objectKindOf(type);
    if (!kind) return;
    for (const object of asList(statement.node.objects)) {
      const name = GLOBAL_OBJECTS[type] ? { name: stringOf(object) ?? "" } : objectName(object);
      if (!name || name.name === "") continue;
      if (kind === "table") this.#endTableUses(statement, this.#current("relation", name, statement, "table"), name);
      this.#dropName(statement, kind, name);
    }
  }

  /** UPDATEs that assign columns, and DELETEs without WHERE that empty a table (WITH queries included). */
  #modifications(statement: Statement): void {
    for (const update of modifyingStatements(statement, "UpdateStmt")) {
      const table = relationName(update.node.relation);
      if (!table) continue;
      const owner = this.#current("relation", table, statement, "table");
      for (const target of asList(update.node.targetList)) {
        const column = unwrap(target)?.value.name;
        if (typeof column === "string") this.#changeMember(statement, "column", owner, column, "update", update.range);
      }
    }
    for (const remove of modifyingStatements(statement, "DeleteStmt")) {
      const table = relationName(remove.node.relation);
      if (table && !remove.node.whereClause) this.#event(statement, "empty", this.#current("relation", table, statement, "table"), table.name, remove.range);
    }
  }

  // --- bindings ---------------------------------------------------------------------------------

  #key(namespace: Namespace, name: QualifiedName, at: Statement): string {
    if (GLOBAL.has(namespace)) return `${namespace}:${name.name}`;
    const resolved = this.names.resolve(name, at);
    return `${namespace}:${resolved.schema}.${resolved.name}`;
  }

  /** The key each object was last bound under. */
  readonly #keys = new Map<TrackedObject, string>();
  /**
   * Every name an object created in this file had, as `kind|key` (`column|relation:public.t.c` for a column):
   * what a rollback may drop when it undoes the forward migration, by the name it was created under or a later one.
   */
  readonly #namesOfNew: { statement: Statement; key: string }[] = [];

  #rememberName(statement: Statement, object: TrackedObject, key: string, mayExist = false): void {
    if (object.createdBy === undefined && !mayExist) return;
    const owner = object.on && (object.kind === "column" || object.kind === "constraint" || object.kind === "trigger") ? this.#keys.get(object.on) : undefined;
    this.#namesOfNew.push({ statement, key: owner === undefined ? `${object.kind}|${key}` : `${object.kind}|${owner}.${key}` });
  }

  #bindingBefore(key: string, statement: Statement): Binding | undefined {
    const bindings = this.#bindings.get(key);
    if (!bindings) return undefined;
    const at = this.order.positionOf(statement);
    let found: Binding | undefined;
    for (const binding of bindings) {
      if (binding.at >= at) break;
      found = binding;
    }
    return found;
  }

  #bind(key: string, object: TrackedObject | undefined, statement: Statement, how: Binding["how"]): void {
    const binding = { at: this.order.positionOf(statement), object, statement, how };
    const bindings = this.#bindings.get(key);
    if (bindings) bindings.push(binding);
    else this.#bindings.set(key, [binding]);
    if (object) this.#keys.set(object, key);
  }

  #existingObject(key: string, kind: ObjectKind, on?: TrackedObject): TrackedObject {
    let object = this.#existing.get(key);
    if (!object) {
      object = { id: this.#nextId++, kind, createdBy: undefined, ...(on ? { on } : {}) };
      this.#existing.set(key, object);
      this.#startKeys.set(object, key);
      this.#keys.set(object, key);
    }
    return object;
  }

  /** The object a name refers to as the statement runs: bound by the file, or one that existed before it. */
  #current(namespace: Namespace, name: QualifiedName, statement: Statement, kind: ObjectKind): TrackedObject {
    const key = this.#key(namespace, name, statement);
    const bindings = this.#bindings.get(key);
    const last = bindings?.[bindings.length - 1];
    return last?.object ?? this.#existingObject(key, kind);
  }

  /**
   * An object the statement creates; with `mayExist`, the object that may exist already, unless the file
   * created, renamed or dropped something of that name before: it is not new.
   */
  #create(statement: Statement, kind: ObjectKind, name: QualifiedName | undefined, on?: TrackedObject, mayExist = false): TrackedObject | undefined {
    const namespace = namespaceOf(kind);
    if (!name || !namespace) return undefined;
    const key = this.#key(namespace, name, statement);
    if (mayExist && !this.#bindings.has(key)) return this.#possiblyExisting(statement, key, kind, on);
    const object: TrackedObject = { id: this.#nextId++, kind, createdBy: statement, ...(on ? { on } : {}) };
    this.#bind(key, object, statement, "create");
    this.#rememberName(statement, object, key);
    this.#event(statement, "create", object, name.name);
    return object;
  }

  /**
   * What a CREATE TABLE IF NOT EXISTS finds when the table may exist already: the object from before the
   * file. A rollback dropping it still undoes the forward migration.
   */
  #possiblyExisting(statement: Statement, key: string, kind: ObjectKind, on: TrackedObject | undefined, memberName?: string): TrackedObject {
    const object = this.#existingObject(key, kind, on);
    this.#rememberName(statement, object, memberName ?? key, true);
    return object;
  }

  #move(statement: Statement, namespace: Namespace, from: QualifiedName, to: QualifiedName, kind: ObjectKind): void {
    const object = this.#current(namespace, from, statement, kind);
    this.#bind(this.#key(namespace, from, statement), undefined, statement, "drop");
    const key = this.#key(namespace, to, statement);
    this.#bind(key, object, statement, "rename");
    this.#rememberName(statement, object, key);
    this.events.push({ statement, action: "rename", object, name: from.name, newName: to.name });
  }

  #dropName(statement: Statement, kind: ObjectKind, name: QualifiedName): void {
    const namespace = namespaceOf(kind);
    if (!namespace) return;
    const object = this.#current(namespace, name, statement, kind);
    this.#bind(this.#key(namespace, name, statement), undefined, statement, "drop");
    this.#event(statement, "drop", object, name.name);
  }

  #member(owner: TrackedObject, kind: ObjectKind, name: string): TrackedObject {
    const key = memberKey(owner, kind, name);
    const bindings = this.#bindings.get(key);
    return bindings?.[bindings.length - 1]?.object ?? this.#existingObject(key, kind, owner);
  }

  #createMember(statement: Statement, kind: ObjectKind, owner: TrackedObject, name: string, range?: Range, mayExist = false): TrackedObject {
    const key = memberKey(owner, kind, name);
    if (mayExist && !this.#bindings.has(key)) return this.#possiblyExisting(statement, key, kind, owner, name);
    const object: TrackedObject = { id: this.#nextId++, kind, createdBy: statement, on: owner };
    this.#bind(key, object, statement, "create");
    this.#rememberName(statement, object, name);
    this.#event(statement, "create", object, name, range);
    return object;
  }

  #moveMember(statement: Statement, kind: ObjectKind, owner: TrackedObject, from: string, to: string): void {
    const object = this.#member(owner, kind, from);
    this.#bind(memberKey(owner, kind, from), undefined, statement, "drop");
    this.#bind(memberKey(owner, kind, to), object, statement, "rename");
    this.#rememberName(statement, object, to);
    this.events.push({ statement, action: "rename", object, name: from, newName: to });
  }

  #dropMember(statement: Statement, kind: ObjectKind, owner: TrackedObject, name: string, range?: Range): void {
    const object = this.#member(owner, kind, name);
    this.#bind(memberKey(owner, kind, name), undefined, statement, "drop");
    this.#event(statement, "drop", object, name, range);
  }

  #changeMember(statement: Statement, kind: ObjectKind, owner: TrackedObject, name: string, change: HistoryEvent["change"], range?: Range): void {
    this.events.push({ statement, action: "change", object: this.#member(owner, kind, name), name, ...(change ? { change } : {}), ...(range ? { range } : {}) });
  }

  #event(statement: Statement, action: HistoryAction, object: TrackedObject, name: string, range?: Range): void {
    this.events.push({ statement, action, object, name, ...(range ? { range } : {}) });
  }

  // --- uses of functions, types and sequences -------------------------------------------------------

  /** What each trigger and column the file saw executes, has as its type, or takes its default from. */
  readonly #uses = new Map<TrackedObject, Set<string>>();
  /** The table each foreign key the file created references, as written at its statement. */
  readonly #foreignKeys = new Map<TrackedObject, { references: QualifiedName; at: Statement }>();
  readonly #endedUses: EndedUses[] = [];

  /** The types the file gave each column, in run order. */
  readonly #columnTypes = new Map<TrackedObject, { at: number; type: TypeName | undefined }[]>();

  /** A DO block may run its statements in branches (IF … ELSE …): the type one of them gives is not known to hold after it. */
  #setColumnType(statement: Statement, column: TrackedObject, type: TypeName | undefined): void {
    const typed = { at: this.order.positionOf(statement), type: statement.parent ? undefined : type };
    const types = this.#columnTypes.get(column);
    if (types) types.push(typed);
    else this.#columnTypes.set(column, [typed]);
  }

  #use(object: TrackedObject, key: string): void {
    const uses = this.#uses.get(object);
    if (uses) uses.add(key);
    else this.#uses.set(object, new Set([key]));
  }

  /** The object stops using what `ending` selects; one that existed before the file may have used more (`guesses`). */
  #endUses(statement: Statement, object: TrackedObject, ending: (key: string) => boolean, guesses: Omit<EndedUses, "statement" | "known">): void {
    const uses = this.#uses.get(object) ?? new Set<string>();
    const known = new Set([...uses].filter(ending));
    for (const key of known) uses.delete(key);
    this.#endedUses.push({ statement, known, ...(object.createdBy === undefined ? guesses : {}) });
  }

  /** A dropped table takes its columns and triggers with it. */
  #endTableUses(statement: Statement, table: TrackedObject, name: QualifiedName): void {
    const known = new Set<string>();
    for (const [member, uses] of this.#uses) if (member.on === table) for (const key of uses) known.add(key);
    const existed = table.createdBy === undefined;
    this.#endedUses.push({ statement, known, ...(existed ? { someColumnType: true, serialSequenceOf: { table: this.names.resolve(name, statement) } } : {}) });
  }
}

const COLUMN_ACTIONS = new Set(["AT_AddColumn", "AT_DropColumn", "AT_AlterColumnType", "AT_ColumnDefault", "AT_SetNotNull", "AT_DropNotNull"]);

/** The table whose columns a statement adds, drops, renames or alters. */
function reshapedTable(statement: Statement): QualifiedName | undefined {
  if (statement.kind === "RenameStmt") return statement.node.renameType === "OBJECT_COLUMN" ? relationName(statement.node.relation) : undefined;
  if (statement.kind !== "AlterTableStmt" || statement.node.objtype !== "OBJECT_TABLE") return undefined;
  return alterTableCommands(statement).some((command) => COLUMN_ACTIONS.has(command.subtype)) ? relationName(statement.node.relation) : undefined;
}

/** CREATE TEMP TABLE, and CREATE TEMP TABLE … AS. */
function isTemporaryTable(statement: Statement): boolean {
  if (statement.kind === "CreateStmt") return statement.node.relation?.relpersistence === "t";
  return statement.kind === "CreateTableAsStmt" && statement.node.into?.rel?.relpersistence === "t";
}

/** The sequences a default expression takes values from: `nextval('s')`, `nextval('s'::regclass)`. */
function nextvalSequences(expression: unknown): QualifiedName[] {
  const found: QualifiedName[] = [];
  walk([expression], (type, value) => {
    if (type !== "FuncCall") return;
    const names = asList(value.funcname).map(stringOf);
    if (names[names.length - 1] !== "nextval") return;
    let argument = unwrap(asList(value.args)[0]);
    if (argument?.type === "TypeCast") argument = unwrap(argument.value.arg);
    const text = argument?.type === "A_Const" ? (argument.value.sval as { sval?: string } | undefined)?.sval : undefined;
    const sequence = text === undefined ? undefined : nameFromText(text);
    if (sequence) found.push(sequence);
  });
  return found;
}

function memberKey(owner: TrackedObject, kind: ObjectKind, name: string): string {
  return `member:${owner.id}:${kind}:${name}`;
}

function columnKey(owner: TrackedObject, column: string): string {
  return memberKey(owner, "column", column);
}

export interface Rename {
  namespace: Namespace;
  kind: ObjectKind;
  from: QualifiedName;
  /** A rename keeps the schema. */
  to: QualifiedName;
}

/** What a RENAME of a relation, function or type renames, and to what name. */
export function renameOf(statement: Statement): Rename | undefined {
  if (statement.kind !== "RenameStmt" || typeof statement.node.newname !== "string") return undefined;
  const type = String(statement.node.renameType);
  const kind = objectKindOf(type);
  const namespace = kind ? namespaceOf(kind) : undefined;
  if (!kind || !namespace || GLOBAL.has(namespace)) return undefined;
  const from = namespace === "relation" ? relationName(statement.node.relation) : objectName(statement.node.object);
  return from ? { namespace, kind, from, to: { ...from, name: statement.node.newname } } : undefined;
}

/** The name of a DROP's or RENAME's object: a `List` of `String`s, a `TypeName`, or a function's `ObjectWithArgs`. */
function objectName(object: unknown): QualifiedName | undefined {
  const node = unwrap(object);
  if (node?.type === "ObjectWithArgs") return listName({ List: { items: node.value.objname } });
  if (node?.type === "TypeName") return listName({ List: { items: node.value.names } });
  return listName(object);
}

/** A dropped object's name, its label for messages, and, for a function, whether it may take no arguments (as a trigger's function does). */
function nameAndLabel(object: unknown): { name: QualifiedName; label: string; takesNoArguments: boolean } | undefined {
  const node = unwrap(object);
  if (node?.type === "ObjectWithArgs") {
    const name = listName({ List: { items: node.value.objname } });
    if (!name) return undefined;
    const unspecified = node.value.args_unspecified === true;
    const args = asList(node.value.objargs);
    return { name, label: `${displayName(name)}${unspecified ? "" : `(${args.map((arg) => typeDisplay(unwrap(arg)?.value)).join(", ")})`}`, takesNoArguments: unspecified || args.length === 0 };
  }
  const name = objectName(object);
  return name ? { name, label: displayName(name), takesNoArguments: false } : undefined;
}
