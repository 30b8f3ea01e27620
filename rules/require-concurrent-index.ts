import { displayName, relationName } from "../src/parser/ast.js";
import { messageLine } from "../src/engine/wording.js";
import { defineRule } from "../src/engine/rule.js";
import { lockBlocks } from "../src/facts/lock-wording.js";
import { concurrentPlacement, insertConcurrently } from "../src/engine/concurrently.js";
import { concurrentlyWhere } from "../src/engine/wording-locks.js";

export default defineRule({
  meta: {
    id: "require-concurrent-index",
    severity: "careful",
    description: "CREATE INDEX without CONCURRENTLY blocks every write to an existing table for the whole index build.",
    category: "locking",
    fixable: true,
    checksDoBlocks: true,
  },
  visit: {
    IndexStmt(statement, context) {
      if (statement.node.concurrent === true) return;
      const table = relationName(statement.node.relation);
      if (!table) return;
      if (context.facts.history.isNewOrEmptied(statement, table) || context.facts.history.isNew(statement, "materialized-view", table)) return;
      // ON ONLY builds nothing: on a partitioned table it creates the parent's index, invalid until partitions attach theirs.
      if (statement.node.relation?.inh !== true) return;

      const name = displayName(table);
      const unique = statement.node.unique === true ? "UNIQUE " : "";
      const index = statement.node.idxname !== undefined ? ` ${displayName({ name: statement.node.idxname })}` : "";
      const placement = concurrentPlacement(statement, context);
      const head = ["CREATE", ...(unique ? ["UNIQUE"] : []), "INDEX"];
      const fix = placement.outside ? insertConcurrently(statement, head) : undefined;
      context.report({
        message: messageLine(...(index
            ? [
                `CREATE ${unique}INDEX${index} blocks writes to ${name} (SHARE)`,
                `CREATE ${unique}INDEX${index} blocks writes to its table (SHARE)`,
                `CREATE ${unique}INDEX on ${name} blocks writes to it (SHARE)`,
                `CREATE ${unique}INDEX on ${name} blocks its writes (SHARE)`,
              ]
            : [`CREATE ${unique}INDEX on ${name} blocks writes to it (SHARE)`, `CREATE ${unique}INDEX on ${name} blocks its writes (SHARE)`])),
        help: `Use CREATE ${unique}INDEX CONCURRENTLY ${concurrentlyWhere(statement, context, placement.outside)}`,
        explanation:
          `The SHARE lock on ${name} blocks ${lockBlocks("SHARE")}. The build reads every row of ${name}${unique ? " and checks each value for duplicates" : ""} ` +
          `(minutes on a large table), and every INSERT, UPDATE and DELETE on ${name} waits that long: writers time out or pile up. The table is not rewritten. ` +
          `CONCURRENTLY takes a SHARE UPDATE EXCLUSIVE lock instead (reads and writes go on) and scans the table twice; run it ${placement.where}. ` +
          `If it fails${unique ? " (a duplicate value, for a unique index)" : ""}, it leaves an INVALID index behind that every write still maintains: ` +
          `drop it with DROP INDEX CONCURRENTLY IF EXISTS${index || " …"}; before running it again.`,
        ...(fix ? { fix } : {}),
      });
    },
  },
});
