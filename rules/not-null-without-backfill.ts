import type { Constraint, Node } from "@pgsql/types";
import { alterTableCommands, displayName, relationName, typeDisplay, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import type { Statement } from "../src/parser/types.js";
import { firstFitting, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { addedColumn, eachActionOnTableWithRows } from "../src/engine/existing-table.js";
import { constraintsOf, isNullConstant, serialType } from "../src/parser/column-constraints.js";

export default defineRule({
  meta: {
    id: "not-null-without-backfill",
    severity: "careful",
    description: "SET NOT NULL without an earlier backfill or validated CHECK, or ADD COLUMN … NOT NULL without a DEFAULT on an existing table.",
    category: "reliability",
    checksDoBlocks: true,
  },
  visit: {
    AlterTableStmt: eachActionOnTableWithRows((statement, context, table, command) => {
      const column = settingNotNull(command);
      if (column !== undefined) checkSetNotNull(statement, context, table, column, command);
      else checkAddColumn(context, table, command);
    }),
  },
});

/**
 * The column an action makes NOT NULL by scanning the table: `ALTER COLUMN c SET NOT NULL`,
 * or PostgreSQL 18's `ADD CONSTRAINT k NOT NULL c` (without NOT VALID).
 */
function settingNotNull(command: AlterCommand): string | undefined {
  if (command.subtype === "AT_SetNotNull") return command.node.name;
  const constraint = command.subtype === "AT_AddConstraint" ? nodeAs(command.node.def, "Constraint") : undefined;
  if (constraint?.contype !== "CONSTR_NOTNULL" || constraint.skip_validation === true) return undefined;
  return onlyKey(constraint);
}

/** The column of a constraint on exactly one column (`NOT NULL c`). */
function onlyKey(constraint: Constraint): string | undefined {
  const keys = constraint.keys ?? [];
  return keys.length === 1 ? nodeAs(keys[0], "String")?.sval : undefined;
}

function checkSetNotNull(statement: Statement, context: RuleContext, table: QualifiedName, column: string, command: AlterCommand): void {
  // Already NOT NULL (set earlier in this file, or by an earlier migration of its folder): PostgreSQL does nothing, no scan.
  if (context.facts.history.isNotNullBefore(statement, table, column)) return;
  const proof = notNullProofBefore(statement, context, table, column);
  if (proof === "validated") return;
  const backfill = backfillBefore(statement, context, table, column);
  const name = displayName(table);
  const col = displayName({ name: column });
  const action = command.subtype === "AT_SetNotNull" ? `ALTER COLUMN ${col} SET NOT NULL` : `ADD CONSTRAINT … NOT NULL ${col}`;
  const lineOf = (earlier: Statement) => context.lineOf(earlier.range);
  const scan = `It holds an ACCESS EXCLUSIVE lock for the scan (no rewrite, but reads and writes of ${name} are blocked until it ends)`;
  const fails = `It fails if any row of ${name} has ${col} NULL, and no earlier UPDATE in this file backfills ${col}.`;

  const conname = command.subtype === "AT_AddConstraint" ? nodeAs(command.node.def, "Constraint")?.conname : undefined;
  const verb = command.subtype === "AT_SetNotNull" ? "SET NOT NULL" : conname !== undefined ? `ADD CONSTRAINT ${displayName({ name: conname })} NOT NULL` : "ADD NOT NULL";
  const verbs = verb === "SET NOT NULL" ? [verb] : [verb, "ADD NOT NULL"];
  const on = (rest: readonly string[]) =>
    messageLine(...(verbs.flatMap((each) => [...rest.map((text) => `${each} on ${name}.${col} ${text}`), ...rest.map((text) => `${each} on ${col} ${text}`)])));

  if (proof) {
    const check = displayName({ name: proof.name });
    context.report({
      range: command.range,
      message: on([`still scans the table: ${check} is not validated (ACCESS EXCLUSIVE)`, "still scans the table: its CHECK is not validated (ACCESS EXCLUSIVE)"]),
      help: firstFitting(200, 
          `Run ALTER TABLE ${name} VALIDATE CONSTRAINT ${check} in a separate transaction first: SET NOT NULL then skips the scan`,
          `Run VALIDATE CONSTRAINT ${check} in a separate transaction first: SET NOT NULL then skips the scan`,
          "Validate the CHECK in a separate transaction first: SET NOT NULL then skips the scan",
        ),
      explanation:
        `ALTER TABLE ${name} ${action} still scans the whole table: the constraint ${check} that proves ${col} non-null was added NOT VALID at line ${lineOf(proof.statement)} ` +
        `and never validated, and PostgreSQL 12+ skips the scan only for a validated one. ${scan}.` +
        (backfill ? "" : ` ${fails}`) +
        ` Validate the check first, in a separate transaction (after COMMIT, or in an earlier migration): ALTER TABLE ${name} VALIDATE CONSTRAINT ${check}; ` +
        `(SHARE UPDATE EXCLUSIVE: reads and writes go on) then ALTER TABLE ${name} ALTER COLUMN ${col} SET NOT NULL; (no scan now) and ALTER TABLE ${name} DROP CONSTRAINT ${check};`,
    });
    return;
  }

  const check = displayName({ name: `${table.name}_${column}_not_null` });
  const steps =
    `ALTER TABLE ${name} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID; ` +
    `ALTER TABLE ${name} VALIDATE CONSTRAINT ${check}; (SHARE UPDATE EXCLUSIVE: reads and writes go on) ` +
    `ALTER TABLE ${name} ALTER COLUMN ${col} SET NOT NULL; (no scan now) ` +
    `ALTER TABLE ${name} DROP CONSTRAINT ${check};`;
  if (backfill) {
    const sameTransaction = context.facts.transactions.sameTransaction(backfill, statement);
    const prove = firstFitting(200, 
        `${sameTransaction ? "Commit the backfill first, then prove" : "Prove"} it without a long lock: ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL`,
        `${sameTransaction ? "Commit the backfill first, then prove" : "Prove"} it without a long lock: a CHECK (… IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL`,
      );
    context.report({
      range: command.range,
      message: on([`scans the whole table after its backfill (ACCESS EXCLUSIVE)`, "scans the table after its backfill (ACCESS EXCLUSIVE)"]),
      help: prove,
      explanation:
        `ALTER TABLE ${name} ${action} follows the backfill of ${col} at line ${lineOf(backfill)}, so it should not fail, but it still scans the whole table ` +
        `under an ACCESS EXCLUSIVE lock (no rewrite, but reads and writes of ${name} are blocked until the scan ends): ` +
        `no validated CHECK (${col} IS NOT NULL) lets PostgreSQL 12+ skip the scan.` +
        (sameTransaction
          ? ` The UPDATE runs in the same transaction, so every row it changed stays locked against other writes until this commits, through the wait for the lock and the scan.`
          : "") +
        ` Backfill in batches${sameTransaction ? ", each in its own short transaction," : ""} (UPDATE ${name} SET ${col} = … WHERE ${col} IS NULL AND id BETWEEN … AND …), ` +
        `then prove the column non-null without blocking writes, in a separate transaction: ${steps}`,
    });
    return;
  }
  context.report({
    range: command.range,
    message: on(["fails on any NULL row and scans the table (ACCESS EXCLUSIVE)", "fails on any NULL row (ACCESS EXCLUSIVE)"]),
    help: firstFitting(200, 
        `Backfill ${col} in batches, then add CHECK (${col} IS NOT NULL) NOT VALID, VALIDATE it, and SET NOT NULL`,
        "Backfill the column in batches, then add a CHECK (… IS NOT NULL) NOT VALID, VALIDATE it, and SET NOT NULL",
      ),
    explanation:
      `ALTER TABLE ${name} ${action} fails if any row of ${name} has ${col} NULL, and no earlier UPDATE in this file backfills ${col}. ` +
      `It also scans the whole table under an ACCESS EXCLUSIVE lock (no rewrite, but reads and writes of ${name} are blocked until the scan ends), ` +
      `because no validated CHECK (${col} IS NOT NULL) exists to let PostgreSQL 12+ skip the scan. ` +
      `Backfill in batches first (UPDATE ${name} SET ${col} = … WHERE ${col} IS NULL AND id BETWEEN … AND …), then prove the column non-null without blocking writes: ${steps}`,
  });
}

function checkAddColumn(context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const added = addedColumn(command);
  if (!added) return;
  const column = added.def;
  const constraints = constraintsOf(column);
  const types = new Set(constraints.map((c) => c.contype));
  const notNull = types.has("CONSTR_NOTNULL") ? "NOT NULL" : types.has("CONSTR_PRIMARY") ? "PRIMARY KEY" : undefined;
  if (!notNull) return;
  if (types.has("CONSTR_IDENTITY") || types.has("CONSTR_GENERATED") || serialType(column.typeName) !== undefined) return;
  const fallback = constraints.find((c) => c.contype === "CONSTR_DEFAULT");
  if (fallback && !isNullConstant(fallback.raw_expr)) return;

  const name = displayName(table);
  const col = displayName({ name: added.name });
  const type = typeDisplay(column.typeName);
  const defaultNote = fallback ? " (DEFAULT NULL is no default)" : "";
  const without = fallback ? "DEFAULT NULL" : "without a default";
  context.report({
    range: command.range,
    message: messageLine(
      `ADD COLUMN ${col} ${notNull} ${without} fails on ${name} if it has rows`,
      `ADD COLUMN ${col} ${notNull} ${without} fails on a table with rows`,
      `ADD COLUMN ${notNull} ${without} fails on a table with rows`,
    ),
    help: firstFitting(200, 
        `Give ${col} a constant DEFAULT, or add it nullable, backfill it and then make it NOT NULL`,
        "Give the column a constant DEFAULT, or add it nullable, backfill it and then make it NOT NULL",
      ),
    explanation:
      `ALTER TABLE ${name} ADD COLUMN ${col} ${type} ${notNull} has no DEFAULT${defaultNote}: existing rows would get NULL, so the statement fails ` +
      `as soon as ${name} has a single row, after queueing for an ACCESS EXCLUSIVE lock on it; the deploy stops at this migration. ` +
      `Give the column a constant DEFAULT, which PostgreSQL 11+ adds without rewriting the table: ` +
      `ALTER TABLE ${name} ADD COLUMN ${col} ${type} ${notNull} DEFAULT <value>; ` +
      `or add it nullable, backfill in batches, then add CHECK (${col} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, and SET NOT NULL.`,
  });
}

/** The last UPDATE of the table assigning the column earlier in the file (top level, in a WITH query, or in a DO block). */
function backfillBefore(statement: Statement, context: RuleContext, table: QualifiedName, column: string): Statement | undefined {
  return context.facts.history
    .columnChanges(statement, table, column)
    .filter((change) => change.change === "update" && context.facts.order.runsBefore(change.statement, statement))
    .pop()?.statement;
}

/**
 * What proves the column non-null before the statement: "validated" for a constraint added in an earlier statement,
 * `CHECK (c IS NOT NULL)` (or a CHECK that ANDs it with other conditions) or PostgreSQL 18's `NOT NULL c`, either
 * added valid or added NOT VALID and then validated by name; otherwise the last such constraint added NOT VALID
 * and never validated (named as PostgreSQL names it when it has no name), which does not spare the scan.
 */
function notNullProofBefore(statement: Statement, context: RuleContext, table: QualifiedName, column: string): "validated" | { name: string; statement: Statement } | undefined {
  const pending = new Map<string, Statement>();
  for (const earlier of context.facts.order.before(statement)) {
    if (earlier.kind !== "AlterTableStmt" || !context.facts.names.sameRelation(relationName(earlier.node.relation), earlier, table, statement)) continue;
    for (const command of alterTableCommands(earlier)) {
      if (command.subtype === "AT_ValidateConstraint") {
        if (command.node.name !== undefined && pending.has(command.node.name)) return "validated";
        continue;
      }
      const constraint = command.subtype === "AT_AddConstraint" ? nodeAs(command.node.def, "Constraint") : undefined;
      if (!constraint || !provesNotNull(constraint, column)) continue;
      if (constraint.skip_validation !== true) return "validated";
      pending.set(constraint.conname ?? `${table.name}_${column}_${constraint.contype === "CONSTR_NOTNULL" ? "not_null" : "check"}`, earlier);
    }
  }
  const last = [...pending].pop();
  return last ? { name: last[0], statement: last[1] } : undefined;
}

function provesNotNull(constraint: Constraint, column: string): boolean {
  if (constraint.contype === "CONSTR_NOTNULL") return onlyKey(constraint) === column;
  return constraint.contype === "CONSTR_CHECK" && impliesNotNull(constraint.raw_expr, column);
}

function impliesNotNull(expression: Node | undefined, column: string): boolean {
  const test = nodeAs(expression, "NullTest");
  if (test) {
    if (test.nulltesttype !== "IS_NOT_NULL") return false;
    const fields = nodeAs(test.arg, "ColumnRef")?.fields ?? [];
    return nodeAs(fields[fields.length - 1], "String")?.sval === column;
  }
  const and = nodeAs(expression, "BoolExpr");
  return and?.boolop === "AND_EXPR" && (and.args ?? []).some((arg) => impliesNotNull(arg, column));
}
