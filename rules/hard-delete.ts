import { displayName, relationName, type QualifiedName } from "../src/parser/ast.js";
import { defineRule, visitEach, type RuleContext } from "../src/engine/rule.js";
import type { Statement } from "../src/parser/types.js";
import { KINDS_WITH_CLAUSE, modifyingStatements } from "../src/parser/modifying-statements.js";
import { suffixed } from "../src/engine/wording.js";

export default defineRule({
  meta: {
    id: "hard-delete",
    // The migration guide: "NEVER delete data directly - use soft deletes", among its dangerous operations.
    severity: "dangerous",
    description: "DELETE ... WHERE removes rows for good; a soft delete can be undone.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  // A DELETE can also run in the WITH clause of another statement.
  visit: visitEach(KINDS_WITH_CLAUSE, (statement, context) => {
    for (const { node, range } of modifyingStatements(statement, "DeleteStmt")) {
      if (!node.whereClause) continue;
      const name = relationName(node.relation);
      if (!name || context.facts.history.isNewOrUndone(statement, "table", name) || undoesUpInsert(statement, name, context)) continue;
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
          `or keep a copy first: CREATE TABLE ${displayName(suffixed(name, "_deleted"))} AS SELECT * FROM ${table} WHERE <same condition>;`,
      });
    }
  }),
});

/**
 * In the down section of a file holding both directions (goose, dbmate, sql-migrate),
 * a DELETE from a table the up section inserted into undoes that insert.
 */
function undoesUpInsert(statement: Statement, table: QualifiedName, context: RuleContext): boolean {
  const { sections, names, order } = context.facts;
  if (!sections.inDownSection(statement)) return false;
  return order.statements.some((earlier) => !sections.inDownSection(earlier) && names.sameRelation(insertTarget(earlier), earlier, table, statement));
}

function insertTarget(statement: Statement): QualifiedName | undefined {
  if (statement.kind === "InsertStmt" || (statement.kind === "CopyStmt" && statement.node.is_from)) return relationName(statement.node.relation);
  return undefined;
}
