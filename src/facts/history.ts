/**
 * What happens to each object across a migration: created, renamed, dropped, emptied or changed,
 * statement by statement, following renames (and SET SCHEMA) across statements. Every object has one
 * identity: a table created in this file stays new under a later name, and a table that existed
 * before the file stays old under a new one.
 */
import { alterTableCommands, asList, displayName, listName, relationName, stringOf, typeDisplay, unwrap, type QualifiedName } from "../parser/ast.js";
import { modifyingStatements } from "../parser/modifying-statements.js";
import type { Statement } from "../parser/types.js";
import type { Range } from "../source/source-text.js";
import { Names } from "./names.js";
import { RunOrder } from "./run-order.js";
import { NO_RUNNER } from "../runners/file-runner.js";
import { NO_ROLLBACK, Sections } from "./sections.js";
import type { Transactions } from "./transactions.js";

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
  #nextId = 1;
  /** Objects the forward migration creates (for a rollback file, or the up section of a file with a down section). */
  readonly #forwardCreated = new Set<string>();

  constructor(
    private readonly order: RunOrder,
    private readonly names: Names,
    private readonly sections: Sections,
    private readonly transactions: () => Transactions,
    private readonly onFault: (statement: Statement, error: unknown) => void,
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
    }
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

  /** True when the object of that name was created earlier in this file: it is new and empty, and nothing running uses it yet. */
  isNew(statement: Statement, kind: ObjectKind, name: QualifiedName | string): boolean {
    const namespace = namespaceOf(kind);
    if (!namespace) return false;
    const object = this.objectAt(statement, namespace, typeof name === "string" ? { name } : name);
    return object?.createdBy !== undefined && object.kind === kind;
  }

  /** True when the column is new: its table was created in this file, or the column was added (or its table created) earlier in it. */
  isNewColumn(statement: Statement, table: QualifiedName, column: string): boolean {
    const owner = this.objectAt(statement, "relation", table);
    if (owner?.createdBy !== undefined) return true;
    if (!owner) return false;
    return this.#bindingBefore(columnKey(owner, column), statement)?.object?.createdBy !== undefined;
  }

  /** True when the statement is a rollback undoing what the forward migration created. */
  undoesForward(statement: Statement, kind: ObjectKind, name: QualifiedName | string): boolean {
    if (!this.sections.isRollback(statement) || this.#forwardCreated.size === 0) return false;
    const namespace = namespaceOf(kind);
    if (!namespace) return false;
    return this.#forwardCreated.has(`${kind}|${this.#key(namespace, typeof name === "string" ? { name } : name, statement)}`);
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
   * given their name by an earlier RENAME of the file, and not what the paired forward
   * migration created (for a rollback); each with the later statement that takes its name again.
   */
  droppedObjects(statement: Statement, kind: ObjectKind): Dropped[] {
    const namespace = namespaceOf(kind);
    if (!namespace || statement.kind !== "DropStmt") return [];
    const dropped: Dropped[] = [];
    for (const object of asList(statement.node.objects)) {
      const named = nameAndLabel(object);
      if (!named) continue;
      if (this.isNewOrUndone(statement, kind, named.name) || this.nameTakenBefore(statement, namespace, named.name)) continue;
      const successor = this.successorOf(statement, namespace, named.name);
      dropped.push({ ...named, ...(successor ? { successor } : {}) });
    }
    return dropped;
  }

  /** Every change the file makes to a column of the table the name refers to at `statement`, in run order. */
  columnChanges(statement: Statement, table: QualifiedName, column: string): HistoryEvent[] {
    const owner = this.objectAt(statement, "relation", table);
    if (!owner) return [];
    return this.events.filter((event) => event.action === "change" && event.object.kind === "column" && event.object.on === owner && event.name === column);
  }

  /** The last earlier statement that emptied the table (TRUNCATE, or DELETE without WHERE). */
  emptiedBefore(statement: Statement, table: QualifiedName): Statement | undefined {
    const owner = this.objectAt(statement, "relation", table);
    if (!owner) return undefined;
    const at = this.order.positionOf(statement);
    return this.events.filter((event) => event.action === "empty" && event.object === owner && this.order.positionOf(event.statement) < at).pop()?.statement;
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
        if (table && typeof statement.node.trigname === "string") this.#createMember(statement, "trigger", this.#current("relation", table, statement, "table"), statement.node.trigname);
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

  #createTable(statement: Statement, node: { relation?: unknown; tableElts?: unknown }): void {
    const name = relationName(node.relation);
    const table = this.#create(statement, "table", name);
    if (!table || !name) return;
    for (const element of asList(node.tableElts)) {
      const item = unwrap(element);
      if (item?.type === "ColumnDef" && typeof item.value.colname === "string") this.#addColumn(statement, table, name, item.value);
      else if (item?.type === "Constraint" && typeof item.value.conname === "string") this.#createMember(statement, "constraint", table, item.value.conname);
    }
  }

  #addColumn(statement: Statement, table: TrackedObject, tableName: QualifiedName, def: Record<string, unknown>, range?: Range): void {
    const column = def.colname as string;
    this.#createMember(statement, "column", table, column, range);
    for (const constraint of asList(def.constraints)) {
      const value = unwrap(constraint)?.value;
      if (typeof value?.conname === "string") this.#createMember(statement, "constraint", table, value.conname, range);
    }
    // serial and identity columns own a sequence that PostgreSQL names <table>_<column>_seq.
    const typeNames = asList((def.typeName as { names?: unknown } | undefined)?.names).map(stringOf);
    const serial = typeNames.length === 1 && SERIAL_TYPES.has(typeNames[0] ?? "");
    const identity = asList(def.constraints).some((constraint) => unwrap(constraint)?.value.contype === "CONSTR_IDENTITY");
    if (serial || identity) {
      this.#create(statement, "sequence", { name: `${tableName.name}_${column}_seq`, ...(tableName.schema ? { schema: tableName.schema } : {}) }, table);
    }
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
          if (def?.type === "ColumnDef" && typeof def.value.colname === "string") this.#addColumn(statement, table, name, def.value, command.range);
          break;
        }
        case "AT_DropColumn":
          if (column) this.#dropMember(statement, "column", table, column, command.range);
          break;
        case "AT_AddConstraint": {
          const constraint = unwrap(node.def)?.value;
          if (typeof constraint?.conname === "string") this.#createMember(statement, "constraint", table, constraint.conname, command.range);
          break;
        }
        case "AT_DropConstraint":
          if (column) this.#dropMember(statement, "constraint", table, column, command.range);
          break;
        case "AT_ValidateConstraint":
          if (column) this.#changeMember(statement, "constraint", table, column, "validate", command.range);
          break;
        case "AT_ColumnDefault":
          if (column) this.#changeMember(statement, "column", table, column, node.def === undefined ? "drop-default" : "set-default", command.range);
          break;
        case "AT_AlterColumnType":
          if (column) this.#changeMember(statement, "column", table, column, "type", command.range);
          break;
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
        if (table && trigger) this.#dropMember(statement, "trigger", this.#current("relation", table, statement, "table"), trigger);
      }
      return;
    }
    const kind = objectKindOf(type);
    if (!kind) return;
    for (const object of asList(statement.node.objects)) {
      const name = GLOBAL_OBJECTS[type] ? { name: stringOf(object) ?? "" } : objectName(object);
      if (name && name.name !== "") this.#dropName(statement, kind, name);
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

  #rememberName(statement: Statement, object: TrackedObject, key: string): void {
    if (object.createdBy === undefined) return;
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

  #create(statement: Statement, kind: ObjectKind, name: QualifiedName | undefined, on?: TrackedObject): TrackedObject | undefined {
    const namespace = namespaceOf(kind);
    if (!name || !namespace) return undefined;
    const object: TrackedObject = { id: this.#nextId++, kind, createdBy: statement, ...(on ? { on } : {}) };
    const key = this.#key(namespace, name, statement);
    this.#bind(key, object, statement, "create");
    this.#rememberName(statement, object, key);
    this.#event(statement, "create", object, name.name);
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

  #createMember(statement: Statement, kind: ObjectKind, owner: TrackedObject, name: string, range?: Range): void {
    const object: TrackedObject = { id: this.#nextId++, kind, createdBy: statement, on: owner };
    this.#bind(memberKey(owner, kind, name), object, statement, "create");
    this.#rememberName(statement, object, name);
    this.#event(statement, "create", object, name, range);
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

function nameAndLabel(object: unknown): { name: QualifiedName; label: string } | undefined {
  const node = unwrap(object);
  if (node?.type === "ObjectWithArgs") {
    const name = listName({ List: { items: node.value.objname } });
    if (!name) return undefined;
    const args = node.value.args_unspecified === true ? "" : `(${asList(node.value.objargs).map((arg) => typeDisplay(unwrap(arg)?.value)).join(", ")})`;
    return { name, label: `${displayName(name)}${args}` };
  }
  const name = objectName(object);
  return name ? { name, label: displayName(name) } : undefined;
}
