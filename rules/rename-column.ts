import { displayName, relationName, type QualifiedName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";

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
        ` It takes an ACCESS EXCLUSIVE lock on ${name}, ` +
        `held until the transaction commits; on its own it is brief, because nothing is rewritten, but it waits behind every running query on ${name} and blocks every query queued after it.`;

      if (successor) {
        context.report({
          message:
            `Renaming column ${oldColumn} of ${name} to ${newColumn} leaves ${name} without a column ${oldColumn} until a later statement of this file adds one again outside this transaction: ` +
            `running code that uses ${oldColumn} in between fails with "column does not exist".${lock}`,
          help: `Run the rename and the statement that brings ${oldColumn} back in one transaction, so that no query ever finds the column missing: BEGIN; ALTER ${keyword} ${name} RENAME COLUMN ${oldColumn} TO ${newColumn}; …; COMMIT;`,
        });
        return;
      }

      context.report({
        message:
          `Renaming column ${oldColumn} of ${name} to ${newColumn} breaks running code that still uses ${oldColumn}: its queries fail with "column does not exist" as soon as this commits, ` +
          `until code using ${newColumn} is deployed, and the previous release can no longer run if the deploy is rolled back; ORMs with a cached column list and SELECT * consumers see the new name too.${lock} ` +
          `Views, indexes and constraints follow the rename; function and trigger bodies that name ${oldColumn} do not.`,
        help: helpFor(noun, keyword, name, oldColumn, newColumn, table),
      });
    },
  },
});

function helpFor(noun: string, keyword: string, name: string, oldColumn: string, newColumn: string, table: QualifiedName): string {
  if (noun === "view") {
    return (
      `Add the new name beside the old one first: CREATE OR REPLACE VIEW ${name} AS SELECT …, ${oldColumn}, ${oldColumn} AS ${newColumn} FROM …; (new columns may only go at the end), ` +
      `deploy code that uses ${newColumn}, then re-create the view without ${oldColumn} in a later migration.`
    );
  }
  if (noun === "materialized view") {
    const fresh = displayName({ ...table, name: `${table.name}_new` });
    return (
      `Build the new version beside the old one (CREATE MATERIALIZED VIEW ${fresh} AS SELECT …, ${oldColumn} AS ${newColumn} …;), deploy code that reads it, ` +
      `then swap the names in one short transaction and drop the old one in a later migration.`
    );
  }
  return (
    `Expand/contract instead: ALTER ${keyword} ${name} ADD COLUMN ${newColumn} …; (the type of ${oldColumn}), ` +
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
