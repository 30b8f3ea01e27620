import { displayName, typeDisplay } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import { defineRule } from "../src/engine/rule.js";
import { eachActionOnTableWithRows } from "../src/engine/existing-table.js";

const BREAKAGE = "(driver type mapping, comparisons, string formatting)";

export default defineRule({
  meta: {
    id: "change-column-type",
    severity: "careful",
    description: "ALTER COLUMN … TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the change is binary-compatible.",
    category: "rewrite",
    checksDoBlocks: true,
  },
  visit: {
    // A column added earlier in this file to an existing table is reported too: it has a value in every row, so the type change rewrites them all.
    AlterTableStmt: eachActionOnTableWithRows((statement, context, table, command) => {
      const column = command.node.name;
      if (command.subtype !== "AT_AlterColumnType" || column === undefined) return;
      const columnDef = nodeAs(command.node.def, "ColumnDef");
      const type = typeDisplay(columnDef?.typeName);
      const name = displayName(table);
      const col = displayName({ name: column });
      const isNew = context.facts.history.isNewColumn(statement, table, column);
      const using = columnDef?.raw_default
        ? ` Its USING expression is evaluated for every row during the rewrite, and a row it cannot convert aborts the whole statement.`
        : "";
      const breaks = isNew
        ? `${col} is new in this migration, so only running code that already uses a column of that name (e.g. one it replaces) may break on the new type ${BREAKAGE}.`
        : `Running application code may also break on the new type ${BREAKAGE}.`;
      const instead = isNew
        ? `Give the column type ${type} where this migration adds it, and cast the values to ${type} as you fill it, so that no type change has to rewrite ${name}. `
        : `Expand/contract instead: ALTER TABLE ${name} ADD COLUMN ${displayName({ name: `${column}_new` })} ${type}; ` +
          `backfill it in batches (UPDATE ${name} SET ${displayName({ name: `${column}_new` })} = ${col}::${type} WHERE id BETWEEN … AND …) ` +
          `and keep it in sync (trigger or dual writes); switch reads and writes to the new column; drop ${col} in a later migration. `;
      context.report({
        range: command.range,
        message:
          `ALTER TABLE ${name} ALTER COLUMN ${col} TYPE ${type} rewrites ${name} and rebuilds its indexes under an ACCESS EXCLUSIVE lock, ` +
          `blocking every read and write of ${name} for the whole rewrite, unless the change is binary-compatible ` +
          `(e.g. varchar(n) to varchar(m > n) or text, a numeric precision increase).${using} ${breaks}`,
        help: `${instead}If the change is binary-compatible, keep it, and confirm on a copy that pg_class.relfilenode of ${name} does not change.`,
      });
    }),
  },
});
