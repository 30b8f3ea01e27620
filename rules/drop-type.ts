import { defineRule } from "../src/engine/rule.js";
import { gapSentence, helpLine, listing, messageLine } from "../src/engine/wording.js";
import { fewNames, sentences } from "../src/engine/wording-drops.js";

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
      const alterInPlace =
        keyword === "TYPE"
          ? `ALTER TYPE ${first} ADD VALUE '…' or RENAME VALUE '…' TO '…'`
          : `ALTER DOMAIN ${first} SET DEFAULT … or ADD CONSTRAINT … NOT VALID`;
      const enumHelp =
        keyword === "TYPE"
          ? `To change an enum, alter it in place instead of re-creating it: ALTER TYPE ${first} ADD VALUE '…'; or ALTER TYPE ${first} RENAME VALUE '…' TO '…';`
          : `To change a domain, alter it in place instead of re-creating it: ALTER DOMAIN ${first} SET DEFAULT …; or ALTER DOMAIN ${first} ADD CONSTRAINT … CHECK (…) NOT VALID; then ALTER DOMAIN ${first} VALIDATE CONSTRAINT …;`;

      if (cascade) {
        const all = objects.map((object) => object.label).join(", ");
        const many = objects.length > 1;
        const recreated = objects.filter((object) => object.successor);
        const shown = fewNames(objects.map((object) => object.label));
        context.report({
          message: messageLine(
            `DROP ${keyword} ${shown} CASCADE drops every column of ${many ? "these types" : `that ${noun}`} with its data`,
            `DROP ${keyword} ${shown} CASCADE drops every column of ${many ? "these types" : "that type"}`,
            `DROP ${keyword} ${shown} CASCADE drops columns and data`,
          ),
          help: helpLine(
            `Leave out CASCADE; move each column off ${first} first (ALTER TABLE … ALTER COLUMN … TYPE text USING …::text), or drop it after a backup`,
            `Leave out CASCADE; move each column off the ${noun} first (ALTER TABLE … ALTER COLUMN … TYPE …), or drop it after a backup`,
          ),
          explanation: sentences(
            `DROP ${keyword} ${all} CASCADE deletes data: it drops every table column of ${many ? "these types" : "that type"} ` +
              `(and of arrays and domains over ${many ? "them" : "it"}) with all its values, for good, together with the functions, views and other types that use ${many ? "them" : "it"}.`,
            "Each table that loses a column is locked ACCESS EXCLUSIVE, briefly (it is not rewritten), and running code that uses those columns fails once this commits.",
            recreated.length > 0 && `The CREATE of ${listing(recreated.map((object) => object.label))} later in this file brings back the ${noun}, not the columns or their data.`,
            `Without CASCADE, PostgreSQL refuses while a column still uses the ${noun}; moving a column off it (ALTER COLUMN … TYPE) rewrites that table under an ACCESS EXCLUSIVE lock.`,
            enumHelp,
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
      const replace = `BEGIN; DROP ${keyword} ${target}; CREATE ${keyword} ${target} …; COMMIT;`;
      context.report({
        message: onlyGap
          ? messageLine(
              `DROP ${keyword} ${shown} leaves no ${noun} of ${many ? "these names" : "that name"} until a later transaction creates ${them} again`,
              `DROP ${keyword} ${shown} leaves a gap until a later transaction creates ${them} again`,
              `DROP ${keyword} ${shown} leaves a gap before ${them} ${many ? "are" : "is"} created again`,
            )
          : messageLine(
              `DROP ${keyword} ${shown} removes ${many ? `${noun}s` : `a ${noun}`} that running code may still name`,
              `DROP ${keyword} ${shown} removes ${many ? `${noun}s` : `a ${noun}`} still in use`,
            ),
        help: onlyGap
          ? helpLine(
              `Run the DROP and the CREATE in one transaction (${replace}), or ${alterInPlace} in place`,
              `Run the DROP and the CREATE in one transaction: ${replace}`,
              `Run the DROP and the CREATE in one transaction`,
            )
          : helpLine(
              `Deploy code that no longer uses ${target}, then drop it in a later release; to change it, ${alterInPlace}`,
              `Deploy code that no longer uses ${target}, then drop it in a later release`,
              `Deploy code that no longer uses the ${noun}, then drop it in a later release`,
            ),
        explanation: sentences(
          onlyGap
            ? `DROP ${keyword} ${names} leaves no ${noun} of ${many ? "these names" : "that name"} until a later statement of this file creates ${them} again outside this transaction: ` +
                `running code that names ${them} in between (casts such as '…'::${target}, PL/pgSQL variables) fails with "type … does not exist".`
            : `DROP ${keyword} ${names} removes the ${noun}${many ? "s" : ""}: running code that names ${them} (casts such as '…'::${target}, PL/pgSQL variables) ` +
                `fails with "type … does not exist" as soon as this commits.` +
                gapSentence(gone.filter((object) => object.successor), "created again"),
          `Without CASCADE it fails while a column, function or other type still uses ${many ? "one of them" : "it"}, which keeps the data safe.`,
          `It takes no table lock, only a lock on the ${noun} itself, which queries do not take: it neither waits for nor blocks them.`,
          enumHelp,
        ),
      });
    },
  },
});
