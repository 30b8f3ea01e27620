import { defineRule } from "../src/engine/rule.js";
import { gapSentence, helpLine, listing, messageLine } from "../src/engine/wording.js";
import { fewNames, sentences } from "../src/engine/wording-drops.js";

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
      const first = objects[0]!.label;
      const manyAll = objects.length > 1;
      const dependents =
        `CASCADE also silently drops every view and materialized view built on ${all} ` +
        `(and SQL functions written with BEGIN ATOMIC that use ${manyAll ? "them" : "it"}), each under an ACCESS EXCLUSIVE lock`;
      const orReplace = (name: string) => `CREATE OR REPLACE VIEW ${name} AS …`;

      if (gone.length === 0) {
        const shown = fewNames(objects.map((object) => object.label));
        context.report({
          message: messageLine(
            `DROP VIEW ${shown} CASCADE drops the views built on ${manyAll ? "them" : "it"}; the CREATE after it does not restore them`,
            `DROP VIEW ${shown} CASCADE drops dependent views that the CREATE after it does not restore`,
            `DROP VIEW ${shown} CASCADE drops dependent views for good`,
          ),
          help: helpLine(
            `Leave out CASCADE; if ${first} keeps its columns, ${orReplace(first)} needs no DROP and keeps its dependents`,
            `Leave out CASCADE; if the view keeps its columns, CREATE OR REPLACE VIEW needs no DROP and keeps its dependents`,
          ),
          explanation: sentences(
            `DROP VIEW ${all} CASCADE is followed by a CREATE of ${manyAll ? "the same names" : "the same name"} in the same transaction, which replaces ${manyAll ? "them" : "it"} without a gap, ` +
              `but ${dependents}: the re-creation does not bring those back, so running code that queries them fails once this commits.`,
            "Without CASCADE, PostgreSQL refuses to drop a view something still depends on: drop and re-create the dependent views explicitly in the same transaction.",
            "CREATE OR REPLACE VIEW may only add new columns at the end.",
          ),
        });
        return;
      }

      const many = gone.length > 1;
      const labels = gone.map((object) => object.label);
      const names = labels.join(", ");
      const shown = fewNames(labels);
      const onlyGap = gone.every((object) => object.successor);
      const target = gone[0]!.label;
      const them = many ? "them" : "it";
      const withCascade = cascade ? " CASCADE" : "";
      const message = onlyGap
        ? messageLine(
            `DROP VIEW ${shown} leaves no view of ${many ? "these names" : "that name"} until a later transaction creates ${them} again`,
            `DROP VIEW ${shown} leaves a gap until a later transaction creates ${them} again`,
            `DROP VIEW ${shown} leaves a gap before ${them} ${many ? "are" : "is"} created again`,
          )
        : messageLine(
            `DROP VIEW ${shown}${withCascade} removes ${many ? "views" : "a view"} running code may still query (ACCESS EXCLUSIVE)`,
            `DROP VIEW ${shown}${withCascade} removes ${many ? "views" : "a view"} running code may still query`,
            `DROP VIEW ${shown} removes ${many ? "views" : "a view"} still in use`,
          );
      const replace = `BEGIN; DROP VIEW ${target}; CREATE VIEW ${target} AS …; COMMIT;`;
      const help = onlyGap
        ? helpLine(
            `${cascade ? "Leave out CASCADE, and run" : "Run"} the DROP and the CREATE in one transaction: ${replace}`,
            `${cascade ? "Leave out CASCADE, and run" : "Run"} the DROP and the CREATE in one transaction, or use ${orReplace(target)}`,
            `${cascade ? "Leave out CASCADE, and run" : "Run"} the DROP and the CREATE in one transaction`,
          )
        : helpLine(
            `${cascade ? "Leave out CASCADE. " : ""}Deploy code that no longer reads ${target}, then drop it in a later release; to change it, use ${orReplace(target)}`,
            `${cascade ? "Leave out CASCADE. " : ""}Deploy code that no longer reads ${target}, then drop it in a later release`,
            `${cascade ? "Leave out CASCADE. " : ""}Deploy code that no longer reads the view, then drop it in a later release`,
          );
      const explanation = sentences(
        onlyGap
          ? `DROP VIEW ${names} leaves no view of ${many ? "these names" : "that name"} until a later statement of this file creates ${them} again outside this transaction: ` +
              `running code that selects from ${them} in between fails with "relation does not exist".`
          : `DROP VIEW ${names} removes ${many ? "the views" : "the view"}: running code that selects from ${them} fails with "relation does not exist" as soon as this commits.` +
              gapSentence(gone.filter((object) => object.successor), "created again"),
        `It takes an ACCESS EXCLUSIVE lock on ${many ? "each view" : "the view"}, which waits behind every running query that reads ${them} ` +
          "and blocks every query queued after it; no table is rewritten and no rows are deleted.",
        cascade && `${dependents}. Without CASCADE, PostgreSQL refuses to drop a view something still depends on.`,
        `To change a view's definition, replace it in one transaction (${replace}), or, when it keeps its columns (new ones may only go at the end), CREATE OR REPLACE VIEW ${target} AS …; alone needs no DROP.`,
      );
      context.report({ message, help, explanation });
    },
  },
});
