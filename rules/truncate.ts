import { displayName, relationName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import { defineRule } from "../src/engine/rule.js";
import { suffixed } from "../src/engine/wording.js";

export default defineRule({
  meta: {
    id: "truncate",
    severity: "dangerous",
    description: "TRUNCATE deletes every row of a table at once.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  visit: {
    TruncateStmt(statement, context) {
      const tables = (statement.node.relations ?? [])
        .map((relation) => relationName(nodeAs(relation, "RangeVar")))
        .filter((name) => name !== undefined)
        .filter((name) => !context.facts.history.isNewOrUndone(statement, "table", name));
      if (tables.length === 0) return;
      const many = tables.length > 1;
      const names = tables.map(displayName).join(", ");
      const first = tables[0]!;
      const table = displayName(first);
      const backup = displayName(suffixed(first, "_backup"));
      const cascade = statement.node.behavior === "DROP_CASCADE" ? ` CASCADE also empties every table with a foreign key to ${many ? "them" : "it"}.` : "";
      const restart = statement.node.restart_seqs
        ? " RESTART IDENTITY resets the sequences they own, so new rows reuse ids that may still be referenced elsewhere."
        : "";
      context.report({
        message:
          `TRUNCATE ${names} deletes every row of ${many ? "these tables" : "the table"} for good, under an ACCESS EXCLUSIVE lock that blocks even reads until commit. ` +
          `Nothing is scanned or rewritten (the storage is swapped for new empty files), so it is fast, but running code finds ${many ? "them" : "it"} empty, ` +
          "and it is not MVCC-safe: transactions with an older snapshot see the rows vanish too." +
          cascade +
          restart,
        help:
          `If only some rows must go, delete them in batches: DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE <condition> LIMIT 1000); repeated. ` +
          `If the table must really be emptied, keep a copy first (CREATE TABLE ${backup} AS TABLE ${table};) and drop the copy in a later migration.`,
      });
    },
  },
});
