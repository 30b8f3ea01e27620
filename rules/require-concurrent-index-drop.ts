import { displayName, listName, type QualifiedName } from "../src/parser/ast.js";
import { messageLine } from "../src/engine/wording.js";
import { defineRule } from "../src/engine/rule.js";
import { LOCK_QUEUE, lockBlocks } from "../src/facts/lock-wording.js";
import { concurrentPlacement, indexOnNewTable, insertConcurrently } from "../src/engine/concurrently.js";
import { concurrentlyWhere, few } from "../src/engine/wording-locks.js";

export default defineRule({
  meta: {
    id: "require-concurrent-index-drop",
    severity: "careful",
    description: "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table, blocking its reads and writes.",
    category: "locking",
    fixable: true,
    checksDoBlocks: true,
  },
  visit: {
    DropStmt(statement, context) {
      if (statement.node.removeType !== "OBJECT_INDEX" || statement.node.concurrent === true) return;
      const objects = statement.node.objects ?? [];
      const indexes = objects
        .map(listName)
        .filter((name): name is QualifiedName => name !== undefined && !indexOnNewTable(statement, context, name))
        // Another statement of the transaction locks the table ACCESS EXCLUSIVE until commit anyway: CONCURRENTLY would
        // change nothing there (and cannot run in a transaction).
        .filter((name) => !context.facts.locks.indexTableLockedInTransaction(statement, name))
        // An earlier DROP INDEX of the same table in the transaction holds that lock already: it is the one reported.
        .filter((name) => !context.facts.locks.indexTableDroppedEarlierInTransaction(statement, name));
      if (indexes.length === 0) return;

      const names = indexes.map(displayName);
      const ifExists = statement.node.missing_ok === true ? " IF EXISTS" : "";
      const cascade = statement.node.behavior === "DROP_CASCADE";
      const placement = concurrentPlacement(statement, context);
      // PostgreSQL's DROP INDEX CONCURRENTLY takes exactly one index and refuses CASCADE.
      const fix = placement.outside && objects.length === 1 && !cascade ? insertConcurrently(statement, ["DROP", "INDEX"]) : undefined;
      const where = concurrentlyWhere(statement, context, placement.outside);
      const several = indexes.length > 1;
      const drops = names.map((name) => `DROP INDEX CONCURRENTLY${ifExists} ${name};`).join(" ");
      const help = several
        ? `Drop each index in a statement of its own: ${drops} ${where}`
        : `Use DROP INDEX CONCURRENTLY${ifExists}${cascade ? " (without CASCADE)" : ""} ${where}`;
      context.report({
        message: messageLine(...(several
            ? [`DROP INDEX ${few(names)} block reads and writes of their tables (ACCESS EXCLUSIVE)`, `DROP INDEX ${few(names)} block reads and writes (ACCESS EXCLUSIVE)`, `DROP INDEX ${few(names, 1)} block reads and writes (ACCESS EXCLUSIVE)`, `DROP INDEX ${few(names, 1)} lock their tables (ACCESS EXCLUSIVE)`]
            : [
                `DROP INDEX ${names[0]} blocks reads and writes of its table (ACCESS EXCLUSIVE)`,
                `DROP INDEX ${names[0]} blocks reads and writes (ACCESS EXCLUSIVE)`,
                `DROP INDEX ${displayName({ name: indexes[0]!.name })} blocks reads and writes (ACCESS EXCLUSIVE)`,
                `DROP INDEX ${displayName({ name: indexes[0]!.name })} blocks its table (ACCESS EXCLUSIVE)`,
              ])),
        help: help.length <= 200 ? help : `Drop each index in a statement of its own, with DROP INDEX CONCURRENTLY${ifExists}, ${where}`,
        explanation:
          `DROP INDEX takes an ACCESS EXCLUSIVE lock on the table ${several ? "each index belongs" : "the index belongs"} to, which blocks ${lockBlocks("ACCESS EXCLUSIVE")}. ` +
          `The drop itself is quick and rewrites nothing, but it must first get the lock. ${LOCK_QUEUE}. ` +
          `DROP INDEX CONCURRENTLY takes a SHARE UPDATE EXCLUSIVE lock (reads and writes go on) and waits for running transactions; ${several ? "it takes one index; " : ""}run it ${placement.where}.` +
          (cascade ? " CONCURRENTLY refuses CASCADE: first drop what depends on the index (such as a foreign key relying on a unique index), each in its own statement." : "") +
          " If it is cancelled or fails half-way, the index is left INVALID (still maintained on every write): run the DROP INDEX CONCURRENTLY again.",
        ...(fix ? { fix } : {}),
      });
    },
  },
});
