import { displayName, relationName } from "../src/parser/ast.js";
import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "refresh-matview-concurrently",
    severity: "careful",
    description: "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view for the whole refresh.",
    category: "locking",
    checksDoBlocks: true,
  },
  visit: {
    RefreshMatViewStmt(statement, context) {
      if (statement.node.concurrent === true) return;
      const view = relationName(statement.node.relation);
      if (!view || context.facts.history.isNew(statement, "materialized-view", view)) return;
      const name = displayName(view);

      if (statement.node.skipData === true) {
        context.report({
          message:
            `REFRESH MATERIALIZED VIEW ${name} WITH NO DATA empties ${name} and leaves it unpopulated: from then on every query that reads it fails ` +
            `(ERROR: materialized view "${view.name}" has not been populated) until a later REFRESH MATERIALIZED VIEW ${name} fills it again. ` +
            `It also takes an ACCESS EXCLUSIVE lock on ${name}, briefly (no query runs), which waits behind running reads of the view and blocks the ones queued after it.`,
          help:
            `If anything still reads ${name}, refresh it with its data instead, without blocking its readers: REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}; ` +
            `(it needs a unique index on ${name}; CONCURRENTLY cannot be combined with WITH NO DATA). ` +
            `If nothing reads it any more, drop it (DROP MATERIALIZED VIEW IF EXISTS ${name};) rather than leaving a view that fails every read.`,
        });
        return;
      }

      context.report({
        message:
          `REFRESH MATERIALIZED VIEW ${name} takes an ACCESS EXCLUSIVE lock on ${name} for the whole refresh: the view's query runs again from scratch ` +
          `(as long as that query takes: minutes for a heavy aggregate), its result is written into new storage that replaces the old, and every query that reads ${name} waits until it is done. ` +
          `It first waits for the queries already reading ${name}, and every read that arrives meanwhile queues behind it.`,
        help:
          `Refresh it without blocking its readers: REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}; ` +
          "It takes an EXCLUSIVE lock instead, which lets plain reads of the view go on (another refresh waits), and applies only the rows that changed. " +
          `It needs a UNIQUE index on ${name} over plain columns (no expression, no WHERE clause), such as CREATE UNIQUE INDEX CONCURRENTLY ON ${name} (…); on the columns that identify a row, ` +
          "and the view must already be populated. Unlike CREATE INDEX CONCURRENTLY, it may run inside a transaction block (it then keeps its lock until COMMIT). " +
          "When most rows change, it is slower than a plain refresh.",
      });
    },
  },
});
