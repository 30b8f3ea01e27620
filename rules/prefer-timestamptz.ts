import { alterTableCommands, asList, displayName, relationName, stringOf, typeDisplay, unwrap, type QualifiedName } from "../src/parser/ast.js";
import type { AstNode, Statement, Token } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { describeLock } from "../src/engine/locks.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "prefer-timestamptz",
    severity: "careful",
    description: "New timestamp (without time zone) columns: timestamptz stores an instant that does not depend on the session's time zone.",
    category: "design",
    recommended: false,
    checksDoBlocks: true,
  },
  checkStatement(statement, context) {
    for (const column of newColumns(statement, context)) {
      if (builtinName(column.typeName) === "timestamp") report(context, column);
    }
  },
});

function report(context: RuleContext, column: NewColumn): void {
  const table = displayName(column.table);
  const col = displayName({ name: column.column });
  const type = typeDisplay(column.typeName);
  // timestamp(3)[] → timestamptz(3)[]: the same precision and array dimensions.
  const better = `timestamptz${type.slice("timestamp".length)}`;
  const subject = column.via === "type" ? `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${type} gives ${col} the type ${type}` : `Column ${col} of ${table} is ${type}`;
  const rewrite =
    context.settings.pgVersion >= 12
      ? `rewrites ${table} and its indexes under ${describeLock("ACCESS EXCLUSIVE")}, for the whole rewrite, unless the migration's session TimeZone is UTC (PostgreSQL 12+ then only changes the catalog)`
      : `rewrites ${table} and its indexes under ${describeLock("ACCESS EXCLUSIVE")}, for the whole rewrite`;
  const message =
    `${subject} (without time zone): it stores a wall-clock reading, not an instant. ` +
    `now() and other timestamptz values are converted to the writing session's TimeZone and the zone is dropped, and a zone written in a literal ('2024-03-10 12:00+02') is silently ignored, ` +
    `so rows written by sessions or servers in different zones cannot be compared, and the hour repeated when daylight saving time ends is ambiguous. ` +
    `Converting the column to timestamptz later ${rewrite}.`;
  let sql: string;
  if (column.via === "create") sql = `declare the column as ${col} ${better} in CREATE TABLE ${table}, keeping its other clauses.`;
  else if (column.via === "add") sql = `ALTER TABLE ${table} ADD COLUMN ${col} ${better}; (keeping the column's other clauses)`;
  else sql = `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${better}; (with USING ${col} AT TIME ZONE 'UTC' when converting from timestamp values written in UTC)`;
  context.report({
    ...(column.range ? { range: column.range } : {}),
    message,
    help:
      `Use ${better} (timestamp with time zone) instead: it takes the same 8 bytes and stores an absolute instant, shown in each session's TimeZone. For example: ${sql} ` +
      `If the column really holds a local wall-clock time (an opening hour, a local appointment), keep ${type} and record why with -- migsafe-ignore prefer-timestamptz: <reason>.`,
  });
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
