import { alterTableCommands, relationName, unwrap, type AlterCommand, type QualifiedName } from "../parser/ast.js";
import type { AstNode, Statement } from "../parser/types.js";
import type { RuleContext } from "./rule.js";

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

/** The column an ADD COLUMN action defines (its ColumnDef), with its name; undefined for any other action. */
export function addedColumn(command: AlterCommand): { name: string; def: AstNode } | undefined {
  if (command.subtype !== "AT_AddColumn") return undefined;
  const def = unwrap(command.node.def);
  if (def?.type !== "ColumnDef" || typeof def.value.colname !== "string") return undefined;
  return { name: def.value.colname, def: def.value };
}
