import { displayName, relationName } from "../src/parser/ast.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, visitEach } from "../src/engine/rule.js";
import { KINDS_WITH_CLAUSE, modifyingStatements } from "../src/parser/modifying-statements.js";

export default defineRule({
  meta: {
    id: "update-without-where",
    severity: "careful",
    description: "UPDATE without a WHERE clause rewrites every row of the table in one transaction.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  // An UPDATE can also run in the WITH clause of another statement.
  visit: visitEach(KINDS_WITH_CLAUSE, (statement, context) => {
    for (const { node, range } of modifyingStatements(statement, "UpdateStmt")) {
      if (node.whereClause) continue;
      const name = relationName(node.relation);
      if (!name || context.facts.history.isNewOrUndone(statement, "table", name)) continue;
      const table = displayName(name);
      context.report({
        range,
        message: messageLine(
          `UPDATE ${table} without WHERE rewrites every row in one transaction`,
          `UPDATE ${table} without WHERE rewrites every row`,
        ),
        help: helpLine(
          `Batch it outside the schema-change transaction: UPDATE ${table} SET … WHERE id IN (SELECT … LIMIT 5000)`,
          "Batch it outside the schema-change transaction (… WHERE id IN (SELECT … LIMIT 5000)), or add the WHERE you meant",
        ),
        explanation:
          `UPDATE ${table} has no WHERE: it changes every row of ${table}, overwriting the old values, and rewrites them all — ` +
          "PostgreSQL writes a new version of each row, so the table and its indexes bloat and every row goes to WAL (replicas lag). " +
          "It takes a ROW EXCLUSIVE lock, which lets reads through, but holds a row lock on every row until commit, " +
          `so concurrent writes to any row of ${table} wait and the application's writes time out. ` +
          "Commit each batch on its own, repeated until one updates no row; if you did not mean every row, add the WHERE you meant.",
      });
    }
  }),
});
