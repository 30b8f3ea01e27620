/** The columns a statement creates or retypes, with their types and exact ranges: what the schema-design rules read. */
import type { TypeName } from "@pgsql/types";
import type { Range } from "../source/source-text.js";
import { alterTableCommands, relationName, stringOf, type QualifiedName } from "../parser/ast.js";
import { nodeAs } from "../parser/node-types.js";
import type { Statement, Token } from "../parser/types.js";
import type { RuleContext } from "./rule.js";

/** The statements that create or retype columns: what a rule reading `newColumns` visits. */
export const COLUMN_STATEMENTS = ["CreateStmt", "AlterTableStmt"] as const;

export type ColumnStatement = Statement & { kind: (typeof COLUMN_STATEMENTS)[number] };

export interface NewColumn {
  table: QualifiedName;
  column: string;
  typeName: TypeName;
  /** A CREATE TABLE column, ADD COLUMN, or ALTER COLUMN … TYPE. */
  via: "create" | "add" | "type";
  /** The column definition, or the ALTER TABLE action; undefined: the statement. */
  range: Range | undefined;
}

/**
 * The typed columns of a CREATE TABLE (not temporary) and the columns added or retyped
 * by an ALTER TABLE. Rollbacks restore an old schema as it was: they are left alone.
 */
export function newColumns(statement: ColumnStatement, context: RuleContext): NewColumn[] {
  if (context.facts.sections.isRollback(statement)) return [];
  if (statement.kind === "CreateStmt") {
    const relation = statement.node.relation;
    const table = relationName(relation);
    if (!table || relation?.relpersistence === "t") return [];
    const found: NewColumn[] = [];
    for (const element of statement.node.tableElts ?? []) {
      const def = nodeAs(element, "ColumnDef");
      if (def?.colname === undefined || !def.typeName) continue;
      found.push({ table, column: def.colname, typeName: def.typeName, via: "create", range: columnRange(statement, def.location) });
    }
    return found;
  }
  if (statement.node.objtype !== "OBJECT_TABLE") return [];
  const table = relationName(statement.node.relation);
  if (!table) return [];
  const found: NewColumn[] = [];
  for (const command of alterTableCommands(statement)) {
    const def = nodeAs(command.node.def, "ColumnDef");
    if (!def?.typeName) continue;
    if (command.subtype === "AT_AddColumn" && def.colname !== undefined) {
      found.push({ table, column: def.colname, typeName: def.typeName, via: "add", range: command.range });
    } else if (command.subtype === "AT_AlterColumnType" && command.node.name !== undefined) {
      found.push({ table, column: command.node.name, typeName: def.typeName, via: "type", range: command.range });
    }
  }
  return found;
}

/** A built-in type's internal name (`varchar`, `bpchar`, `int4`), written plain or as pg_catalog.name. */
export function builtinName(typeName: TypeName): string | undefined {
  if (typeName.pct_type === true) return undefined;
  const names = (typeName.names ?? []).map(stringOf);
  if (names.length === 2 && names[0] === "pg_catalog") return names[1];
  return names.length === 1 ? names[0] : undefined;
}

/** A column definition inside CREATE TABLE (…): from its name to the comma or parenthesis that ends it. */
export function columnRange(statement: Statement, location: number | undefined): Range | undefined {
  if (location === undefined || location < 0) return undefined;
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
