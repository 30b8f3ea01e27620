import { asList, displayName, relationName, stringOf, typeDisplay, unwrap, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import { modifyingStatements } from "../src/parser/modifying-statements.js";
import type { AstNode, Statement } from "../src/parser/types.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { addedColumn, alterOfExistingTable } from "../src/engine/existing-table.js";

/** Types that fill themselves: adding such a column NOT NULL never leaves a row NULL. */
const SERIAL_TYPES = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);

export default defineRule({
  meta: {
    id: "not-null-without-backfill",
    severity: "careful",
    description: "SET NOT NULL without an earlier backfill or validated CHECK, or ADD COLUMN … NOT NULL without a DEFAULT on an existing table.",
    category: "reliability",
    checksDoBlocks: true,
  },
  checkStatement(statement, context) {
    const altered = alterOfExistingTable(statement, context);
    if (!altered) return;
    const { table, commands } = altered;
    for (const command of commands) {
      const column = settingNotNull(command);
      if (column !== undefined) {
        checkSetNotNull(statement, context, table, column, command);
        continue;
      }
      if (command.subtype === "AT_AddColumn") checkAddColumn(context, table, command);
    }
  },
});

/**
 * The column an action makes NOT NULL by scanning the table: `ALTER COLUMN c SET NOT NULL`,
 * or PostgreSQL 18's `ADD CONSTRAINT k NOT NULL c` (without NOT VALID).
 */
function settingNotNull(command: AlterCommand): string | undefined {
  if (command.subtype === "AT_SetNotNull") return typeof command.node.name === "string" ? command.node.name : undefined;
  const constraint = constraintOf(command);
  if (constraint?.contype !== "CONSTR_NOTNULL" || constraint.skip_validation === true) return undefined;
  const keys = asList(constraint.keys).map(stringOf);
  return keys.length === 1 ? keys[0] : undefined;
}

function checkSetNotNull(statement: Statement, context: RuleContext, table: QualifiedName, column: string, command: AlterCommand): void {
  if (backfilledBefore(statement, context, table, column) || provenNotNullBefore(statement, context, table, column)) return;
  const name = displayName(table);
  const col = displayName({ name: column });
  const check = displayName({ name: `${table.name}_${column}_not_null` });
  const action = command.subtype === "AT_SetNotNull" ? `ALTER COLUMN ${col} SET NOT NULL` : `ADD CONSTRAINT … NOT NULL ${col}`;
  context.report({
    range: command.range,
    message:
      `ALTER TABLE ${name} ${action} fails if any row of ${name} has ${col} NULL, and no earlier UPDATE in this file backfills ${col}. ` +
      `It also scans the whole table under an ACCESS EXCLUSIVE lock (no rewrite, but reads and writes of ${name} are blocked until the scan ends), ` +
      `because no validated CHECK (${col} IS NOT NULL) exists to let PostgreSQL 12+ skip the scan.`,
    help:
      `Backfill in batches first (UPDATE ${name} SET ${col} = … WHERE ${col} IS NULL AND id BETWEEN … AND …), then prove the column non-null without blocking writes: ` +
      `ALTER TABLE ${name} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID; ` +
      `ALTER TABLE ${name} VALIDATE CONSTRAINT ${check}; (SHARE UPDATE EXCLUSIVE: reads and writes go on) ` +
      `ALTER TABLE ${name} ALTER COLUMN ${col} SET NOT NULL; (no scan now) ` +
      `ALTER TABLE ${name} DROP CONSTRAINT ${check};`,
  });
}

function checkAddColumn(context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const added = addedColumn(command);
  if (!added) return;
  const column = added.def;
  const constraints = asList(column.constraints)
    .map(unwrap)
    .filter((c): c is { type: string; value: AstNode } => c?.type === "Constraint")
    .map((c) => c.value);
  const types = new Set(constraints.map((c) => c.contype));
  const notNull = types.has("CONSTR_NOTNULL") ? "NOT NULL" : types.has("CONSTR_PRIMARY") ? "PRIMARY KEY" : undefined;
  if (!notNull) return;
  if (types.has("CONSTR_IDENTITY") || types.has("CONSTR_GENERATED") || isSerial(column.typeName)) return;
  const fallback = constraints.find((c) => c.contype === "CONSTR_DEFAULT");
  if (fallback && !isNullConstant(fallback.raw_expr)) return;

  const name = displayName(table);
  const col = displayName({ name: String(column.colname) });
  const type = typeDisplay(column.typeName);
  const defaultNote = fallback ? " (DEFAULT NULL is no default)" : "";
  context.report({
    range: command.range,
    message:
      `ALTER TABLE ${name} ADD COLUMN ${col} ${type} ${notNull} has no DEFAULT${defaultNote}: existing rows would get NULL, so the statement fails ` +
      `as soon as ${name} has a single row, after queueing for an ACCESS EXCLUSIVE lock on it; the deploy stops at this migration.`,
    help:
      `Give the column a constant DEFAULT, which PostgreSQL 11+ adds without rewriting the table: ` +
      `ALTER TABLE ${name} ADD COLUMN ${col} ${type} ${notNull} DEFAULT <value>; ` +
      `or add it nullable, backfill in batches, then add CHECK (${col} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, and SET NOT NULL.`,
  });
}

/** An UPDATE of the table assigning the column, earlier in the file (top level, in a WITH query, or in a DO block). */
function backfilledBefore(statement: Statement, context: RuleContext, table: QualifiedName, column: string): boolean {
  return earlierStatements(statement, context).some((earlier) =>
    modifyingStatements(earlier, "UpdateStmt").some(
      (update) =>
        sameTable(relationName(update.node.relation), table) && asList(update.node.targetList).some((target) => unwrap(target)?.value.name === column),
    ),
  );
}

/**
 * A validated constraint proving the column non-null, added in an earlier statement:
 * `CHECK (c IS NOT NULL)` (or a CHECK that ANDs it with other conditions), or
 * PostgreSQL 18's `NOT NULL c`, either added valid or added NOT VALID and then validated by name.
 */
function provenNotNullBefore(statement: Statement, context: RuleContext, table: QualifiedName, column: string): boolean {
  const pending = new Set<string>();
  for (const earlier of earlierStatements(statement, context)) {
    if (earlier.kind !== "AlterTableStmt" || !sameTable(relationName(earlier.node.relation), table)) continue;
    for (const command of asList(earlier.node.cmds).map(unwrap)) {
      if (command?.type !== "AlterTableCmd") continue;
      const cmd = command.value;
      if (cmd.subtype === "AT_ValidateConstraint") {
        if (typeof cmd.name === "string" && pending.has(cmd.name)) return true;
        continue;
      }
      const constraint = cmd.subtype === "AT_AddConstraint" ? unwrap(cmd.def) : undefined;
      if (constraint?.type !== "Constraint" || !provesNotNull(constraint.value, column)) continue;
      if (constraint.value.skip_validation !== true) return true;
      if (typeof constraint.value.conname === "string") pending.add(constraint.value.conname);
    }
  }
  return false;
}

function provesNotNull(constraint: AstNode, column: string): boolean {
  if (constraint.contype === "CONSTR_NOTNULL") {
    const keys = asList(constraint.keys).map(stringOf);
    return keys.length === 1 && keys[0] === column;
  }
  return constraint.contype === "CONSTR_CHECK" && impliesNotNull(constraint.raw_expr, column);
}

function impliesNotNull(expression: unknown, column: string): boolean {
  const node = unwrap(expression);
  if (node?.type === "NullTest") {
    if (node.value.nulltesttype !== "IS_NOT_NULL") return false;
    const arg = unwrap(node.value.arg);
    if (arg?.type !== "ColumnRef") return false;
    const fields = asList(arg.value.fields);
    return stringOf(fields[fields.length - 1]) === column;
  }
  if (node?.type === "BoolExpr" && node.value.boolop === "AND_EXPR") return asList(node.value.args).some((arg) => impliesNotNull(arg, column));
  return false;
}

function earlierStatements(statement: Statement, context: RuleContext): Statement[] {
  const top = context.facts.order.topLevelBefore(statement);
  const inDo = context.parsed.doBlockStatements.filter((inner) => inner.range.start < statement.range.start);
  return [...top, ...inDo];
}

function constraintOf(command: AlterCommand): AstNode | undefined {
  if (command.subtype !== "AT_AddConstraint") return undefined;
  const def = unwrap(command.node.def);
  return def?.type === "Constraint" ? def.value : undefined;
}

function sameTable(a: QualifiedName | undefined, b: QualifiedName): boolean {
  return a !== undefined && a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

function isSerial(typeName: unknown): boolean {
  const names = asList((typeName as AstNode | undefined)?.names).map(stringOf);
  return names.length === 1 && SERIAL_TYPES.has(names[0] ?? "") && asList((typeName as AstNode).arrayBounds).length === 0;
}

function isNullConstant(expression: unknown): boolean {
  const node = unwrap(expression);
  return node?.type === "A_Const" && node.value.isnull === true;
}
