import { defineRule } from "../src/engine/rule.js";
import { gapSentence, listing } from "../src/engine/wording.js";

export default defineRule({
  meta: {
    id: "drop-view",
    severity: "careful",
    description: "DROP VIEW removes a view that running code may still query; with CASCADE, the views built on it too.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  visit: {
    DropStmt(statement, context) {
      if (statement.node.removeType !== "OBJECT_VIEW") return;
      const cascade = statement.node.behavior === "DROP_CASCADE";
      const objects = context.facts.history.droppedObjects(statement, "view");
      const gone = objects.filter((object) => !object.successor?.sameTransaction);
      const replaced = objects.filter((object) => object.successor?.sameTransaction);
      if (gone.length === 0 && !(cascade && replaced.length > 0)) return;

      const all = listing(objects.map((object) => object.label));
      const allDropped = objects.map((object) => object.label).join(", ");
      const first = objects[0]!.label;
      const manyAll = objects.length > 1;
      const dependents =
        `CASCADE also silently drops every view and materialized view built on ${all} ` +
        `(and SQL functions written with BEGIN ATOMIC that use ${manyAll ? "them" : "it"}), each under an ACCESS EXCLUSIVE lock`;
      const noCascade = `Leave out CASCADE, so that PostgreSQL refuses to drop a view something still depends on, and drop and re-create the dependent views explicitly in the same transaction.`;

      if (gone.length === 0) {
        context.report({
          message:
            `DROP VIEW ${allDropped} CASCADE is followed by a CREATE of ${manyAll ? "the same names" : "the same name"} in the same transaction, which replaces ${manyAll ? "them" : "it"} without a gap, ` +
            `but ${dependents}: the re-creation does not bring those back, so running code that queries them fails once this commits.`,
          help: `${noCascade} If ${first} keeps its columns (new ones may only go at the end), CREATE OR REPLACE VIEW ${first} AS …; needs no DROP and keeps its dependents.`,
        });
        return;
      }

      const many = gone.length > 1;
      const names = gone.map((object) => object.label).join(", ");
      const onlyGap = gone.every((object) => object.successor);
      const target = gone[0]!.label;
      const message =
        (onlyGap
          ? `DROP VIEW ${names} leaves no view of ${many ? "these names" : "that name"} until a later statement of this file creates ${many ? "them" : "it"} again outside this transaction: ` +
            `running code that selects from ${many ? "them" : "it"} in between fails with "relation does not exist".`
          : `DROP VIEW ${names} removes ${many ? "the views" : "the view"}: running code that selects from ${many ? "them" : "it"} fails with "relation does not exist" as soon as this commits.` +
            gapSentence(gone.filter((object) => object.successor), "created again")) +
        ` It takes an ACCESS EXCLUSIVE lock on ${many ? "each view" : "the view"}, which waits behind every running query that reads ${many ? "them" : "it"} ` +
        "and blocks every query queued after it; no table is rewritten and no rows are deleted." +
        (cascade ? ` ${dependents}.` : "");
      const replace = `BEGIN; DROP VIEW ${target}; CREATE VIEW ${target} AS …; COMMIT;`;
      const help =
        (onlyGap
          ? `Run the DROP and the CREATE in one transaction, so that no query ever finds the view missing: ${replace}`
          : `Deploy code that no longer reads ${target} first, and drop it in a later migration. To change its definition, replace it in one transaction instead: ${replace}`) +
        ` When the view keeps its columns (new ones may only go at the end), CREATE OR REPLACE VIEW ${target} AS …; alone needs no DROP.` +
        (cascade ? ` ${noCascade}` : "");
      context.report({ message, help });
    },
  },
});
