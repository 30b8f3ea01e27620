/**
 * The schema the earlier migrations of a folder leave behind, replayed statically, file after file in the runner's
 * order: tables, their columns (type, NOT NULL, whether they have a default), indexes, foreign keys (by name, with the
 * table each references) and enum types, following renames, SET SCHEMA and drops. A rule asks what a column was before the file it reads
 * (`SchemaBefore`), through `facts.history`.
 *
 * What the replay cannot read is unknown, never guessed: a statement that did not parse, a schema change in a DO block
 * (its statements may run in branches, or not at all) and the SQL a DO block builds at run time (EXECUTE) make every
 * table, index and enum whose name they mention unknown from there on, and an unknown table, column or type answers
 * nothing, as if there were no history.
 */
import type { ColumnDef, Constraint, TypeName } from "@pgsql/types";
import { alterTableCommands, listName, relationName, type QualifiedName } from "../parser/ast.js";
import { nodeAs } from "../parser/node-types.js";
import type { ParsedFile, Statement } from "../parser/types.js";
import type { Names, ResolvedName } from "./names.js";

/** What the earlier migrations say of a column. */
export interface ColumnBefore {
  /** Its type as the last migration that set it wrote it; undefined when not known. */
  type: TypeName | undefined;
  /** True or false when a migration said so; undefined when not known. */
  notNull: boolean | undefined;
  /** The migration that set its type last. */
  typeSetBy: string | undefined;
}

export interface TableBefore {
  /** The migration that created it; undefined when it existed before the folder's first migration. */
  createdBy: string | undefined;
  /** True when that migration is part of the change being linted (`--changed-since`, `--staged`): the table is not in production yet. */
  inChange: boolean;
}

/** The schema as the earlier migrations of the folder leave it, for one migration. */
export interface SchemaBefore {
  table(name: ResolvedName): TableBefore | undefined;
  column(table: ResolvedName, column: string): ColumnBefore | undefined;
  /** The index of that name, when an earlier migration created it and none dropped it. */
  hasIndex(name: ResolvedName): boolean;
  /** The labels of an enum type an earlier migration created, in order. */
  enumValues(name: ResolvedName): readonly string[] | undefined;
  /** The table the foreign key `constraint` of `table` references (by its name then), when an earlier migration created that key. */
  foreignKey(table: ResolvedName, constraint: string): ResolvedName | undefined;
}

const UNKNOWN = Symbol("unknown");
const GONE = Symbol("gone");
type Slot<T> = T | typeof UNKNOWN | typeof GONE;

/** A value's history across the files: each file index that set it, with what it set. */
class Timeline<T> {
  readonly #entries: { at: number; value: Slot<T> }[] = [];

  set(at: number, value: Slot<T>): void {
    const last = this.#entries[this.#entries.length - 1];
    if (last?.at === at) last.value = value;
    else this.#entries.push({ at, value });
  }

  /** The value before the file at `at`; undefined when nothing set it, or it is gone or unknown there. */
  before(at: number): T | undefined {
    let found: Slot<T> | undefined;
    for (const entry of this.#entries) {
      if (entry.at >= at) break;
      found = entry.value;
    }
    return found === UNKNOWN || found === GONE ? undefined : found;
  }

  /** The value now, at the end of the replay so far (GONE and UNKNOWN included). */
  get latest(): Slot<T> | undefined {
    return this.#entries[this.#entries.length - 1]?.value;
  }

  get saved(): SavedEntry[] {
    return this.#entries.map(({ at, value }) => [at, value === UNKNOWN ? SAVED_UNKNOWN : value === GONE ? SAVED_GONE : (value as object)]);
  }

  static restored<T>(saved: readonly SavedEntry[]): Timeline<T> {
    const timeline = new Timeline<T>();
    for (const [at, value] of saved) timeline.#entries.push({ at, value: value === SAVED_UNKNOWN ? UNKNOWN : value === SAVED_GONE ? GONE : (value as T) });
    return timeline;
  }
}

/** A timeline entry as JSON: the file position, and the value (an object or array), or 0 for unknown and 1 for gone. */
type SavedEntry = [number, object | 0 | 1];
const SAVED_UNKNOWN = 0;
const SAVED_GONE = 1;

/** What a replay knows after some files, as JSON (the `--cache` keeps it, so that a new migration does not replay the whole folder again). */
export interface SavedReplay {
  nextId: number;
  relations: [string, SavedEntry[]][];
  columns: [string, SavedEntry[]][];
  enums: [string, SavedEntry[]][];
  foreignKeys: [string, SavedEntry[]][];
}

/** Whether a value read back from the cache has the shape `SchemaReplay.saved` writes. */
export function isSavedReplay(value: unknown): value is SavedReplay {
  if (typeof value !== "object" || value === null) return false;
  const saved = value as Partial<SavedReplay>;
  const timelines = (list: unknown) =>
    Array.isArray(list) &&
    list.every(
      (pair) =>
        Array.isArray(pair) &&
        pair.length === 2 &&
        typeof pair[0] === "string" &&
        Array.isArray(pair[1]) &&
        (pair[1] as unknown[]).every((entry) => Array.isArray(entry) && entry.length === 2 && Number.isInteger(entry[0]) && (entry[1] === 0 || entry[1] === 1 || (typeof entry[1] === "object" && entry[1] !== null))),
    );
  return Number.isInteger(saved.nextId) && timelines(saved.relations) && timelines(saved.columns) && timelines(saved.enums) && timelines(saved.foreignKeys);
}

interface Relation {
  id: number;
  kind: "table" | "index" | "other";
  createdBy: string | undefined;
}

/** A foreign key: the id of the relation it references. */
interface ForeignKey {
  references: number;
}

interface Column {
  type: TypeName | undefined;
  notNull: boolean | undefined;
  typeSetBy: string | undefined;
}

/** What a replayed migration is made of: its statements in run order, how names resolve in it, which statements are its rollback. */
export interface ReplayedFile {
  path: string;
  parsed: ParsedFile;
  statements: readonly Statement[];
  names: Names;
  isRollback(statement: Statement): boolean;
}

/** The replay of one folder's migrations, file by file, in the runner's order. */
export class SchemaReplay {
  readonly #relations = new Map<string, Timeline<Relation>>();
  readonly #columns = new Map<string, Timeline<Column>>();
  readonly #enums = new Map<string, Timeline<string[]>>();
  /** By `<table id>:<constraint name>`. */
  readonly #foreignKeys = new Map<string, Timeline<ForeignKey>>();
  #nextId = 1;
  #at = 0;
  #file = "";

  constructor(private readonly change: ReadonlySet<string> = new Set()) {}

  /** What this replay knows, as JSON. */
  get saved(): SavedReplay {
    const save = (map: Map<string, Timeline<unknown>>) => [...map].map(([name, timeline]): [string, SavedEntry[]] => [name, timeline.saved]);
    return { nextId: this.#nextId, relations: save(this.#relations), columns: save(this.#columns), enums: save(this.#enums), foreignKeys: save(this.#foreignKeys) };
  }

  /** A replay that knows what `saved` says, and goes on from there. */
  static restored(saved: SavedReplay, change: ReadonlySet<string> = new Set()): SchemaReplay {
    const replay = new SchemaReplay(change);
    for (const [name, entries] of saved.relations) replay.#relations.set(name, Timeline.restored(entries));
    for (const [name, entries] of saved.columns) replay.#columns.set(name, Timeline.restored(entries));
    for (const [name, entries] of saved.enums) replay.#enums.set(name, Timeline.restored(entries));
    for (const [name, entries] of saved.foreignKeys) replay.#foreignKeys.set(name, Timeline.restored(entries));
    replay.#nextId = saved.nextId;
    return replay;
  }

  /** Replays the file at position `at` of the sequence (positions rise from one call to the next). */
  replay(at: number, file: ReplayedFile): void {
    this.#at = at;
    this.#file = file.path;
    for (const statement of file.statements) {
      if (file.isRollback(statement)) continue;
      // A DO block's statements may run in branches, or not at all: what its schema changes touch is unknown.
      if (statement.parent) {
        if (SCHEMA_CHANGES.has(statement.kind)) this.#mentioned(statement.text);
      } else {
        this.#apply(statement, file.names);
      }
    }
    for (const dynamic of file.parsed.dynamicSql) this.#mentioned(dynamic.text);
    if (file.parsed.errors.length > 0) this.#mentioned(unparsedText(file.parsed));
  }

  /** A migration that failed to parse at all: every table it mentions is unknown. */
  unreadable(at: number, text: string): void {
    this.#at = at;
    this.#mentioned(text);
  }

  /** The schema before the file at position `at`. */
  before(at: number): SchemaBefore {
    const relation = (name: ResolvedName) => this.#relations.get(key(name))?.before(at);
    return {
      table: (name) => {
        const found = relation(name);
        return found?.kind === "table" ? { createdBy: found.createdBy, inChange: found.createdBy !== undefined && this.change.has(found.createdBy) } : undefined;
      },
      column: (table, column) => {
        const owner = relation(table);
        const found = owner?.kind === "table" ? this.#columns.get(`${owner.id}:${column}`)?.before(at) : undefined;
        return found && { ...found };
      },
      hasIndex: (name) => relation(name)?.kind === "index",
      enumValues: (name) => this.#enums.get(key(name))?.before(at),
      foreignKey: (table, constraint) => {
        const owner = relation(table);
        const references = owner?.kind === "table" ? this.#foreignKeys.get(`${owner.id}:${constraint}`)?.before(at)?.references : undefined;
        return references === undefined ? undefined : this.#nameOf(references, at);
      },
    };
  }

  /** The name the relation with that id had before the file at `at`. */
  #nameOf(id: number, at: number): ResolvedName | undefined {
    for (const [name, timeline] of this.#relations) {
      if (timeline.before(at)?.id !== id) continue;
      const dot = name.indexOf(".");
      return { schema: name.slice(0, dot), name: name.slice(dot + 1) };
    }
    return undefined;
  }

  // --- replaying ---------------------------------------------------------------------------------

  #apply(statement: Statement, names: Names): void {
    const resolve = (name: QualifiedName) => names.resolve(name, statement);
    switch (statement.kind) {
      case "CreateStmt": {
        const name = relationName(statement.node.relation);
        if (!name || (statement.node.if_not_exists && this.#live(resolve(name)))) return;
        const table = this.#createRelation(resolve(name), "table");
        // Inherited and copied columns (INHERITS, LIKE, PARTITION OF) are not known: only those written here are.
        for (const element of statement.node.tableElts ?? []) {
          const column = nodeAs(element, "ColumnDef");
          if (column?.colname !== undefined) {
            this.#setColumn(table, column.colname, columnOf(column, this.#file));
            this.#addColumnForeignKeys(table, name.name, column, resolve);
          }
          const constraint = nodeAs(element, "Constraint");
          if (constraint) this.#addConstraint(table, name.name, constraint, resolve);
        }
        return;
      }
      case "CreateTableAsStmt":
        if (statement.node.into?.rel) this.#createRelation(resolve(relationName(statement.node.into.rel)!), statement.node.objtype === "OBJECT_MATVIEW" ? "other" : "table");
        return;
      case "IndexStmt": {
        const table = relationName(statement.node.relation);
        if (statement.node.idxname === undefined || !table) return;
        const name = { schema: resolve(table).schema, name: statement.node.idxname };
        if (!statement.node.if_not_exists || !this.#live(name)) this.#createRelation(name, "index");
        return;
      }
      case "CreateEnumStmt": {
        const name = listName({ List: { items: statement.node.typeName } });
        if (name) this.#timeline(this.#enums, key(resolve(name))).set(this.#at, (statement.node.vals ?? []).map((value) => nodeAs(value, "String")?.sval ?? ""));
        return;
      }
      case "AlterEnumStmt":
        return this.#alterEnum(statement.node.typeName, statement.node, resolve);
      case "AlterTableStmt":
        if (statement.node.objtype === "OBJECT_TABLE") this.#alterTable(statement, resolve);
        return;
      case "RenameStmt":
        return this.#rename(statement, resolve);
      case "AlterObjectSchemaStmt": {
        const from = relationName(statement.node.relation);
        if (from && statement.node.newschema) this.#move(resolve(from), { schema: statement.node.newschema, name: from.name });
        else if (statement.node.objectType === "OBJECT_TYPE") this.#mentioned(statement.text);
        return;
      }
      case "DropStmt":
        for (const object of statement.node.objects ?? []) {
          const name = listName(object) ?? listName({ List: { items: nodeAs(object, "TypeName")?.names } });
          if (!name) continue;
          const resolved = key(resolve(name));
          if (statement.node.removeType === "OBJECT_TYPE") this.#enums.get(resolved)?.set(this.#at, GONE);
          else this.#relations.get(resolved)?.set(this.#at, GONE);
        }
        return;
      default:
        return;
    }
  }

  #alterTable(statement: Statement & { kind: "AlterTableStmt" }, resolve: (name: QualifiedName) => ResolvedName): void {
    const name = relationName(statement.node.relation);
    if (!name) return;
    const table = this.#tableNamed(resolve(name));
    if (!table) return;
    for (const { subtype, node } of alterTableCommands(statement)) {
      const column = node.name;
      switch (subtype) {
        case "AT_AddColumn": {
          const def = nodeAs(node.def, "ColumnDef");
          if (def?.colname === undefined) break;
          const existing = this.#columns.get(`${table.id}:${def.colname}`)?.latest;
          // ADD COLUMN IF NOT EXISTS of a column that may be there already changes nothing, or something unknown.
          if (node.missing_ok && existing !== undefined && existing !== GONE) break;
          this.#setColumn(table, def.colname, columnOf(def, this.#file));
          this.#addColumnForeignKeys(table, name.name, def, resolve);
          break;
        }
        case "AT_DropColumn":
          if (column !== undefined) this.#timeline(this.#columns, `${table.id}:${column}`).set(this.#at, GONE);
          break;
        case "AT_AlterColumnType":
          if (column !== undefined) this.#changeColumn(table, column, { type: nodeAs(node.def, "ColumnDef")?.typeName, typeSetBy: this.#file });
          break;
        case "AT_SetNotNull":
          if (column !== undefined) this.#changeColumn(table, column, { notNull: true });
          break;
        case "AT_DropNotNull":
          if (column !== undefined) this.#changeColumn(table, column, { notNull: false });
          break;
        case "AT_AddConstraint": {
          const constraint = nodeAs(node.def, "Constraint");
          if (constraint) this.#addConstraint(table, name.name, constraint, resolve);
          break;
        }
        case "AT_DropConstraint":
          if (typeof node.name === "string") this.#foreignKeys.get(`${table.id}:${node.name}`)?.set(this.#at, GONE);
          break;
        default:
          break;
      }
    }
  }

  #rename(statement: Statement & { kind: "RenameStmt" }, resolve: (name: QualifiedName) => ResolvedName): void {
    const { renameType, newname, subname } = statement.node;
    if (newname === undefined) return;
    const relation = relationName(statement.node.relation);
    if (renameType === "OBJECT_COLUMN") {
      const table = relation && this.#tableNamed(resolve(relation));
      if (!table || subname === undefined) return;
      const from = this.#timeline(this.#columns, `${table.id}:${subname}`);
      const moved = from.latest;
      from.set(this.#at, GONE);
      this.#timeline(this.#columns, `${table.id}:${newname}`).set(this.#at, moved ?? GONE);
      return;
    }
    if (renameType === "OBJECT_TABCONSTRAINT") {
      const table = relation && this.#tableNamed(resolve(relation));
      if (!table || subname === undefined) return;
      const from = this.#foreignKeys.get(`${table.id}:${subname}`);
      const moved = from?.latest;
      if (!from || moved === undefined) return;
      from.set(this.#at, GONE);
      this.#timeline(this.#foreignKeys, `${table.id}:${newname}`).set(this.#at, moved);
      return;
    }
    if (relation && RELATIONS.has(String(renameType))) {
      const from = resolve(relation);
      this.#move(from, { schema: from.schema, name: newname });
      return;
    }
    if (renameType === "OBJECT_TYPE") {
      const name = listName(statement.node.object);
      if (!name) return;
      const from = this.#timeline(this.#enums, key(resolve(name)));
      const moved = from.latest;
      from.set(this.#at, GONE);
      this.#timeline(this.#enums, key({ schema: resolve(name).schema, name: newname })).set(this.#at, moved ?? GONE);
    }
  }

  #alterEnum(typeName: unknown, node: { newVal?: string; oldVal?: string; newValNeighbor?: string; newValIsAfter?: boolean }, resolve: (name: QualifiedName) => ResolvedName): void {
    const name = listName({ List: { items: typeName } });
    if (!name || node.newVal === undefined) return;
    const timeline = this.#timeline(this.#enums, key(resolve(name)));
    const values = timeline.latest;
    if (!Array.isArray(values)) return timeline.set(this.#at, UNKNOWN);
    if (node.oldVal !== undefined) return timeline.set(this.#at, values.map((value) => (value === node.oldVal ? node.newVal! : value)));
    if (values.includes(node.newVal)) return;
    const neighbor = node.newValNeighbor === undefined ? -1 : values.indexOf(node.newValNeighbor);
    const at = neighbor < 0 ? values.length : node.newValIsAfter === false ? neighbor : neighbor + 1;
    timeline.set(this.#at, [...values.slice(0, at), node.newVal, ...values.slice(at)]);
  }

  /**
   * PRIMARY KEY makes its columns NOT NULL, and so does PostgreSQL 18's valid `NOT NULL c` constraint; a FOREIGN KEY
   * is kept under its name (or the one PostgreSQL gives it) with the table it references.
   */
  #addConstraint(table: Relation, tableName: string, constraint: Constraint, resolve: (name: QualifiedName) => ResolvedName): void {
    if (constraint.contype === "CONSTR_FOREIGN") {
      const columns = (constraint.fk_attrs ?? []).flatMap((attr) => nodeAs(attr, "String")?.sval ?? []);
      return this.#addForeignKey(table, constraint, constraint.conname ?? defaultForeignKeyName(tableName, columns), resolve);
    }
    const notNull = constraint.contype === "CONSTR_PRIMARY" || (constraint.contype === "CONSTR_NOTNULL" && constraint.skip_validation !== true);
    if (!notNull) return;
    for (const key of constraint.keys ?? []) {
      const column = nodeAs(key, "String")?.sval;
      if (column !== undefined) this.#changeColumn(table, column, { notNull: true });
    }
  }

  /** `REFERENCES t` written on a column. */
  #addColumnForeignKeys(table: Relation, tableName: string, column: ColumnDef, resolve: (name: QualifiedName) => ResolvedName): void {
    for (const node of column.constraints ?? []) {
      const constraint = nodeAs(node, "Constraint");
      if (constraint?.contype === "CONSTR_FOREIGN") this.#addForeignKey(table, constraint, constraint.conname ?? defaultForeignKeyName(tableName, [column.colname ?? ""]), resolve);
    }
  }

  #addForeignKey(table: Relation, constraint: Constraint, name: string | undefined, resolve: (name: QualifiedName) => ResolvedName): void {
    const pktable = constraint.pktable && relationName(constraint.pktable);
    if (name === undefined || !pktable) return;
    const referenced = this.#tableNamed(resolve(pktable));
    this.#timeline(this.#foreignKeys, `${table.id}:${name}`).set(this.#at, referenced ? { references: referenced.id } : UNKNOWN);
  }

  // --- state ----------------------------------------------------------------------------------------

  #timeline<T>(map: Map<string, Timeline<T>>, name: string): Timeline<T> {
    let timeline = map.get(name);
    if (!timeline) map.set(name, (timeline = new Timeline<T>()));
    return timeline;
  }

  #live(name: ResolvedName): boolean {
    const latest = this.#relations.get(key(name))?.latest;
    return latest !== undefined && latest !== GONE;
  }

  #createRelation(name: ResolvedName, kind: Relation["kind"]): Relation {
    const relation = { id: this.#nextId++, kind, createdBy: this.#file };
    this.#timeline(this.#relations, key(name)).set(this.#at, relation);
    return relation;
  }

  /** The table of that name now: one a migration created, or one that existed before the folder (first met here); undefined when unknown. */
  #tableNamed(name: ResolvedName): Relation | undefined {
    const timeline = this.#timeline(this.#relations, key(name));
    const latest = timeline.latest;
    if (latest === UNKNOWN || (latest !== undefined && latest !== GONE && latest.kind !== "table")) return undefined;
    if (latest !== undefined && latest !== GONE) return latest;
    const existing: Relation = { id: this.#nextId++, kind: "table", createdBy: undefined };
    timeline.set(this.#at, existing);
    return existing;
  }

  #move(from: ResolvedName, to: ResolvedName): void {
    const source = this.#timeline(this.#relations, key(from));
    const moved = source.latest;
    source.set(this.#at, GONE);
    this.#timeline(this.#relations, key(to)).set(this.#at, moved ?? GONE);
  }

  #setColumn(table: Relation, column: string, state: Column): void {
    this.#timeline(this.#columns, `${table.id}:${column}`).set(this.#at, state);
  }

  /** Changes what is known of a column; one no migration created (it came before the folder) is known only by what changes here. */
  #changeColumn(table: Relation, column: string, change: Partial<Column>): void {
    const timeline = this.#timeline(this.#columns, `${table.id}:${column}`);
    const latest = timeline.latest;
    if (latest === UNKNOWN) return;
    const current = latest === undefined || latest === GONE ? { type: undefined, notNull: undefined, typeSetBy: undefined } : latest;
    timeline.set(this.#at, { ...current, ...change });
  }

  /** Every table, index and enum whose name the text mentions becomes unknown. */
  #mentioned(text: string): void {
    const words = new Set(text.toLowerCase().match(/[\p{L}_][\p{L}\p{N}_$]*/gu) ?? []);
    for (const [name, timeline] of [...this.#relations, ...this.#enums] as [string, Timeline<unknown>][]) {
      if (words.has(name.slice(name.lastIndexOf(".") + 1).toLowerCase())) timeline.set(this.#at, UNKNOWN);
    }
  }
}

/** The statements that change what the replay records. */
const SCHEMA_CHANGES: ReadonlySet<string> = new Set([
  "CreateStmt",
  "CreateTableAsStmt",
  "IndexStmt",
  "AlterTableStmt",
  "RenameStmt",
  "AlterObjectSchemaStmt",
  "DropStmt",
  "CreateEnumStmt",
  "AlterEnumStmt",
]);

/**
 * The text of a file where its statements that did not parse are: what no parsed statement covers, and the DO blocks
 * whose body did not parse.
 */
function unparsedText(parsed: ParsedFile): string {
  const text = parsed.source.text;
  let unparsed = "";
  let from = 0;
  for (const statement of parsed.statements) {
    const failedInside = statement.kind === "DoStmt" && parsed.errors.some((error) => error.range.start >= statement.range.start && error.range.start < statement.range.end);
    unparsed += `${text.slice(from, failedInside ? statement.range.end : statement.range.start)}\n`;
    from = Math.max(from, statement.range.end);
  }
  return unparsed + text.slice(from);
}

const RELATIONS = new Set(["OBJECT_TABLE", "OBJECT_FOREIGN_TABLE", "OBJECT_INDEX", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE"]);

/**
 * The name PostgreSQL gives a foreign key written without one, `<table>_<columns>_fkey`; undefined past 63 bytes, where
 * PostgreSQL shortens the parts in a way not worth guessing.
 */
function defaultForeignKeyName(table: string, columns: readonly string[]): string | undefined {
  const name = `${table}_${columns.join("_")}_fkey`;
  return columns.length > 0 && Buffer.byteLength(name) <= 63 ? name : undefined;
}

function key(name: ResolvedName): string {
  return `${name.schema}.${name.name}`;
}

/** A column as its definition writes it: its type, and NOT NULL when a NOT NULL or PRIMARY KEY constraint says so. */
function columnOf(def: ColumnDef, file: string): Column {
  const constraints = (def.constraints ?? []).flatMap((node) => nodeAs(node, "Constraint") ?? []);
  const notNull = constraints.some((constraint) => constraint.contype === "CONSTR_NOTNULL" || constraint.contype === "CONSTR_PRIMARY");
  return { type: def.typeName, notNull, typeSetBy: file };
}
