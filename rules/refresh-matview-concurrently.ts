import { displayName, relationName } from "../src/parser/ast.js";
import { firstFitting, messageLine } from "../src/engine/wording.js";
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
          message: messageLine(
            `REFRESH MATERIALIZED VIEW ${name} WITH NO DATA makes every read of ${name} fail until refreshed`,
            `REFRESH WITH NO DATA makes every read of ${name} fail until refreshed`,
            `REFRESH WITH NO DATA makes every read of ${name} fail`,
          ),
          help: firstFitting(200, 
              `If anything reads ${name}, use REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}; if nothing does, DROP MATERIALIZED VIEW IF EXISTS ${name}`,
              `If anything reads ${name}, use REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}; if nothing does, drop it`,
            ),
          explanation:
            `REFRESH MATERIALIZED VIEW ${name} WITH NO DATA empties ${name} and leaves it unpopulated: from then on every query that reads it fails ` +
            `(ERROR: materialized view "${view.name}" has not been populated) until a later REFRESH MATERIALIZED VIEW ${name} fills it again. ` +
            `It also takes an ACCESS EXCLUSIVE lock on ${name}, briefly (no query runs), which waits behind running reads of the view and blocks the ones queued after it. ` +
            `REFRESH MATERIALIZED VIEW CONCURRENTLY ${name} refreshes it with its data without blocking its readers (it needs a unique index on ${name}; CONCURRENTLY cannot be combined with WITH NO DATA). ` +
            "If nothing reads the view any more, dropping it is better than leaving a view that fails every read.",
        });
        return;
      }

      context.report({
        message: messageLine(
          `REFRESH MATERIALIZED VIEW ${name} blocks its readers for the whole refresh (ACCESS EXCLUSIVE)`,
          `REFRESH MATERIALIZED VIEW ${name} blocks its readers (ACCESS EXCLUSIVE)`,
          `REFRESH ${name} blocks its readers (ACCESS EXCLUSIVE)`,
        ),
        help: firstFitting(200, 
            `Use REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}, with a unique index on ${name} over the columns that identify a row`,
            `Use REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}, with a unique index on it`,
          ),
        explanation:
          `The ACCESS EXCLUSIVE lock on ${name} is held for the whole refresh: the view's query runs again from scratch ` +
          `(as long as that query takes: minutes for a heavy aggregate), its result is written into new storage that replaces the old, and every query that reads ${name} waits until it is done. ` +
          `It first waits for the queries already reading ${name}, and every read that arrives meanwhile queues behind it. ` +
          `REFRESH MATERIALIZED VIEW CONCURRENTLY takes an EXCLUSIVE lock instead, which lets plain reads of the view go on, and applies only the rows that changed; ` +
          `it needs a UNIQUE index on ${name} over plain columns (no expression, no WHERE clause), such as CREATE UNIQUE INDEX CONCURRENTLY ON ${name} (…);, ` +
          "and the view must already be populated.",
      });
    },
  },
});
