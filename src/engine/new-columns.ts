/** The columns a statement creates or retypes, with their types and exact ranges: what the schema-design rules read. */
import type { Range } from "../source/source-text.js";
import { alterTableCommands, asList, relationName, stringOf, unwrap, type QualifiedName } from "../parser/ast.js";
import type { AstNode, Statement, Token } from "../parser/types.js";
import type { RuleContext } from "./rule.js";

export interface NewColumn {
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
export function newColumns(statement: Statement, context: RuleContext): NewColumn[] {
  if (context.facts.sections.isRollback(statement)) return [];
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
export function builtinName(typeName: AstNode): string | undefined {
  if (typeName.pct_type === true) return undefined;
  const names = asList(typeName.names).map(stringOf);
  if (names.length === 2 && names[0] === "pg_catalog") return names[1];
  return names.length === 1 ? names[0] : undefined;
}

/** A column definition inside CREATE TABLE (…): from its name to the comma or parenthesis that ends it. */
export function columnRange(statement: Statement, location: unknown): Range | undefined {
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
