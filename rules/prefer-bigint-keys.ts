import type { AlterTableCmd, ColumnDef, Constraint, Node, TypeName } from "@pgsql/types";
import { alterTableCommands, displayName, relationName, stringOf, typeDisplay, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import type { Statement, StatementOf } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { builtinName, columnRange } from "../src/engine/new-columns.js";

type Width = "integer" | "smallint";
type KeyKind = "primary" | "foreign";

/** The 4- and 2-byte integer types as the parser names them, serials included. */
const WIDTHS: Record<string, Width> = {
  int4: "integer",
  serial: "integer",
  serial4: "integer",
  int2: "smallint",
  smallserial: "smallint",
  serial2: "smallint",
};
const MAX: Record<Width, string> = { integer: "2,147,483,647", smallint: "32,767" };
const SERIAL = new Set(["serial", "serial4", "smallserial", "serial2"]);

export default defineRule({
  meta: {
    id: "prefer-bigint-keys",
    severity: "careful",
    description: "Primary keys of type integer or smallint (serial included) and integer foreign keys run out of values; bigint does not.",
    category: "design",
    recommended: false,
    checksDoBlocks: true,
  },
  visit: {
    CreateStmt: checkCreateTable,
    AlterTableStmt: checkAlterTable,
  },
});

/** A key declared on a column: the kind, and for a foreign key the table it references. */
interface Key {
  kind: KeyKind;
  /** Declared on the column itself (`id int PRIMARY KEY`), not as a table constraint. */
  inline: boolean;
  references?: QualifiedName;
  /** The table-level PRIMARY KEY (a, b) with several columns. */
  composite?: string;
  /** Not declared: guessed from the column's name (`id`, `…_id`). */
  byName?: boolean;
}

/** What the file said about a column so far: its type and the keys it is part of. */
interface KnownColumn {
  type: IntType | undefined;
  /** Its values come from a sequence (see fromSequence). */
  generated: boolean;
  display: string;
  keys: Key[];
  /** The line of the column's definition. */
  line: () => number;
}

interface IntType {
  width: Width;
  /** serial or smallserial: the values come from a sequence, one per row. */
  serial: boolean;
}

/** integer, smallint and their serials; not arrays, not bigint or other types. */
function intTypeOf(typeName: TypeName): IntType | undefined {
  if ((typeName.arrayBounds?.length ?? 0) > 0) return undefined;
  const name = builtinName(typeName);
  const width = name === undefined ? undefined : WIDTHS[name];
  return width ? { width, serial: SERIAL.has(name!) && typeName.names?.length === 1 } : undefined;
}

/**
 * A single-column primary key runs out at the type's maximum, and so does a serial column
 * of a composite key; the other columns of a composite key hold values from elsewhere
 * (a shard number, a tenant), reported as foreign keys if they are. A foreign key is
 * reported when integer: a smallint lookup key is a choice, reported where it is declared.
 */
function qualifies(key: Key, type: IntType | undefined): boolean {
  if (!type) return false;
  if (key.kind === "foreign") return type.width === "integer";
  return key.composite === undefined || type.serial;
}

/** The key that makes this column worth reporting: a primary key first. */
function reportedKey(keys: readonly Key[], type: IntType | undefined): Key | undefined {
  return keys.find((key) => key.kind === "primary" && qualifies(key, type)) ?? keys.find((key) => qualifies(key, type));
}

function checkCreateTable(statement: StatementOf<"CreateStmt">, context: RuleContext): void {
  if (context.facts.sections.isRollback(statement)) return;
  const relation = statement.node.relation;
  const table = relationName(relation);
  if (!table || relation?.relpersistence === "t") return;
  const tableKeys = tableLevelKeys(statement.node.tableElts);
  for (const element of statement.node.tableElts ?? []) {
    const def = nodeAs(element, "ColumnDef");
    if (def?.colname === undefined || !def.typeName) continue;
    const type = intTypeOf(def.typeName);
    const keys = [...columnKeys(def), ...(tableKeys.get(def.colname) ?? [])];
    const key = reportedKey(keys, type);
    if (!key || !type) continue;
    const range = columnRange(statement, def.location);
    report(context, { table, column: def.colname, typeName: def.typeName, width: type.width, key, via: "create", range, generated: fromSequence(def, type) });
  }
}

function checkAlterTable(statement: StatementOf<"AlterTableStmt">, context: RuleContext): void {
  if (statement.node.objtype !== "OBJECT_TABLE" || context.facts.sections.isRollback(statement)) return;
  const table = relationName(statement.node.relation);
  if (!table) return;
  const known = knownColumns(statement, context, table);
  for (const command of alterTableCommands(statement)) {
    applyCommand(known, command.node, () => command.range, context, (column, typeName, width, key, via, generated) =>
      report(context, { table, column, typeName, width, key, via, range: command.range, generated, ...(via === "constraint" ? { known: known.get(column) } : {}) }),
    );
  }
}

type Via = "create" | "add" | "type" | "constraint";
type OnKey = (column: string, typeName: TypeName | undefined, width: Width, key: Key, via: Exclude<Via, "create">, generated: boolean) => void;

/**
 * Updates what is known of the table's columns with one ALTER TABLE action, and calls
 * `found` for an action that gives a key an integer type, or an integer type to a key.
 */
function applyCommand(known: Map<string, KnownColumn>, cmd: AlterTableCmd, range: () => Range, context: RuleContext, found?: OnKey): void {
  const def = nodeAs(cmd.def, "ColumnDef");
  const line = () => context.lineOf(range());
  switch (cmd.subtype) {
    case "AT_AddColumn": {
      if (def?.colname === undefined || !def.typeName) return;
      const type = intTypeOf(def.typeName);
      const keys = columnKeys(def);
      const key = reportedKey(keys, type);
      const generated = type !== undefined && fromSequence(def, type);
      if (key && type) found?.(def.colname, def.typeName, type.width, key, "add", generated);
      known.set(def.colname, { type, generated, display: typeDisplay(def.typeName), keys, line });
      return;
    }
    case "AT_AlterColumnType": {
      if (!def?.typeName || cmd.name === undefined) return;
      const before = known.get(cmd.name);
      const type = intTypeOf(def.typeName);
      const keys = before ? before.keys : keysByName(cmd.name);
      const key = reportedKey(keys, type);
      if (key && type) found?.(cmd.name, def.typeName, type.width, key, "type", false);
      known.set(cmd.name, { type, generated: false, display: typeDisplay(def.typeName), keys: before?.keys ?? [], line: before?.line ?? line });
      return;
    }
    case "AT_DropColumn":
      if (cmd.name !== undefined) known.delete(cmd.name);
      return;
    case "AT_AddConstraint": {
      if (!cmd.def || !("Constraint" in cmd.def)) return;
      for (const [column, key] of tableLevelKeys([cmd.def])) {
        const entry = known.get(column);
        if (!entry) continue;
        for (const one of key) {
          // Reported where the column got its type if an earlier key already made it worth reporting.
          if (entry.type && qualifies(one, entry.type) && !reportedKey(entry.keys, entry.type)) {
            found?.(column, undefined, entry.type.width, one, "constraint", entry.generated);
          }
          entry.keys.push(one);
        }
      }
      return;
    }
  }
}

/**
 * The columns of the table that earlier statements of the file gave it: the CREATE TABLE that
 * made the table the name refers to (following renames), and the earlier ALTER TABLEs of that table.
 */
function knownColumns(statement: Statement, context: RuleContext, table: QualifiedName): Map<string, KnownColumn> {
  const known = new Map<string, KnownColumn>();
  const { history, order } = context.facts;
  const owner = history.objectAt(statement, "relation", table);
  if (!owner) return known;
  for (const before of order.before(statement)) {
    if (before === owner.createdBy && before.kind === "CreateStmt") {
      const tableKeys = tableLevelKeys(before.node.tableElts);
      for (const element of before.node.tableElts ?? []) {
        const def = nodeAs(element, "ColumnDef");
        if (def?.colname === undefined || !def.typeName) continue;
        const type = intTypeOf(def.typeName);
        known.set(def.colname, {
          type,
          generated: type !== undefined && fromSequence(def, type),
          display: typeDisplay(def.typeName),
          keys: [...columnKeys(def), ...(tableKeys.get(def.colname) ?? [])],
          line: () => context.lineOf(columnRange(before, def.location) ?? before.range),
        });
      }
    } else if (before.kind === "AlterTableStmt") {
      const name = relationName(before.node.relation);
      if (name && history.objectAt(before, "relation", name) === owner) {
        for (const command of alterTableCommands(before)) applyCommand(known, command.node, () => command.range, context);
      }
    }
  }
  return known;
}

/** A serial, an identity column, or a DEFAULT nextval(…): the values are handed out by a sequence. */
function fromSequence(def: ColumnDef, type: IntType): boolean {
  if (type.serial) return true;
  return (def.constraints ?? []).some((item) => {
    const constraint = nodeAs(item, "Constraint");
    if (constraint?.contype === "CONSTR_IDENTITY") return true;
    const call = constraint?.contype === "CONSTR_DEFAULT" ? nodeAs(constraint.raw_expr, "FuncCall") : undefined;
    const name = (call?.funcname ?? []).map(stringOf);
    return name[name.length - 1] === "nextval";
  });
}

/** PRIMARY KEY and REFERENCES written on a column. */
function columnKeys(def: ColumnDef): Key[] {
  const keys: Key[] = [];
  for (const item of def.constraints ?? []) {
    const constraint = nodeAs(item, "Constraint");
    if (constraint?.contype === "CONSTR_PRIMARY") keys.push({ kind: "primary", inline: true });
    if (constraint?.contype === "CONSTR_FOREIGN") keys.push(foreignKey(constraint, true));
  }
  return keys;
}

/** PRIMARY KEY (…) and FOREIGN KEY (…) constraints of a table, by column. */
function tableLevelKeys(elements: readonly Node[] | undefined): Map<string, Key[]> {
  const keys = new Map<string, Key[]>();
  const add = (column: string | undefined, key: Key) => {
    if (column !== undefined) keys.set(column, [...(keys.get(column) ?? []), key]);
  };
  for (const element of elements ?? []) {
    const constraint = nodeAs(element, "Constraint");
    if (constraint?.contype === "CONSTR_PRIMARY") {
      const columns = (constraint.keys ?? []).map(stringOf);
      const composite = columns.length > 1 ? `(${columns.map((c) => displayName({ name: c ?? "…" })).join(", ")})` : undefined;
      for (const column of columns) add(column, { kind: "primary", inline: false, ...(composite ? { composite } : {}) });
    } else if (constraint?.contype === "CONSTR_FOREIGN") {
      for (const column of (constraint.fk_attrs ?? []).map(stringOf)) add(column, foreignKey(constraint, false));
    }
  }
  return keys;
}

function foreignKey(constraint: Constraint, inline: boolean): Key {
  const references = relationName(constraint.pktable);
  return { kind: "foreign", inline, ...(references ? { references } : {}) };
}

/** For ALTER COLUMN … TYPE on a column the file says nothing about: `id` is taken for a primary key, `…_id` for a foreign key. */
function keysByName(column: string): Key[] {
  if (column === "id") return [{ kind: "primary", inline: false, byName: true }];
  if (column.endsWith("_id")) return [{ kind: "foreign", inline: false, byName: true }];
  return [];
}

interface Finding {
  table: QualifiedName;
  column: string;
  /** The type as written in this statement; undefined for ADD CONSTRAINT on a column typed earlier. */
  typeName: TypeName | undefined;
  width: Width;
  key: Key;
  via: Via;
  range: Range | undefined;
  known?: KnownColumn | undefined;
  /** The column's values come from a sequence: serial, identity, DEFAULT nextval(…). */
  generated?: boolean;
}

function report(context: RuleContext, finding: Finding): void {
  const { key, width } = finding;
  const table = displayName(finding.table);
  const col = displayName({ name: finding.column });
  const written = finding.typeName === undefined ? (finding.known?.display ?? width) : typeDisplay(finding.typeName);
  const type = written === width ? width : `${written} (${width})`;
  const referenced = key.references ? displayName(key.references) : "the referenced table";
  const role =
    key.kind === "primary"
      ? key.composite
        ? `part of the primary key ${key.composite}`
        : key.byName
          ? "by its name the primary key"
          : "the primary key"
      : key.byName
        ? "by its name a foreign key"
        : `a foreign key to ${referenced}`;

  let subject: string;
  if (finding.via === "type") subject = `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${written} makes ${col}, ${role}, ${type}`;
  else if (finding.via === "constraint") {
    const added = key.kind === "primary" ? "PRIMARY KEY" : "FOREIGN KEY";
    subject = `ALTER TABLE ${table} ADD ${added} makes ${col} ${role}, and ${col} is ${type} (line ${finding.known?.line() ?? "?"})`;
  } else subject = `Column ${col} of ${table} is ${role} and of type ${type}`;

  const lock = describeLock("ACCESS EXCLUSIVE");
  const message =
    key.kind === "primary"
      ? `${subject}: its values stop at ${MAX[width]}. ` +
        (finding.generated
          ? `Once the ids get there (a sequence also uses up values for rolled-back inserts), every INSERT into ${table} fails (the sequence reaches its maximum value, or "${width} out of range"). `
          : `A larger value cannot be stored: inserting one into ${table} fails with "${width} out of range". `) +
        `Widening the column then (ALTER COLUMN ${col} TYPE bigint) rewrites ${table} and its indexes ` +
        `under ${lock}, for the whole rewrite, and every foreign key column referencing it has to be widened the same way.`
      : `${subject}: it cannot hold an id above ${MAX.integer}, so inserts into ${table} fail once ${referenced === "the referenced table" ? "the referenced ids" : `the ids of ${referenced}`} get there, ` +
        `even after the referenced key itself is widened to bigint. Widening ${col} then rewrites ${table} and its indexes under ${lock}, for the whole rewrite.`;

  const serial = SERIAL.has(stringOf(finding.typeName?.names?.[0]) ?? "");
  const bigType = serial ? "bigint GENERATED ALWAYS AS IDENTITY" : "bigint";
  const clause = !key.inline ? "" : key.kind === "primary" ? " PRIMARY KEY" : ` REFERENCES ${referenced}`;
  const too = key.kind === "foreign" ? ", and the key it references" : "";
  let help: string;
  let sql: string;
  if (finding.via === "create") {
    help = `Declare it as ${col} ${bigType}${clause} in CREATE TABLE ${table}${too}`;
    sql = `declare the column as ${col} ${bigType}${clause} in CREATE TABLE ${table}, keeping its other clauses.`;
  } else if (finding.via === "add") {
    help = `Use bigint: ALTER TABLE ${table} ADD COLUMN ${col} ${bigType}${clause} (with its other clauses)${too}`;
    sql = `ALTER TABLE ${table} ADD COLUMN ${col} ${bigType}${clause}; (keeping the column's other clauses)`;
  } else if (finding.via === "type") {
    help = `Use bigint: ALTER TABLE ${table} ALTER COLUMN ${col} TYPE bigint${too}`;
    sql = `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE bigint;`;
  } else {
    help = `Declare ${col} as bigint where this file gives it its type (line ${finding.known?.line() ?? "?"})${too}`;
    sql = `declare ${col} as bigint where this file gives it its type (line ${finding.known?.line() ?? "?"}), before the key is added.`;
  }
  context.report({
    ...(finding.range ? { range: finding.range } : {}),
    message: shortMessage(finding, written, type),
    help,
    explanation:
      `${message} Make it bigint from the start: ${sql} ` +
      `The ${width === "integer" ? 4 : 6} extra bytes per row cost far less than the rewrite${key.kind === "foreign" ? "; make the key it references bigint too" : ""}.`,
  });
}

/** One line: which key, its type, and where its values stop. */
function shortMessage(finding: Finding, written: string, type: string): string {
  const { key, width } = finding;
  const table = displayName(finding.table);
  const col = displayName({ name: finding.column });
  const max = MAX[width];
  // The referenced table is left out when naming it makes the line too long.
  let to = key.references ? ` (to ${displayName(key.references)})` : "";
  const column = (name: string) =>
    key.kind === "primary"
      ? key.composite
        ? `primary key column ${name}`
        : key.byName
          ? `${name} (primary key by name)`
          : `primary key ${name}`
      : key.byName
        ? `${name} (foreign key by name)`
        : `foreign key ${name}${to}`;
  const candidates = (name: string) => {
    if (finding.via === "type") return `ALTER COLUMN ${col} TYPE ${written} makes ${column(name)} stop at ${max}`;
    if (finding.via === "constraint") {
      const added = key.kind === "primary" ? "PRIMARY KEY" : "FOREIGN KEY";
      return `ADD ${added} on ${name}, ${type} since line ${finding.known?.line() ?? "?"}: it stops at ${max}`;
    }
    const subject = column(name);
    const capitalized = /^(primary|foreign) /.test(subject) ? `${subject.charAt(0).toUpperCase()}${subject.slice(1)}` : subject;
    return `${capitalized} is ${type}, which stops at ${max}`;
  };
  const withReference = [candidates(`${table}.${col}`), candidates(col)];
  to = "";
  return messageLine(...withReference, candidates(col));
}

