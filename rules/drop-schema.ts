import { displayName, listName } from "../src/parser/ast.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule } from "../src/engine/rule.js";
import { fewNames } from "../src/engine/wording-drops.js";

export default defineRule({
  meta: {
    id: "drop-schema",
    severity: "dangerous",
    description: "DROP SCHEMA deletes a schema; with CASCADE, every object and row in it.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  visit: {
    DropStmt(statement, context) {
      if (statement.node.removeType !== "OBJECT_SCHEMA") return;
      const schemas = (statement.node.objects ?? [])
        .map(listName)
        .filter((name) => name !== undefined)
        .filter((name) => !context.facts.history.isNewOrUndone(statement, "schema", name));
      if (schemas.length === 0) return;
      const many = schemas.length > 1;
      const names = schemas.map(displayName).join(", ");
      const first = displayName(schemas[0]!);
      const cascade = statement.node.behavior === "DROP_CASCADE";
      const shown = fewNames(schemas.map(displayName));
      const it = many ? "them" : "it";
      const deprecated = displayName({ name: `${schemas[0]!.name}_deprecated` });
      context.report({
        message: messageLine(
          cascade
            ? `DROP SCHEMA ${shown} CASCADE deletes every object and row in ${it} (ACCESS EXCLUSIVE)`
            : `DROP SCHEMA ${shown} deletes the schema${many ? "s" : ""}; code and search_path settings using ${it} break`,
          cascade ? `DROP SCHEMA ${shown} CASCADE deletes every object and row in ${it}` : `DROP SCHEMA ${shown} deletes the schema${many ? "s" : ""}`,
          `DROP SCHEMA ${shown} deletes ${it}`,
        ),
        help: helpLine(
          `Rename it first (ALTER SCHEMA ${first} RENAME TO ${deprecated}), drop it in a later release after a backup (pg_dump --schema=${first})`,
          `Rename it first (ALTER SCHEMA ${first} RENAME TO ${deprecated}), drop it in a later release after a backup`,
          `Rename it to ${deprecated} first, drop it in a later release after a backup`,
        ),
        explanation: cascade
          ? `DROP SCHEMA ${names} CASCADE deletes every table, view, sequence, function and type in ${it}, with all their rows, for good, ` +
            "and also drops objects in other schemas that depend on them (views, foreign keys). " +
            "Every table it drops is locked ACCESS EXCLUSIVE (nothing is rewritten: the files are removed at commit), " +
            `and code using any object in ${many ? "these schemas" : "the schema"} fails at once.`
          : `DROP SCHEMA ${names} deletes the schema${many ? "s" : ""} under an ACCESS EXCLUSIVE lock on the schema object (no table is rewritten); ` +
            `without CASCADE it fails if ${many ? "one of them" : "it"} still holds any object, and code, search_path settings and grants that refer to ${it} break.`,
      });
    },
  },
});
