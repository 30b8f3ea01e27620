import { defineRule } from "../src/engine/rule.js";
import { gapSentence, listing } from "../src/engine/wording.js";

export default defineRule({
  meta: {
    id: "drop-type",
    severity: "careful",
    description: "DROP TYPE or DROP DOMAIN removes a type that running code may still use; with CASCADE, it drops every column of that type and its data.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  visit: {
    DropStmt(statement, context) {
      const removeType = statement.node.removeType;
      if (removeType !== "OBJECT_TYPE" && removeType !== "OBJECT_DOMAIN") return;
      const keyword = removeType === "OBJECT_DOMAIN" ? "DOMAIN" : "TYPE";
      const noun = keyword.toLowerCase();
      const cascade = statement.node.behavior === "DROP_CASCADE";
      const objects = context.facts.history.droppedObjects(statement, "type");
      const gone = objects.filter((object) => !object.successor?.sameTransaction);
      if (gone.length === 0 && !(cascade && objects.length > 0)) return;

      const first = objects[0]!.label;
      const enumHelp =
        keyword === "TYPE"
          ? `To change an enum, alter it in place instead of re-creating it: ALTER TYPE ${first} ADD VALUE '…'; or ALTER TYPE ${first} RENAME VALUE '…' TO '…';`
          : `To change a domain, alter it in place instead of re-creating it: ALTER DOMAIN ${first} SET DEFAULT …; or ALTER DOMAIN ${first} ADD CONSTRAINT … CHECK (…) NOT VALID; then ALTER DOMAIN ${first} VALIDATE CONSTRAINT …;`;

      if (cascade) {
        const all = objects.map((object) => object.label).join(", ");
        const many = objects.length > 1;
        const recreated = objects.filter((object) => object.successor);
        context.report({
          message:
            `DROP ${keyword} ${all} CASCADE deletes data: it drops every table column of ${many ? "these types" : "that type"} ` +
            `(and of arrays and domains over ${many ? "them" : "it"}) with all its values, for good, together with the functions, views and other types that use ${many ? "them" : "it"}. ` +
            "Each table that loses a column is locked ACCESS EXCLUSIVE, briefly (it is not rewritten), and running code that uses those columns fails once this commits." +
            (recreated.length > 0
              ? ` The CREATE of ${listing(recreated.map((object) => object.label))} later in this file brings back the ${noun}, not the columns or their data.`
              : ""),
          help:
            `Leave out CASCADE, so that PostgreSQL refuses while a column still uses the ${noun}. ` +
            `Move each column off it first, deliberately (ALTER TABLE … ALTER COLUMN … TYPE text USING …::text; rewrites that table under an ACCESS EXCLUSIVE lock), ` +
            `or drop such columns with their own DROP COLUMN after a backup. ${enumHelp}`,
        });
        return;
      }

      const many = gone.length > 1;
      const names = gone.map((object) => object.label).join(", ");
      const onlyGap = gone.every((object) => object.successor);
      const target = gone[0]!.label;
      const replace = `BEGIN; DROP ${keyword} ${target}; CREATE ${keyword} ${target} …; COMMIT;`;
      context.report({
        message:
          (onlyGap
            ? `DROP ${keyword} ${names} leaves no ${noun} of ${many ? "these names" : "that name"} until a later statement of this file creates ${many ? "them" : "it"} again outside this transaction: ` +
              `running code that names ${many ? "them" : "it"} in between (casts such as '…'::${target}, PL/pgSQL variables) fails with "type … does not exist".`
            : `DROP ${keyword} ${names} removes the ${noun}${many ? "s" : ""}: running code that names ${many ? "them" : "it"} (casts such as '…'::${target}, PL/pgSQL variables) ` +
              `fails with "type … does not exist" as soon as this commits.` +
              gapSentence(gone.filter((object) => object.successor), "created again")) +
          ` Without CASCADE it fails while a column, function or other type still uses ${many ? "one of them" : "it"}, which keeps the data safe. ` +
          `It takes no table lock, only a lock on the ${noun} itself, which queries do not take: it neither waits for nor blocks them.`,
        help: onlyGap
          ? `Run the DROP and the CREATE in one transaction, so that no query ever finds the ${noun} missing: ${replace} ${enumHelp}`
          : `Deploy code that no longer uses ${target} first, and drop it in a later migration. ${enumHelp}`,
      });
    },
  },
});
