import { displayName, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { addedColumn, alterOfExistingTable } from "../src/engine/existing-table.js";

export default defineRule({
  meta: {
    id: "drop-not-null",
    severity: "careful",
    description: "ALTER COLUMN ... DROP NOT NULL lets NULLs into a column that readers expect never to be NULL.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  visit: {
    AlterTableStmt(statement, context) {
      // A rollback's DROP NOT NULL restores the nullability that the code before the forward migration was written for.
      if (context.facts.sections.isRollback(statement)) return;
      const altered = alterOfExistingTable(statement, context);
      if (!altered) return;
      const { table, commands } = altered;
      const added = new Set<string>();
      for (const command of commands) {
        if (command.subtype === "AT_AddColumn") {
          const column = addedColumn(command);
          if (column) added.add(column.name);
          continue;
        }
        if (command.subtype !== "AT_DropNotNull" || command.node.name === undefined) continue;
        const column = command.node.name;
        if (added.has(column) || context.facts.history.isNewColumn(statement, table, column)) continue;
        // Dropped only for a while: the file makes the column NOT NULL again later.
        if (setNotNullLater(statement, command, table, column, context)) continue;
        const name = displayName(table);
        const col = displayName({ name: column });
        context.report({
          range: command.range,
          message: messageLine(
            `ALTER TABLE ${name} ALTER COLUMN ${col} DROP NOT NULL lets NULLs in where readers expect none`,
            `ALTER COLUMN ${col} DROP NOT NULL lets NULLs in where readers expect none`,
            `DROP NOT NULL lets NULLs into ${col}`,
          ),
          help: helpLine(
            `Deploy readers that handle a NULL ${col} first; if writers should still set it, keep NOT NULL and SET DEFAULT … instead`,
            "Deploy readers that handle a NULL first; if writers should still set it, keep NOT NULL and SET DEFAULT … instead",
          ),
          explanation:
            `ALTER TABLE ${name} ALTER COLUMN ${col} DROP NOT NULL lets NULLs into ${col}, which every reader could so far rely on never to be NULL: ` +
            `application code, reports, exports, other services and ORM models that declare ${col} non-optional break (a crash, a wrong total, a NULL in a string) as soon as the first NULL is written. ` +
            `The change itself is catalog-only (no rewrite, no scan), under an ACCESS EXCLUSIVE lock on ${name} held only for a moment, but it waits behind running queries on the table like any ALTER TABLE. ` +
            `Views and queries that compare or concatenate ${col} need to handle a NULL too.`,
        });
      }
    },
  },
});

/** True when an ALTER COLUMN ... SET NOT NULL of the column runs after this DROP NOT NULL, top level or in a DO block. */
function setNotNullLater(drop: Statement, command: AlterCommand, table: QualifiedName, column: string, context: RuleContext): boolean {
  const { history, order } = context.facts;
  return history.columnChanges(drop, table, column).some((change) => {
    if (change.change !== "set-not-null") return false;
    // A later action of the same ALTER TABLE counts too.
    return change.statement === drop ? (change.range?.start ?? -1) > command.range.start : order.runsBefore(drop, change.statement);
  });
}
