/** Statements that can run again after they succeeded once, with the same result: what a re-run of a half-applied migration meets. */
import { alterTableCommands } from "./ast.js";
import type { Statement } from "./types.js";

/** ALTER TABLE actions that set a state (a default, NOT NULL, a type, a setting): doing them twice is doing them once. */
const SETS_STATE = new Set([
  "AT_ColumnDefault",
  "AT_DropNotNull",
  "AT_SetNotNull",
  "AT_AlterColumnType",
  "AT_SetStatistics",
  "AT_SetOptions",
  "AT_ResetOptions",
  "AT_SetStorage",
  "AT_SetCompression",
  "AT_SetRelOptions",
  "AT_ResetRelOptions",
  "AT_EnableTrig",
  "AT_DisableTrig",
  "AT_EnableTrigAll",
  "AT_DisableTrigAll",
  "AT_EnableRowSecurity",
  "AT_DisableRowSecurity",
  "AT_ForceRowSecurity",
  "AT_NoForceRowSecurity",
  "AT_ChangeOwner",
  "AT_ValidateConstraint",
  "AT_SetLogged",
  "AT_SetUnLogged",
]);

/** ALTER TABLE actions that skip what already exists, or is already gone, when written with IF [NOT] EXISTS. */
const GUARDED = new Set(["AT_AddColumn", "AT_DropColumn", "AT_DropConstraint"]);

/**
 * True when running the statement again, after it succeeded, neither fails nor changes anything more:
 * `IF NOT EXISTS` / `IF EXISTS` / `OR REPLACE` forms, `ALTER TYPE … ADD VALUE IF NOT EXISTS`, ALTER TABLE actions
 * that set a state, `INSERT … ON CONFLICT DO NOTHING`, comments and grants. A statement that writes rows
 * otherwise, or creates without a guard, is not: its second run fails, or writes again.
 */
export function isRerunnable(statement: Statement): boolean {
  switch (statement.kind) {
    case "CreateStmt":
    case "IndexStmt":
    case "CreateSeqStmt":
    case "CreateSchemaStmt":
    case "CreateExtensionStmt":
    case "CreateTableAsStmt":
      return statement.node.if_not_exists === true;
    case "DropStmt":
      return statement.node.missing_ok === true;
    case "ViewStmt":
    case "CreateFunctionStmt":
    case "CreateTrigStmt":
      return statement.node.replace === true;
    case "AlterEnumStmt":
      return statement.node.skipIfNewValExists === true;
    case "AlterTableStmt":
      return alterTableCommands(statement).every(
        (command) => SETS_STATE.has(command.subtype) || (GUARDED.has(command.subtype) && command.node.missing_ok === true),
      );
    case "InsertStmt":
      return statement.node.onConflictClause?.action === "ONCONFLICT_NOTHING";
    case "CommentStmt":
    case "GrantStmt":
    case "GrantRoleStmt":
    case "VariableSetStmt":
    case "TransactionStmt":
      return true;
    default:
      return false;
  }
}
