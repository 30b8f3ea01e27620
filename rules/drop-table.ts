import { displayName, listName, quoteIfNeeded } from "../src/parser/ast.js";
import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "drop-table",
    severity: "dangerous",
    description: "DROP TABLE deletes a table and every row in it.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  visit: {
    DropStmt(statement, context) {
      if (statement.node.removeType !== "OBJECT_TABLE") return;
      const tables = (statement.node.objects ?? [])
        .map(listName)
        .filter((name) => name !== undefined)
        // Emptied earlier in the migration: its rows are already lost, and the TRUNCATE or DELETE is reported for that.
        .filter((name) => !context.facts.history.isNewOrUndone(statement, "table", name) && !context.facts.history.emptiedBefore(statement, name))
        // DROP TABLE IF EXISTS before the migration creates its own scratch table of that name again.
        .filter((name) => !context.facts.history.clearsScratchTable(statement, name));
      if (tables.length === 0) return;
      const names = tables.map(displayName).join(", ");
      const cascade = statement.node.behavior === "DROP_CASCADE" ? " CASCADE also drops the views and foreign keys that depend on it." : "";
      context.report({
        message:
          `DROP TABLE ${names} deletes the table${tables.length > 1 ? "s" : ""} and all ${tables.length > 1 ? "their" : "its"} rows for good, under an ACCESS EXCLUSIVE lock; ` +
          `application code still reading or writing ${tables.length > 1 ? "them" : "it"} starts failing at once.${cascade}`,
        help:
          `Rename first (${tables.map((table) => `ALTER TABLE ${displayName(table)} RENAME TO ${quoteIfNeeded(`${table.name}_backup`)};`).join(" ")}), ` +
          `deploy code that no longer uses ${tables.length > 1 ? "them" : "it"}, ` +
          `and drop the backup${tables.length > 1 ? "s" : ""} in a later migration once you are sure nothing needs ${tables.length > 1 ? "them" : "it"}; ` +
          "take a backup you have restored at least once.",
      });
    },
  },
});
