import { alterTableCommands, asList, displayName, relationName, stringOf, typeDisplay, unwrap, type QualifiedName } from "../src/parser/ast.js";
import type { AstNode, Statement, Token } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { describeLock } from "../src/engine/locks.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "prefer-text",
    severity: "careful",
    description: "New varchar(n) and char(n) columns: text with a CHECK on its length performs the same and its limit can change without ALTER COLUMN TYPE.",
    category: "design",
    recommended: false,
    checksDoBlocks: true,
  },
  checkStatement(statement, context) {
    for (const column of newColumns(statement, context)) {
      const type = limitedText(column.typeName);
      if (type) report(context, column, type);
    }
  },
});

interface LimitedText {
  kind: "varchar" | "char";
  /** The length limit; undefined when the parser did not give it as a constant. */
  length: number | undefined;
  /** As written for the reader: `varchar(100)`, `char(3)[]`, `char`. */
  display: string;
  array: boolean;
  /** `char` written without a length. */
  implicit: boolean;
}

/** varchar(n) and char(n) (char, character and nchar included); varchar without a length is text with another name. */
function limitedText(typeName: AstNode): LimitedText | undefined {
  const name = builtinName(typeName);
  if (name !== "varchar" && name !== "bpchar") return undefined;
  const mods = asList(typeName.typmods);
  if (mods.length !== 1) return undefined;
  const constant = unwrap(mods[0]);
  const ival = constant?.type === "A_Const" ? (constant.value.ival as { ival?: number } | undefined) : undefined;
  const length = ival ? (ival.ival ?? 0) : undefined;
  const array = asList(typeName.arrayBounds).length > 0;
  // `char` written without a length is char(1): the parser adds the 1 at no position in the text.
  const implicit = constant?.type === "A_Const" && constant.value.location === -1;
  const display = implicit ? `char${"[]".repeat(asList(typeName.arrayBounds).length)}` : typeDisplay(typeName);
  return { kind: name === "varchar" ? "varchar" : "char", length, display, array, implicit };
}

function report(context: RuleContext, column: NewColumn, type: LimitedText): void {
  const table = displayName(column.table);
  const col = displayName({ name: column.column });
  const limit = type.length === undefined ? "n" : String(type.length);
  const subject =
    column.via === "type" ? `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${type.display} gives ${col} the type ${type.display}` : `Column ${col} of ${table} is ${type.display}`;
  const lock = describeLock("ACCESS EXCLUSIVE");
  const message =
    type.kind === "varchar"
      ? `${subject}. In PostgreSQL, varchar(n) is stored and performs exactly like text: the ${limit} only adds a limit that is costly to change. ` +
        `Changing it is an ALTER COLUMN TYPE, holding ${lock}. Raising the limit is catalog-only (no rewrite) since PostgreSQL 9.2, but the statement still waits behind every running query on ${table} while every later query waits behind it; ` +
        `lowering it rewrites ${table} and its indexes under that lock.`
      : `${subject}${type.implicit ? ", which is char(1)" : ""}. char(n) pads every value with spaces to ${limit} character${limit === "1" ? "" : "s"}: the spaces are stored and returned to the application, ` +
        `ignored by = but not by LIKE or regular expressions, and char(n) is no faster than text. Its limit is costly to change: ` +
        `changing it is an ALTER COLUMN TYPE that rewrites ${table} and its indexes under ${lock}, for the whole rewrite.`;

  const check = displayName({ name: `${column.table.name}_${column.column}_length` });
  const constraint = ` CONSTRAINT ${check} CHECK (char_length(${col}) <= ${limit})`;
  let help: string;
  if (type.array) {
    const sql =
      column.via === "create"
        ? `declare the column as ${col} text[] in CREATE TABLE ${table}, keeping its other clauses.`
        : column.via === "add"
          ? `ALTER TABLE ${table} ADD COLUMN ${col} text[]; (keeping the column's other clauses)`
          : `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE text[];`;
    help = `Use text[]: ${sql} If the length of each element matters, check it where the values are written.`;
  } else {
    const sql =
      column.via === "create"
        ? `declare the column as ${col} text${constraint} in CREATE TABLE ${table}, keeping its other clauses.`
        : column.via === "add"
          ? `ALTER TABLE ${table} ADD COLUMN ${col} text${constraint}; (keeping the column's other clauses)`
          : `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE text; ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (char_length(${col}) <= ${limit}) NOT VALID; ALTER TABLE ${table} VALIDATE CONSTRAINT ${check};`;
    help =
      `Use text, with the limit in a named CHECK constraint: ${sql} ` +
      `Changing the limit later is then ALTER TABLE ${table} DROP CONSTRAINT ${check}, ADD CONSTRAINT ${check} CHECK (char_length(${col}) <= …) NOT VALID; ` +
      `(a brief lock, no scan) and ALTER TABLE ${table} VALIDATE CONSTRAINT ${check}; (SHARE UPDATE EXCLUSIVE: reads and writes go on during the scan).`;
  }
  context.report({ ...(column.range ? { range: column.range } : {}), message, help });
}

// ---- The columns a statement creates or retypes (the same reader in each design rule) ----

interface NewColumn {
  table: QualifiedName;
  column: string;
  typeName: AstNode;
  /** A CREATE TABLE column, ADD COLUMN, or ALTER COLUMN … TYPE. */
  via: "create" | "add" | "type";
  /** The column definition, or the ALTER TABLE action; undefined: the statement. */
  range: Range | undefined;
}

/**
 * The typed columns of a CREATE TABLE (not temporary) and the columns added or retyped
 * by an ALTER TABLE. Rollbacks restore an old schema as it was: they are left alone.
 */
function newColumns(statement: Statement, context: RuleContext): NewColumn[] {
  if (context.facts.isRollback(statement)) return [];
  if (statement.kind === "CreateStmt") {
    const relation = statement.node.relation as { relpersistence?: string } | undefined;
    const table = relationName(relation);
    if (!table || relation?.relpersistence === "t") return [];
    const found: NewColumn[] = [];
    for (const element of asList(statement.node.tableElts)) {
      const def = unwrap(element);
      if (def?.type !== "ColumnDef" || typeof def.value.colname !== "string" || !def.value.typeName) continue;
      found.push({ table, column: def.value.colname, typeName: def.value.typeName as AstNode, via: "create", range: columnRange(statement, def.value.location) });
    }
    return found;
  }
  if (statement.kind !== "AlterTableStmt" || statement.node.objtype !== "OBJECT_TABLE") return [];
  const table = relationName(statement.node.relation);
  if (!table) return [];
  const found: NewColumn[] = [];
  for (const command of alterTableCommands(statement)) {
    const def = unwrap(command.node.def);
    if (def?.type !== "ColumnDef" || !def.value.typeName) continue;
    const typeName = def.value.typeName as AstNode;
    if (command.subtype === "AT_AddColumn" && typeof def.value.colname === "string") {
      found.push({ table, column: def.value.colname, typeName, via: "add", range: command.range });
    } else if (command.subtype === "AT_AlterColumnType" && typeof command.node.name === "string") {
      found.push({ table, column: command.node.name, typeName, via: "type", range: command.range });
    }
  }
  return found;
}

/** A built-in type's internal name (`varchar`, `bpchar`, `int4`), written plain or as pg_catalog.name. */
function builtinName(typeName: AstNode): string | undefined {
  if (typeName.pct_type === true) return undefined;
  const names = asList(typeName.names).map(stringOf);
  if (names.length === 2 && names[0] === "pg_catalog") return names[1];
  return names.length === 1 ? names[0] : undefined;
}

/** A column definition inside CREATE TABLE (…): from its name to the comma or parenthesis that ends it. */
function columnRange(statement: Statement, location: unknown): Range | undefined {
  if (typeof location !== "number" || location < 0) return undefined;
  const start = statement.indexOf(location);
  let depth = 0;
  let first: Token | undefined;
  let last: Token | undefined;
  for (const token of statement.tokens) {
    if (token.start < start || token.type === "line-comment" || token.type === "block-comment") continue;
    if (token.type === "punctuation" || token.type === "other") {
      if (depth === 0 && (token.text === "," || token.text === ")")) break;
      if (token.text === "(" || token.text === "[") depth++;
      else if (token.text === ")" || token.text === "]") depth--;
    }
    first ??= token;
    last = token;
  }
  return first?.start === start && last ? { start, end: last.end } : undefined;
}
