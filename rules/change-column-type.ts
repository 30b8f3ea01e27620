import { displayName, typeDisplay } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import { defineRule } from "../src/engine/rule.js";
import { eachExistingTableAction } from "../src/engine/existing-table.js";

export default defineRule({
  meta: {
    id: "change-column-type",
    severity: "careful",
    description: "ALTER COLUMN … TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the change is binary-compatible.",
    category: "rewrite",
    checksDoBlocks: true,
  },
  visit: {
    AlterTableStmt: eachExistingTableAction((statement, context, table, command) => {
      const column = command.node.name;
      if (command.subtype !== "AT_AlterColumnType" || column === undefined) return;
      if (context.facts.history.isNewColumn(statement, table, column)) return;
      const columnDef = nodeAs(command.node.def, "ColumnDef");
      const type = typeDisplay(columnDef?.typeName);
      const name = displayName(table);
      const col = displayName({ name: column });
      const using = columnDef?.raw_default
        ? ` Its USING expression is evaluated for every row during the rewrite, and a row it cannot convert aborts the whole statement.`
        : "";
      context.report({
        range: command.range,
        message:
          `ALTER TABLE ${name} ALTER COLUMN ${col} TYPE ${type} rewrites ${name} and rebuilds its indexes under an ACCESS EXCLUSIVE lock, ` +
          `blocking every read and write of ${name} for the whole rewrite, unless the change is binary-compatible ` +
          `(e.g. varchar(n) to varchar(m > n) or text, a numeric precision increase).${using} ` +
          `Running application code may also break on the new type (driver type mapping, comparisons, string formatting).`,
        help:
          `Expand/contract instead: ALTER TABLE ${name} ADD COLUMN ${displayName({ name: `${column}_new` })} ${type}; ` +
          `backfill it in batches (UPDATE ${name} SET ${displayName({ name: `${column}_new` })} = ${col}::${type} WHERE id BETWEEN … AND …) ` +
          `and keep it in sync (trigger or dual writes); switch reads and writes to the new column; drop ${col} in a later migration. ` +
          `If the change is binary-compatible, keep it, and confirm on a copy that pg_class.relfilenode of ${name} does not change.`,
      });
    }),
  },
});
