import { nodeAs } from "../src/parser/node-types.js";
import { defineRule } from "../src/engine/rule.js";
import type { Dropped } from "../src/facts/index.js";
import { helpLine, listing, messageLine } from "../src/engine/wording.js";
import { fewNames, sentences } from "../src/engine/wording-drops.js";

export default defineRule({
  meta: {
    id: "drop-sequence",
    severity: "careful",
    description: "DROP SEQUENCE deletes a sequence and its current value; code calling nextval on it breaks, and a re-created one hands out numbers again.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  visit: {
    DropStmt(statement, context) {
      if (statement.node.removeType !== "OBJECT_SEQUENCE") return;
      const cascade = statement.node.behavior === "DROP_CASCADE";
      // A RENAME of another sequence to the name in the same transaction is a deliberate swap; a CREATE starts counting again.
      const objects = context.facts.history.droppedObjects(statement, "sequence").filter(
        (object) => !(object.successor?.sameTransaction && object.successor.how === "rename" && !cascade),
      );
      if (objects.length === 0) return;

      const many = objects.length > 1;
      const names = objects.map((object) => object.label).join(", ");
      const first = objects[0]!.label;
      const literal = `'${first.replace(/'/g, "''")}'`;
      const unreplaced = objects.filter((object) => !object.successor);
      const recreated = objects.filter((object) => object.successor?.how === "create");
      const renamedLater = objects.filter((object) => object.successor?.how === "rename" && !object.successor.sameTransaction);
      const shown = fewNames(objects.map((object) => object.label));
      const them = many ? "them" : "it";
      const withCascade = cascade ? " CASCADE" : "";
      const message =
        recreated.length > 0
          ? messageLine(
              `DROP SEQUENCE ${shown} loses ${many ? "their" : "its"} current value; the CREATE later in this file starts over`,
              `DROP SEQUENCE ${shown} loses ${many ? "their" : "its"} current value; the CREATE starts over`,
              `DROP SEQUENCE ${shown} loses ${many ? "their" : "its"} current value`,
            )
          : messageLine(
              `DROP SEQUENCE ${shown}${withCascade} deletes ${them} and ${many ? "their" : "its"} current value (ACCESS EXCLUSIVE)`,
              `DROP SEQUENCE ${shown}${withCascade} deletes ${them} and ${many ? "their" : "its"} current value`,
              `DROP SEQUENCE ${shown} deletes ${many ? "their" : "its"} current value`,
            );
      const explanation = sentences(
        `DROP SEQUENCE ${names} deletes ${many ? "the sequences and their" : "the sequence and its"} current value, the next number ${many ? "they" : "it"} would hand out.`,
        unreplaced.length > 0 &&
          `Running code calling nextval on ${listing(unreplaced.map((object) => object.label))} fails with "relation does not exist" as soon as this commits.`,
        recreatedSentence(recreated),
        renamedLater.length > 0 &&
          `Another sequence is renamed to ${listing(renamedLater.map((object) => object.label))} later in this file, but not in the same transaction: nextval calls in between fail.`,
        `It takes an ACCESS EXCLUSIVE lock on ${many ? "each sequence" : "the sequence"}, so it waits for every running transaction that has called nextval on ${them} ` +
          "and blocks every nextval queued after it (and with it the inserts into tables whose default uses it).",
        cascade
          ? `CASCADE also drops the column defaults that use ${them} (DEFAULT nextval(${literal})), each under an ACCESS EXCLUSIVE lock on its table: inserts that relied on the default then write NULL or fail on NOT NULL.`
          : `Without CASCADE it fails while a column default uses ${many ? "one of them" : "it"}; a sequence behind an identity column cannot be dropped at all.`,
        `To drop it, deploy code that no longer calls nextval(${literal}) and remove the defaults that use it (ALTER TABLE … ALTER COLUMN … DROP DEFAULT;) first, then drop it without CASCADE in a later migration. ` +
          `If another sequence must take over, start it where this one stopped: SELECT setval('…', (SELECT last_value FROM ${first}));`,
      );
      context.report({
        message,
        help: helpLine(
          `${cascade ? "Leave out CASCADE. " : ""}To change it, ALTER SEQUENCE ${first} … in place, which keeps its value; to drop it, remove its nextval defaults first`,
          `${cascade ? "Leave out CASCADE. " : ""}To change it, ALTER SEQUENCE … in place, which keeps its value; to drop it, remove its nextval defaults first`,
        ),
        explanation,
      });
    },
  },
});

/** The sequences created again later in the file: they start over, at 1 or at a START fixed when the migration was written. */
function recreatedSentence(recreated: readonly Dropped[]): string {
  if (recreated.length === 0) return "";
  const many = recreated.length > 1;
  const apart = recreated.some((object) => !object.successor!.sameTransaction);
  const fixedStart = recreated.some((object) => {
    const create = object.successor!.statement;
    return create.kind === "CreateSeqStmt" && (create.node.options ?? []).some((option) => nodeAs(option, "DefElem")?.defname === "start");
  });
  return (
    `${listing(recreated.map((object) => object.label))} ${many ? "are" : "is"} created again later in this file` +
    `${apart ? ", but not in the same transaction (nextval calls in between fail)" : ""}, ` +
    `starting over at ${fixedStart ? "the START fixed when the migration was written" : "1"}, not where the old one stopped: ` +
    "it hands out numbers already used, so inserts hit duplicate-key errors, or silently reuse ids where nothing is unique."
  );
}
