import { alterTableCommands, displayName, relationName } from "../src/parser/ast.js";
import { messageLine } from "../src/engine/wording.js";
import { defineRule } from "../src/engine/rule.js";
import { sentences } from "../src/engine/wording-drops.js";

export default defineRule({
  meta: {
    id: "drop-column",
    severity: "dangerous",
    description: "ALTER TABLE ... DROP COLUMN deletes a column and its values in every row.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  visit: {
    AlterTableStmt(statement, context) {
      if (statement.node.objtype !== "OBJECT_TABLE") return;
      const table = relationName(statement.node.relation);
      // Emptied earlier in the migration: the column's values are already lost, and the TRUNCATE or DELETE is reported for that.
      if (!table || context.facts.history.isNewOrUndone(statement, "table", table) || context.facts.history.emptiedBefore(statement, table)) return;
      for (const command of alterTableCommands(statement)) {
        if (command.subtype !== "AT_DropColumn" || command.node.name === undefined) continue;
        const column = command.node.name;
        if (context.facts.history.isNewOrUndoneColumn(statement, table, column)) continue;
        const tableName = displayName(table);
        const columnName = displayName({ name: column });
        const deprecated = displayName({ name: `${column}_deprecated` });
        const cascade = command.node.behavior === "DROP_CASCADE";
        context.report({
          range: command.range,
          message: messageLine(
            `DROP COLUMN ${columnName}${cascade ? " CASCADE" : ""} of ${tableName} deletes its values (ACCESS EXCLUSIVE)`,
            `DROP COLUMN ${columnName}${cascade ? " CASCADE" : ""} deletes its values in every row of ${tableName}`,
            `DROP COLUMN ${columnName} deletes its values in ${tableName}`,
            `DROP COLUMN ${columnName} deletes its values`,
          ),
          help: `Rename it to ${deprecated} first, drop it in a later release`,
          explanation: sentences(
            `Dropping column ${columnName} of ${tableName} deletes its values in every row for good.`,
            `It takes an ACCESS EXCLUSIVE lock on ${tableName}, held only briefly because the table is not rewritten (the column is only marked dropped), ` +
              "but it waits behind every running query on the table and blocks every query queued after it.",
            `Running code that selects or inserts ${columnName} fails as soon as this commits, and so can SELECT * consumers and ORMs with a cached column list.`,
            cascade && "CASCADE also drops the views and foreign keys of other tables that depend on it.",
          ),
        });
      }
    },
  },
});
