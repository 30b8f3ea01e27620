import type { ColumnDef } from "@pgsql/types";
import { alterTableCommands, relationName, type AlterCommand, type QualifiedName } from "../parser/ast.js";
import { nodeAs } from "../parser/node-types.js";
import type { Statement, StatementOf } from "../parser/types.js";
import type { RuleContext, StatementHandler } from "./rule.js";

/**
 * An ALTER TABLE of a table that existed before this file, with its actions; undefined
 * for any other statement, and for a table created earlier in the file: it is empty and
 * nothing uses it yet, so what the lock, rewrite and backfill rules warn of cannot happen.
 */
export function alterOfExistingTable(statement: Statement, context: RuleContext): { table: QualifiedName; commands: readonly AlterCommand[] } | undefined {
  if (statement.kind !== "AlterTableStmt" || statement.node.objtype !== "OBJECT_TABLE") return undefined;
  const table = relationName(statement.node.relation);
  if (!table || context.facts.history.isNew(statement, "table", table)) return undefined;
  return { table, commands: alterTableCommands(statement) };
}

/**
 * An ALTER TABLE handler for an ALTER TABLE of a table that may hold rows: one that existed before this file and
 * was not emptied earlier in it (TRUNCATE, DELETE without WHERE). On an empty table, the rewrite, scan or index
 * build the rules warn of takes no time (the emptying statement is reported by its own rule).
 */
export function alterOfTableWithRows(
  check: (statement: StatementOf<"AlterTableStmt">, context: RuleContext, table: QualifiedName, commands: readonly AlterCommand[]) => void,
): StatementHandler<"AlterTableStmt"> {
  return (statement, context) => {
    const altered = alterOfExistingTable(statement, context);
    if (!altered || context.facts.history.emptiedBefore(statement, altered.table)) return;
    check(statement, context, altered.table, altered.commands);
  };
}

/** Like alterOfTableWithRows, for each action of the ALTER TABLE. */
export function eachActionOnTableWithRows(
  check: (statement: StatementOf<"AlterTableStmt">, context: RuleContext, table: QualifiedName, command: AlterCommand) => void,
): StatementHandler<"AlterTableStmt"> {
  return alterOfTableWithRows((statement, context, table, commands) => {
    for (const command of commands) check(statement, context, table, command);
  });
}

/** The column an ADD COLUMN action defines (its ColumnDef), with its name; undefined for any other action. */
export function addedColumn(command: AlterCommand): { name: string; def: ColumnDef } | undefined {
  if (command.subtype !== "AT_AddColumn") return undefined;
  const def = nodeAs(command.node.def, "ColumnDef");
  if (def?.colname === undefined) return undefined;
  return { name: def.colname, def };
}
