import { displayName, relationName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import { defineRule } from "../src/engine/rule.js";
import { fewNames, sentences } from "../src/engine/wording-drops.js";
import { helpLine, messageLine, suffixed } from "../src/engine/wording.js";

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
      const cascade = statement.node.behavior === "DROP_CASCADE";
      const restart = statement.node.restart_seqs === true;
      const shown = fewNames(tables.map(displayName));
      const what = many ? "these tables" : "the table";
      context.report({
        message: messageLine(
          `TRUNCATE ${shown}${cascade ? " CASCADE" : ""} deletes every row of ${what}, blocking even reads (ACCESS EXCLUSIVE)`,
          `TRUNCATE ${shown}${cascade ? " CASCADE" : ""} deletes every row of ${what} (ACCESS EXCLUSIVE)`,
          `TRUNCATE ${shown} deletes every row of ${what}`,
        ),
        help: helpLine(
          `Delete only the rows that must go, in batches; to empty ${table}, keep a copy first (CREATE TABLE ${backup} AS TABLE ${table})`,
          `Delete only the rows that must go, in batches; to empty ${table}, keep a copy first (CREATE TABLE … AS TABLE ${table})`,
          "Delete only the rows that must go, in batches; to empty the table, keep a copy first (CREATE TABLE … AS TABLE …)",
        ),
        explanation: sentences(
          `TRUNCATE ${names} deletes every row of ${what} for good, under an ACCESS EXCLUSIVE lock that blocks even reads until commit.`,
          `Nothing is scanned or rewritten (the storage is swapped for new empty files), so it is fast, but running code finds ${many ? "them" : "it"} empty, ` +
            "and it is not MVCC-safe: transactions with an older snapshot see the rows vanish too.",
          cascade && `CASCADE also empties every table with a foreign key to ${many ? "them" : "it"}.`,
          restart && "RESTART IDENTITY resets the sequences they own, so new rows reuse ids that may still be referenced elsewhere.",
          `To delete only some rows: DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE <condition> LIMIT 1000); repeated.`,
        ),
      });
    },
  },
});
