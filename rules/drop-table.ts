import { displayName, listName, quoteIfNeeded, type QualifiedName } from "../src/parser/ast.js";
import { defineRule } from "../src/engine/rule.js";
import { helpLine, listing, messageLine } from "../src/engine/wording.js";
import { fewNames, sentences } from "../src/engine/wording-drops.js";

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
      const many = tables.length > 1;
      const labels = tables.map(displayName);
      const names = fewNames(labels);
      const cascade = statement.node.behavior === "DROP_CASCADE";
      const it = many ? "them" : "it";
      context.report({
        message: messageLine(
          `DROP TABLE ${names}${cascade ? " CASCADE" : ""} deletes the table${many ? "s" : ""} and ${many ? "their" : "its"} rows (ACCESS EXCLUSIVE)`,
          `DROP TABLE ${names}${cascade ? " CASCADE" : ""} deletes the table${many ? "s" : ""} and ${many ? "their" : "its"} rows`,
          `DROP TABLE ${names} deletes ${it} and ${many ? "their" : "its"} rows`,
        ),
        help: many ? renameAllHelp(tables) : `Rename it to ${quoteIfNeeded(`${tables[0]!.name}_backup`)} first, drop it in a later release`,
        explanation: sentences(
          `DROP TABLE ${listing(labels)} deletes the table${many ? "s" : ""} and all ${many ? "their" : "its"} rows for good, under an ACCESS EXCLUSIVE lock; ` +
            `application code still reading or writing ${it} starts failing at once.`,
          cascade && `CASCADE also drops the views and foreign keys that depend on ${it}.`,
        ),
      });
    },
  },
});

/** The help for several tables: each renamed to a backup name (the first alone when all do not fit), dropped later. */
function renameAllHelp(tables: readonly QualifiedName[]): string {
  const renames = tables.map((table) => `ALTER TABLE ${displayName(table)} RENAME TO ${quoteIfNeeded(`${table.name}_backup`)}`);
  return helpLine(`Rename them first (${renames.join("; ")}), drop them in a later release`, `Rename them first (${renames[0]}; …), drop them in a later release`);
}
