import { displayName, relationName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import type { Dropped } from "../src/facts/index.js";
import { gapSentence, helpLine, listing, messageLine, suffixed } from "../src/engine/wording.js";
import { transactionControl } from "../src/facts/transactions.js";
import { fewNames, sentences } from "../src/engine/wording-drops.js";

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
      const dependents = `CASCADE also silently drops every view and materialized view built on ${all}, each under an ACCESS EXCLUSIVE lock, and no later CREATE of ${manyAll ? "these names" : "that name"} brings them back.`;
      const noCascade = "Without CASCADE, PostgreSQL refuses while something depends on it: drop and re-create the dependents explicitly.";
      const withCascade = cascade ? " CASCADE" : "";
      const leaveOut = cascade ? "Leave out CASCADE; " : "";
      /** One finding per statement: the message and help of the first case that applies, the explanation of all. */
      const messages: string[] = [];
      const helps: string[] = [];
      const parts: string[] = [];

      if (gone.length > 0) {
        const many = gone.length > 1;
        const labels = gone.map((object) => object.label);
        const names = labels.join(", ");
        const shown = fewNames(labels);
        const onlyGap = gone.every((object) => object.successor);
        const target = gone[0]!.label;
        const them = many ? "them" : "it";
        messages.push(
          onlyGap
            ? messageLine(
                `DROP MATERIALIZED VIEW ${shown} leaves a gap until a later transaction creates ${them} again`,
                `DROP MATERIALIZED VIEW ${shown} leaves a gap before ${them} ${many ? "are" : "is"} created again`,
              )
            : messageLine(
                `DROP MATERIALIZED VIEW ${shown}${withCascade} removes ${them} and ${many ? "their" : "its"} stored rows (ACCESS EXCLUSIVE)`,
                `DROP MATERIALIZED VIEW ${shown}${withCascade} removes ${them} and ${many ? "their" : "its"} stored rows`,
                `DROP MATERIALIZED VIEW ${shown} removes ${many ? "their" : "its"} stored rows`,
              ),
        );
        helps.push(
          onlyGap
            ? helpLine(
                `${leaveOut}build ${fresh(gone[0]!)} beside ${target} instead and swap the names in one short transaction`,
                `${leaveOut}build the new one beside the old instead and swap the names in one short transaction`,
              )
            : helpLine(
                `${leaveOut}deploy code that no longer reads ${target}, then drop it in a later release; to change it, build ${fresh(gone[0]!)} and swap names`,
                `${leaveOut}deploy code that no longer reads ${target}, then drop it in a later release`,
                `${leaveOut}deploy code that no longer reads it, then drop it in a later release`,
              ),
        );
        parts.push(
          onlyGap
            ? `DROP MATERIALIZED VIEW ${names} leaves nothing of ${many ? "these names" : "that name"} until a later statement of this file creates ${them} again outside this transaction: ` +
                `running code that reads ${them} in between fails with "relation does not exist".`
            : `DROP MATERIALIZED VIEW ${names} removes ${many ? "the materialized views and their" : "the materialized view and its"} stored rows: ` +
                `running code that reads ${them} fails with "relation does not exist" as soon as this commits, and bringing ${them} back means running ${many ? "their queries" : "its query"} again.` +
                gapSentence(gone.filter((object) => object.successor), "created again"),
          `It takes an ACCESS EXCLUSIVE lock on ${many ? "each of them" : "it"}, which waits behind every running read (and a running REFRESH) and blocks every read queued after it; no table is rewritten.`,
          `To ${onlyGap ? "leave no gap" : "change its query"}, build the new one beside the old under another name and swap the names in one short transaction: ${swap(gone[0]!)}.`,
        );
      }

      if (maybeRebuilt.length > 0) {
        const many = maybeRebuilt.length > 1;
        const labels = maybeRebuilt.map((object) => object.label);
        messages.push(
          messageLine(
            `DROP MATERIALIZED VIEW ${fewNames(labels)} and the CREATE after it block or fail reads while it rebuilds`,
            `DROP MATERIALIZED VIEW ${fewNames(labels)} blocks or fails reads while it is rebuilt`,
          ),
        );
        helps.push(
          helpLine(
            `${leaveOut}build ${fresh(maybeRebuilt[0]!)} beside ${maybeRebuilt[0]!.label} and swap the names in one short transaction`,
            `${leaveOut}build the new one beside the old and swap the names in one short transaction`,
          ),
        );
        parts.push(
          `DROP MATERIALIZED VIEW ${labels.join(", ")} is followed by a CREATE of ${many ? "each" : "it"} later in this file, ` +
            "and nothing says whether the runner runs the file in one transaction (no BEGIN, no runner marker, no assumeInTransaction). " +
            `If it does, the dropped ${many ? "ones stay" : "one stays"} locked ACCESS EXCLUSIVE until the transaction commits, so every read of ${many ? "them" : "it"} waits while the new query runs in full (and while ${many ? "their" : "its"} indexes are built); ` +
            `if it does not, reads fail with "relation does not exist" until the CREATE is done.`,
          `Building the new one beside the old and swapping the names blocks reads only for the renames: ${swap(maybeRebuilt[0]!)}.`,
        );
      }

      if (rebuilt.length > 0) {
        const unpopulated = rebuilt.filter((object) => neverPopulated(statement, object, context));
        const computed = rebuilt.filter((object) => !unpopulated.includes(object));
        if (computed.length > 0) {
          const many = computed.length > 1;
          const labels = computed.map((object) => object.label);
          messages.push(
            messageLine(
              `DROP MATERIALIZED VIEW ${fewNames(labels)} blocks reads while the CREATE after it recomputes ${many ? "them" : "it"} (ACCESS EXCLUSIVE)`,
              `DROP MATERIALIZED VIEW ${fewNames(labels)} blocks reads while ${many ? "they are" : "it is"} recomputed (ACCESS EXCLUSIVE)`,
              `DROP MATERIALIZED VIEW ${fewNames(labels)} blocks reads while ${many ? "they are" : "it is"} recomputed`,
            ),
          );
          parts.push(
            `DROP MATERIALIZED VIEW ${labels.join(", ")} is followed by a CREATE of ${many ? "each" : "it"} in the same transaction: ` +
              `the dropped ${many ? "ones stay" : "one stays"} locked ACCESS EXCLUSIVE until the transaction commits, ` +
              `so every read of ${many ? "them" : "it"} waits while the new query runs in full (and while ${many ? "their" : "its"} indexes are built).`,
          );
        }
        if (unpopulated.length > 0) {
          const many = unpopulated.length > 1;
          const labels = unpopulated.map((object) => object.label);
          messages.push(
            messageLine(
              `DROP MATERIALIZED VIEW ${fewNames(labels)} is re-created WITH NO DATA: reads fail until a REFRESH`,
              `DROP MATERIALIZED VIEW ${fewNames(labels)} leaves ${many ? "them" : "it"} unpopulated: reads fail`,
            ),
          );
          parts.push(
            `DROP MATERIALIZED VIEW ${labels.join(", ")} is followed by a CREATE of ${many ? "each" : "it"} WITH NO DATA in the same transaction, and no REFRESH: ` +
              `once this commits, reads fail with "materialized view … has not been populated" until REFRESH MATERIALIZED VIEW runs.`,
          );
        }
        const target = rebuilt[0]!.label;
        helps.push(
          helpLine(
            `${leaveOut}build ${fresh(rebuilt[0]!)} beside it and swap the names; for stale rows, REFRESH MATERIALIZED VIEW CONCURRENTLY ${target}`,
            `${leaveOut}build the new one beside it and swap the names; for stale rows, REFRESH MATERIALIZED VIEW CONCURRENTLY ${target}`,
            `${leaveOut}build the new one beside it and swap the names; for stale rows, REFRESH MATERIALIZED VIEW CONCURRENTLY`,
          ),
        );
        parts.push(
          `Building the new one beside the old and swapping the names blocks reads only for the renames: ${swap(rebuilt[0]!)}. ` +
            `If only its rows are stale, REFRESH MATERIALIZED VIEW CONCURRENTLY ${target}; needs no DROP (it requires a unique index) and lets reads go on.`,
        );
      }

      if (messages.length === 0) {
        const shown = fewNames(objects.map((object) => object.label));
        context.report({
          message: messageLine(
            `DROP MATERIALIZED VIEW ${shown} CASCADE drops the views built on ${manyAll ? "them" : "it"}; the replacement does not restore them`,
            `DROP MATERIALIZED VIEW ${shown} CASCADE drops dependents its replacement does not restore`,
            `DROP MATERIALIZED VIEW ${shown} CASCADE drops dependents for good`,
          ),
          help: "Leave out CASCADE, so that PostgreSQL refuses while something depends on it, and drop and re-create the dependents explicitly",
          explanation: sentences(
            `DROP MATERIALIZED VIEW ${objects.map((object) => object.label).join(", ")} CASCADE is followed by ${manyAll ? "their" : "its"} replacement in the same transaction, which leaves no gap for ${manyAll ? "them" : "it"}, but`,
          ) + ` ${dependents} Running code that queries those fails once this commits.`,
        });
        return;
      }

      const help = helps[0]!;
      context.report({
        message: messages[0]!,
        help: help.charAt(0).toUpperCase() + help.slice(1),
        explanation: sentences(...parts, cascade && `${dependents} ${noCascade}`),
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

/** The name of the new materialized view built beside the old one. */
function fresh(object: Dropped): string {
  return displayName(suffixed(object.name, "_new"));
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
