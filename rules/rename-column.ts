import { displayName, relationName, type QualifiedName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { sentences } from "../src/engine/wording-drops.js";

/** The relations whose column renames this rule reports, with the keywords and noun for each. */
const KINDS: Record<string, { keyword: string; noun: string }> = {
  OBJECT_TABLE: { keyword: "TABLE", noun: "table" },
  OBJECT_FOREIGN_TABLE: { keyword: "FOREIGN TABLE", noun: "foreign table" },
  OBJECT_VIEW: { keyword: "VIEW", noun: "view" },
  OBJECT_MATVIEW: { keyword: "MATERIALIZED VIEW", noun: "materialized view" },
};

interface ColumnRename {
  table: QualifiedName;
  from: string;
  to: string;
}

export default defineRule({
  meta: {
    id: "rename-column",
    severity: "careful",
    description: "ALTER TABLE … RENAME COLUMN breaks running code that still uses the old column name.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  visit: {
    RenameStmt(statement, context) {
      const kind = KINDS[String(statement.node.relationType)];
      const rename = columnRenameOf(statement);
      if (!kind || !rename) return;
      const { table, from, to } = rename;
      if (isNew(statement, context, table, from) || undoesForwardRename(statement, context, rename)) return;
      const successor = context.facts.history.columnSuccessorOf(statement, table, from);
      if (successor && context.facts.transactions.sameTransaction(statement, successor)) return;

      const { keyword, noun } = kind;
      const name = displayName(table);
      const oldColumn = displayName({ name: from });
      const newColumn = displayName({ name: to });
      const lock =
        `It takes an ACCESS EXCLUSIVE lock on ${name}, ` +
        `held until the transaction commits; on its own it is brief, because nothing is rewritten, but it waits behind every running query on ${name} and blocks every query queued after it.`;

      if (successor) {
        context.report({
          message: messageLine(
            `RENAME COLUMN ${oldColumn} TO ${newColumn} leaves ${name} without ${oldColumn} until a later transaction`,
            `RENAME COLUMN ${oldColumn} TO ${newColumn} leaves a gap until a later transaction`,
            `RENAME COLUMN ${oldColumn} leaves a gap until a later transaction`,
          ),
          help: helpLine(
            `Run the rename and the statement that brings ${oldColumn} back in one transaction (BEGIN; ALTER ${keyword} ${name} RENAME COLUMN …; …; COMMIT;)`,
            `Run the rename and the statement that brings ${oldColumn} back in one transaction`,
            "Run the rename and the statement that brings the column back in one transaction",
          ),
          explanation: sentences(
            `Renaming column ${oldColumn} of ${name} to ${newColumn} leaves ${name} without a column ${oldColumn} until a later statement of this file adds one again outside this transaction: ` +
              `running code that uses ${oldColumn} in between fails with "column does not exist".`,
            lock,
          ),
        });
        return;
      }

      context.report({
        message: messageLine(
          `RENAME COLUMN ${oldColumn} TO ${newColumn} on ${name} breaks code still using ${oldColumn}`,
          `RENAME COLUMN ${oldColumn} TO ${newColumn} breaks code still using ${oldColumn}`,
          `RENAME COLUMN ${oldColumn} breaks code still using it`,
        ),
        help: helpFor(noun, keyword, name, oldColumn, newColumn, table),
        explanation: sentences(
          `Renaming column ${oldColumn} of ${name} to ${newColumn} breaks running code that still uses ${oldColumn}: its queries fail with "column does not exist" as soon as this commits, ` +
            `until code using ${newColumn} is deployed, and the previous release can no longer run if the deploy is rolled back; ORMs with a cached column list and SELECT * consumers see the new name too.`,
          lock,
          `Views, indexes and constraints follow the rename; function and trigger bodies that name ${oldColumn} do not.`,
          explainFor(noun, keyword, name, oldColumn, newColumn),
        ),
      });
    },
  },
});

function helpFor(noun: string, keyword: string, name: string, oldColumn: string, newColumn: string, table: QualifiedName): string {
  if (noun === "view") {
    return helpLine(
      `Add ${newColumn} beside ${oldColumn} first (CREATE OR REPLACE VIEW ${name} AS SELECT …, ${oldColumn} AS ${newColumn} …), drop ${oldColumn} in a later release`,
      `Add ${newColumn} beside ${oldColumn} with CREATE OR REPLACE VIEW first, drop ${oldColumn} in a later release`,
      "Add the new name beside the old one with CREATE OR REPLACE VIEW first, drop the old one in a later release",
    );
  }
  if (noun === "materialized view") {
    const fresh = displayName({ ...table, name: `${table.name}_new` });
    return helpLine(
      `Build ${fresh} with ${oldColumn} AS ${newColumn} beside it, deploy code that reads it, then swap the names in one short transaction`,
      "Build the new version beside the old one, deploy code that reads it, then swap the names in one short transaction",
    );
  }
  return helpLine(
    `Expand/contract: add ${newColumn}, sync it with ${oldColumn} by a trigger, backfill, switch code, drop ${oldColumn} later`,
    `Expand/contract: add the new column, sync it by a trigger, backfill in batches, switch code, drop ${oldColumn} later`,
    "Expand/contract: add the new column, sync it by a trigger, backfill in batches, switch code, drop the old one later",
  );
}

/** The steps of the safe alternative, with the real names, for the explanation. */
function explainFor(noun: string, keyword: string, name: string, oldColumn: string, newColumn: string): string {
  if (noun === "view") return `New columns of a view may only go at the end; re-create the view without ${oldColumn} once code uses ${newColumn}.`;
  if (noun === "materialized view") return "Drop the old materialized view in a later migration, once nothing reads it.";
  return (
    `Expand/contract: ALTER ${keyword} ${name} ADD COLUMN ${newColumn} …; (the type of ${oldColumn}), ` +
    `with a trigger copying ${oldColumn} into ${newColumn} on every insert and update while running code still writes ${oldColumn}; ` +
    `backfill the existing rows in batches (UPDATE ${name} SET ${newColumn} = ${oldColumn} WHERE ${newColumn} IS DISTINCT FROM ${oldColumn} AND id BETWEEN … AND …;); ` +
    `deploy code that reads and writes ${newColumn}; then drop the trigger and ALTER ${keyword} ${name} DROP COLUMN ${oldColumn}; in a later migration.`
  );
}

function columnRenameOf(statement: Statement): ColumnRename | undefined {
  if (statement.kind !== "RenameStmt" || statement.node.renameType !== "OBJECT_COLUMN") return undefined;
  const table = relationName(statement.node.relation);
  const { subname, newname } = statement.node;
  if (!table || subname === undefined || newname === undefined) return undefined;
  return { table, from: subname, to: newname };
}

/** A column that is new in the file (its table too), or given its name by an earlier rename: no running code knows it. */
function isNew(statement: Statement, context: RuleContext, table: QualifiedName, column: string): boolean {
  const { history } = context.facts;
  return history.isNewColumn(statement, table, column) || history.columnNameTakenBefore(statement, table, column);
}

/**
 * True for a rename in a rollback that undoes the forward migration's rename. In a down
 * section, the file's up section is checked for the opposite rename. A separate rollback
 * file cannot see its forward migration's renames (the file facts record only what is
 * created), so a rename there is taken to undo one.
 */
function undoesForwardRename(statement: Statement, context: RuleContext, rename: ColumnRename): boolean {
  if (!context.facts.sections.isRollback(statement)) return false;
  if (context.facts.sections.rollback.role === "rollback") return true;
  return context.parsed.statements.some((forward) => {
    if (context.facts.sections.isRollback(forward)) return false;
    const earlier = columnRenameOf(forward);
    return earlier !== undefined && context.facts.names.sameRelation(earlier.table, forward, rename.table, statement) && earlier.from === rename.to && earlier.to === rename.from;
  });
}
