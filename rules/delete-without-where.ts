import { displayName, relationName } from "../src/parser/ast.js";
import { KINDS_WITH_CLAUSE, modifyingStatements } from "../src/parser/modifying-statements.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, visitEach } from "../src/engine/rule.js";
import { copiedElsewhere } from "../src/engine/copied-rows.js";

export default defineRule({
  meta: {
    id: "delete-without-where",
    severity: "dangerous",
    description: "DELETE without a WHERE clause deletes every row of the table.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  // A DELETE can also run in the WITH clause of another statement.
  visit: visitEach(KINDS_WITH_CLAUSE, (statement, context) => {
    for (const { node, range } of modifyingStatements(statement, "DeleteStmt")) {
      if (node.whereClause) continue;
      const name = relationName(node.relation);
      if (!name || context.facts.history.isNewOrUndone(statement, "table", name)) continue;
      // The migration copied the rows to another table first (or moves them there in this statement): nothing is lost.
      if (copiedElsewhere(statement, node, name, context)) continue;
      const table = displayName(name);
      context.report({
        range,
        message: messageLine(
          `DELETE FROM ${table} without WHERE deletes every row of the table for good`,
          `DELETE FROM ${table} without WHERE deletes every row for good`,
          `DELETE FROM ${table} without WHERE deletes every row`,
        ),
        help: helpLine(
          `Add the WHERE you meant; to delete many rows, batch it: DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE … LIMIT 1000)`,
          `Add the WHERE you meant; to delete many rows, batch it: DELETE FROM ${table} WHERE id IN (SELECT … LIMIT 1000)`,
          "Add the WHERE you meant; to delete many rows, batch it (… WHERE id IN (SELECT … LIMIT 1000)), repeated until it deletes nothing",
        ),
        explanation:
          `DELETE FROM ${table} has no WHERE: it deletes every row of ${table} for good, and running code suddenly finds the table empty. ` +
          "It takes a ROW EXCLUSIVE lock and then a row lock on every row until commit, so concurrent updates and deletes of any row wait; " +
          "the table is not rewritten, but every row is written to WAL (replicas lag) and left as a dead tuple for VACUUM. " +
          "Run the batches outside the schema-change transaction, repeated until one deletes nothing.",
      });
    }
  }),
});
