import path from "node:path";
import type { ColumnDef, Node, TypeName } from "@pgsql/types";
import { displayName, typeDisplay, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import { isMetadataOnlyTypeChange, isTimestampType, metadataOnlySources, type TypeChangeContext } from "../src/parser/column-types.js";
import { isUtcTimeZone } from "../src/facts/session.js";
import type { Statement } from "../src/parser/types.js";
import { firstFitting, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { eachActionOnTableWithRows } from "../src/engine/existing-table.js";

const BREAKAGE = "(driver type mapping, comparisons, string formatting)";

export default defineRule({
  meta: {
    id: "change-column-type",
    severity: "careful",
    description: "ALTER COLUMN … TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the change is binary-compatible.",
    category: "rewrite",
    checksDoBlocks: true,
    pgVersionNote: "12+: timestamp ↔ timestamptz does not rewrite while the session TimeZone is UTC",
  },
  visit: {
    // A column added earlier in this file to an existing table is reported too: it has a value in every row, so the type change rewrites them all.
    AlterTableStmt: eachActionOnTableWithRows((statement, context, table, command) => {
      const column = command.node.name;
      if (command.subtype !== "AT_AlterColumnType" || column === undefined) return;
      const columnDef = nodeAs(command.node.def, "ColumnDef");
      const { session } = context.facts;
      const keepsValues = keepsTheValues(columnDef, column);
      const change: TypeChangeContext = { utcSession: isUtcTimeZone(session.settingAt(statement, "timezone")), pgVersion: context.settings.pgVersion };
      const oldType = oldTypeOf(statement, context, table, column);
      if (keepsValues && oldType && isMetadataOnlyTypeChange(oldType.type, columnDef?.typeName, change)) return;
      // The old type is set by an earlier migration; a file that sets TimeZone to UTC and changes a column to the
      // other timestamp type converts from it, without a rewrite.
      if (keepsValues && !oldType && change.utcSession && change.pgVersion >= 12 && isTimestampType(columnDef?.typeName)) return;
      report(statement, context, table, command, keepsValues ? oldType : undefined, keepsValues);
    }),
  },
});

/** True when the statement has no USING, or a USING that only reads the column (`USING c`, `USING c::type`): the values stay as they are. */
function keepsTheValues(columnDef: ColumnDef | undefined, column: string): boolean {
  if (columnDef?.collClause) return false;
  let using: Node | undefined = columnDef?.raw_default;
  const cast = nodeAs(using, "TypeCast");
  if (cast && typeDisplay(cast.typeName) === typeDisplay(columnDef?.typeName)) using = cast.arg;
  if (using === undefined) return true;
  const fields = nodeAs(using, "ColumnRef")?.fields ?? [];
  return fields.length === 1 && nodeAs(fields[0], "String")?.sval === column;
}

/** The column's type before the change, when this migration set it, or an earlier migration of its folder (`setBy`). */
interface OldType {
  type: TypeName;
  setBy?: string | undefined;
}

/** The column's type before the statement: as this migration set it, or else as the earlier migrations of its folder left it. */
function oldTypeOf(statement: Statement, context: RuleContext, table: QualifiedName, column: string): OldType | undefined {
  const { history } = context.facts;
  const own = history.columnTypeAt(statement, table, column);
  if (own) return { type: own };
  const earlier = history.columnBefore(statement, table, column);
  return earlier?.type && { type: earlier.type, setBy: earlier.typeSetBy };
}

function report(statement: Statement, context: RuleContext, table: QualifiedName, command: AlterCommand, oldType: OldType | undefined, keepsValues: boolean): void {
  const column = command.node.name ?? "";
  const columnDef = nodeAs(command.node.def, "ColumnDef");
  const type = typeDisplay(columnDef?.typeName);
  const name = displayName(table);
  const col = displayName({ name: column });
  const isNew = context.facts.history.isNewColumn(statement, table, column);
  const reason = !keepsValues
    ? "."
    : oldType
      ? `: ${col} is ${typeDisplay(oldType.type)} (as ${oldType.setBy ? `the earlier migration ${path.basename(oldType.setBy)}` : "this migration"} set it), and ${typeDisplay(oldType.type)} to ${type} is not a binary-compatible change.`
      : `, unless the change is binary-compatible, which it is only if ${col}, whose current type comes from an earlier migration, ` +
        `is already ${metadataOnlySources(columnDef?.typeName, type)}: then PostgreSQL changes only the catalog.`;
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
  const confirm = keepsValues && !oldType ? `If the change is binary-compatible, keep it, and confirm on a copy that pg_class.relfilenode of ${name} does not change.` : "";
  const unless = keepsValues && !oldType ? " unless binary-compatible" : "";
  const rewrites = (typeText: string, what: string) => `ALTER COLUMN ${col} TYPE ${typeText} rewrites ${what}${unless} (ACCESS EXCLUSIVE)`;
  const mayRewrite = (typeText: string, what: string) => `ALTER COLUMN ${col} TYPE ${typeText} may rewrite ${what} (ACCESS EXCLUSIVE)`;
  const colNew = displayName({ name: `${column}_new` });
  context.report({
    // When the old type is unknown, "unless binary-compatible" (or, shorter, "may rewrite"): the explanation says when it is.
    message: messageLine(
      rewrites(type, `${name} and its indexes`),
      rewrites(type, name),
      ...(unless ? [mayRewrite(type, `${name} and its indexes`), mayRewrite(type, name)] : []),
      rewrites(type, "the table"),
      ...(unless ? [mayRewrite(type, "the table")] : []),
      `Changing the type of ${col} ${unless ? "may rewrite" : "rewrites"} the table (ACCESS EXCLUSIVE)`,
    ),
    help: firstFitting(200, ...(isNew
        ? [
            `Give ${col} type ${type} where this migration adds it, and cast the values as you fill it`,
            `Give ${col} its final type where this migration adds it, and cast the values as you fill it`,
          ]
        : [
            `Expand/contract: add ${colNew} ${type}, backfill in batches, switch the code over, drop ${col}`,
            `Expand/contract: add ${colNew} of the new type, backfill in batches, switch the code over, drop ${col}`,
            "Add a new column of the new type, backfill it in batches, switch the code over, then drop the old one",
          ])),
    explanation:
      `ALTER TABLE ${name} ALTER COLUMN ${col} TYPE ${type} rewrites ${name} and rebuilds its indexes under an ACCESS EXCLUSIVE lock, ` +
      `blocking every read and write of ${name} for the whole rewrite${reason}${using} ${breaks} ${instead}${confirm}`.trim(),
    range: command.range,
  });
}
