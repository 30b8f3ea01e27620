import { displayName, relationName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import type { Dropped } from "../src/facts/index.js";
import { gapSentence, listing, suffixed } from "../src/engine/wording.js";
import { transactionControl } from "../src/facts/transactions.js";

export default defineRule({
  meta: {
    id: "drop-materialized-view",
    severity: "careful",
    description: "DROP MATERIALIZED VIEW removes stored results that running code may still read, or blocks reads while a replacement is computed.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  visit: {
    DropStmt(statement, context) {
      if (statement.node.removeType !== "OBJECT_MATVIEW") return;
      const cascade = statement.node.behavior === "DROP_CASCADE";
      const objects = context.facts.history.droppedObjects(statement, "materialized-view");
      // Created again later in the file when nothing says whether the runner wraps the file in a transaction:
      // reads either wait for the whole rebuild or fail until it is done, and the message must not pick one.
      const maybeRebuilt = runnerUnknown(statement, context) ? objects.filter((object) => object.successor?.statement.kind === "CreateTableAsStmt") : [];
      const gone = objects.filter((object) => !object.successor?.sameTransaction && !maybeRebuilt.includes(object));
      // Replaced in the same transaction by a statement that runs the query again (CREATE … AS).
      const rebuilt = objects.filter((object) => object.successor?.sameTransaction && object.successor.statement.kind === "CreateTableAsStmt");
      if (gone.length === 0 && rebuilt.length === 0 && maybeRebuilt.length === 0 && !(cascade && objects.length > 0)) return;

      const manyAll = objects.length > 1;
      const all = listing(objects.map((object) => object.label));
      const dependents = ` CASCADE also silently drops every view and materialized view built on ${all}, each under an ACCESS EXCLUSIVE lock, and no later CREATE of ${manyAll ? "these names" : "that name"} brings them back.`;
      const noCascade = " Leave out CASCADE, so that PostgreSQL refuses while something depends on it, and drop and re-create the dependents explicitly.";
      const parts: string[] = [];
      const helps: string[] = [];

      if (gone.length > 0) {
        const many = gone.length > 1;
        const names = gone.map((object) => object.label).join(", ");
        const onlyGap = gone.every((object) => object.successor);
        const target = gone[0]!.label;
        parts.push(
          onlyGap
            ? `DROP MATERIALIZED VIEW ${names} leaves nothing of ${many ? "these names" : "that name"} until a later statement of this file creates ${many ? "them" : "it"} again outside this transaction: ` +
                `running code that reads ${many ? "them" : "it"} in between fails with "relation does not exist".`
            : `DROP MATERIALIZED VIEW ${names} removes ${many ? "the materialized views and their" : "the materialized view and its"} stored rows: ` +
                `running code that reads ${many ? "them" : "it"} fails with "relation does not exist" as soon as this commits, and bringing ${many ? "them" : "it"} back means running ${many ? "their queries" : "its query"} again.` +
                gapSentence(gone.filter((object) => object.successor), "created again"),
          `It takes an ACCESS EXCLUSIVE lock on ${many ? "each of them" : "it"}, which waits behind every running read (and a running REFRESH) and blocks every read queued after it; no table is rewritten.`,
        );
        helps.push(
          onlyGap
            ? `Do not leave a gap: build the new one beside the old under another name and swap the names in one short transaction (${swap(gone[0]!)}).`
            : `Deploy code that no longer reads ${target} first, and drop it in a later migration. To change its query, build the new one beside it and swap the names in one short transaction (${swap(gone[0]!)}).`,
        );
      }

      if (maybeRebuilt.length > 0) {
        const many = maybeRebuilt.length > 1;
        parts.push(
          `DROP MATERIALIZED VIEW ${maybeRebuilt.map((object) => object.label).join(", ")} is followed by a CREATE of ${many ? "each" : "it"} later in this file, ` +
            "and nothing says whether the runner runs the file in one transaction (no BEGIN, no runner marker, no assumeInTransaction). " +
            `If it does, the dropped ${many ? "ones stay" : "one stays"} locked ACCESS EXCLUSIVE until the transaction commits, so every read of ${many ? "them" : "it"} waits while the new query runs in full (and while ${many ? "their" : "its"} indexes are built); ` +
            `if it does not, reads fail with "relation does not exist" until the CREATE is done.`,
        );
        helps.push(`Build the new one beside the old and swap the names, so that reads are neither blocked nor failing, except for the renames: ${swap(maybeRebuilt[0]!)}.`);
      }

      if (rebuilt.length > 0) {
        const unpopulated = rebuilt.filter((object) => neverPopulated(statement, object, context));
        const computed = rebuilt.filter((object) => !unpopulated.includes(object));
        if (computed.length > 0) {
          const many = computed.length > 1;
          parts.push(
            `DROP MATERIALIZED VIEW ${computed.map((object) => object.label).join(", ")} is followed by a CREATE of ${many ? "each" : "it"} in the same transaction: ` +
              `the dropped ${many ? "ones stay" : "one stays"} locked ACCESS EXCLUSIVE until the transaction commits, ` +
              `so every read of ${many ? "them" : "it"} waits while the new query runs in full (and while ${many ? "their" : "its"} indexes are built).`,
          );
        }
        if (unpopulated.length > 0) {
          const many = unpopulated.length > 1;
          parts.push(
            `DROP MATERIALIZED VIEW ${unpopulated.map((object) => object.label).join(", ")} is followed by a CREATE of ${many ? "each" : "it"} WITH NO DATA in the same transaction, and no REFRESH: ` +
              `once this commits, reads fail with "materialized view … has not been populated" until REFRESH MATERIALIZED VIEW runs.`,
          );
        }
        helps.push(
          `Build the new one beside the old and swap the names, so that reads are blocked only for the renames: ${swap(rebuilt[0]!)}. ` +
            `If only its rows are stale, REFRESH MATERIALIZED VIEW CONCURRENTLY ${rebuilt[0]!.label}; needs no DROP (it requires a unique index) and lets reads go on.`,
        );
      }

      if (parts.length === 0) {
        context.report({
          message:
            `DROP MATERIALIZED VIEW ${objects.map((object) => object.label).join(", ")} CASCADE is followed by ${manyAll ? "their" : "its"} replacement in the same transaction, which leaves no gap for ${manyAll ? "them" : "it"}, but` +
            `${dependents} Running code that queries those fails once this commits.`,
          help: noCascade.trim(),
        });
        return;
      }

      context.report({
        message: parts.join(" ") + (cascade ? dependents : ""),
        help: helps.join(" ") + (cascade ? noCascade : ""),
      });
    },
  },
});

/**
 * True when nothing says whether the statement runs in a transaction: the file has no BEGIN or COMMIT of its own,
 * and neither a runner marker nor a setting says how the runner runs it (its section gives no reason).
 */
function runnerUnknown(statement: Statement, context: RuleContext): boolean {
  const transaction = context.facts.transactions.of(statement);
  return transaction.id === undefined && transaction.section.reason === "" && !context.parsed.statements.some((other) => transactionControl(other) !== undefined);
}

/** The side-by-side swap for one materialized view, with its real names. */
function swap(object: Dropped): string {
  const name = object.label;
  const fresh = displayName(suffixed(object.name, "_new"));
  const old = displayName(suffixed(object.name, "_old"));
  return (
    `CREATE MATERIALIZED VIEW ${fresh} AS …; and its indexes, then ` +
    `BEGIN; ALTER MATERIALIZED VIEW ${name} RENAME TO ${displayName({ name: `${object.name.name}_old` })}; ALTER MATERIALIZED VIEW ${fresh} RENAME TO ${displayName({ name: object.name.name })}; COMMIT; ` +
    `and DROP MATERIALIZED VIEW ${old}; once nothing uses it`
  );
}

/**
 * True when the CREATE replacing the materialized view says WITH NO DATA and no
 * REFRESH of it follows in the same transaction: reads after the commit fail.
 */
function neverPopulated(drop: Statement, object: Dropped, context: RuleContext): boolean {
  const create = object.successor!.statement;
  if (create.kind !== "CreateTableAsStmt" || create.node.into?.skipData !== true) return false;
  return !context.facts.order.after(create).some((later) => {
    if (later.kind !== "RefreshMatViewStmt") return false;
    const refreshed = relationName(later.node.relation);
    return context.facts.names.sameRelation(refreshed, later, object.name, drop) && context.facts.transactions.sameTransaction(drop, later);
  });
}
