import { displayName, relationName } from "../src/parser/ast.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import type { Statement } from "../src/parser/types.js";
import { modifyingStatements } from "../src/parser/modifying-statements.js";

export default defineRule({
  meta: {
    id: "hard-delete",
    severity: "careful",
    description: "DELETE ... WHERE removes rows for good; a soft delete can be undone.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  checkStatement(statement, context) {
    for (const { node, range } of modifyingStatements(statement, "DeleteStmt")) {
      if (!node.whereClause) continue;
      const name = relationName(node.relation);
      if (!name || context.facts.history.isNewOrUndone(statement, "table", name) || undoesUpInsert(statement, name.name, context)) continue;
      const table = displayName(name);
      context.report({
        range,
        message:
          `DELETE FROM ${table} removes the matching rows for good: once committed, only a backup brings them back. ` +
          `It takes a ROW EXCLUSIVE lock on ${table} and a row lock on each deleted row until commit, so concurrent writes to those rows wait; ` +
          "nothing is rewritten (the rows become dead tuples for VACUUM), and code that still looks those rows up stops finding them.",
        help:
          `Soft delete instead, so the data can be restored: UPDATE ${table} SET deleted_at = now() WHERE <same condition>; ` +
          `(after ALTER TABLE ${table} ADD COLUMN deleted_at timestamptz, with queries filtering on deleted_at IS NULL), ` +
          `or keep a copy first: CREATE TABLE ${displayName({ ...name, name: `${name.name}_deleted` })} AS SELECT * FROM ${table} WHERE <same condition>;`,
      });
    }
  },
});

/**
 * In the down section of a file holding both directions (goose, dbmate, sql-migrate),
 * a DELETE from a table the up section inserted into undoes that insert.
 */
function undoesUpInsert(statement: Statement, table: string, context: RuleContext): boolean {
  const downStart = context.facts.sections.rollback.downSectionStart;
  if (downStart === undefined || statement.range.start < downStart) return false;
  const { statements, doBlockStatements } = context.parsed;
  return [...statements, ...doBlockStatements].some((earlier) => earlier.range.start < downStart && insertTarget(earlier) === table);
}

function insertTarget(statement: Statement): string | undefined {
  if (statement.kind === "InsertStmt" || (statement.kind === "CopyStmt" && statement.node.is_from)) return relationName(statement.node.relation)?.name;
  return undefined;
}
