import type { Node } from "@pgsql/types";
import { alterTableCommands, displayName, relationName, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import type { Statement } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { firstFitting, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { addedColumn } from "../src/engine/existing-table.js";
import type { HistoryEvent } from "../src/facts/index.js";

export default defineRule({
  meta: {
    id: "change-default",
    severity: "careful",
    description: "ALTER COLUMN ... SET DEFAULT or DROP DEFAULT on an existing column changes only what new rows get; existing rows keep their values.",
    category: "compatibility",
    // Measured on real projects: nearly every default change is a new default for new rows, as intended (docs/rules/change-default.md).
    recommended: false,
    checksDoBlocks: true,
  },
  visit: {
    AlterTableStmt(statement, context) {
      if (statement.node.objtype !== "OBJECT_TABLE") return;
      const table = relationName(statement.node.relation);
      const { history, sections } = context.facts;
      // A rollback puts back the default the forward migration changed, for the code that ran before it.
      if (!table || sections.isRollback(statement) || history.isNewOrUndone(statement, "table", table)) return;
      const added = new Set<string>();
      for (const command of alterTableCommands(statement)) {
        const addition = addedColumn(command);
        if (addition) added.add(addition.name);
        const column = command.node.name;
        if (command.subtype !== "AT_ColumnDefault" || column === undefined) continue;
        // A column added earlier in this file (or by this statement) has no rows holding an older default.
        if (added.has(column) || history.isNewOrUndoneColumn(statement, table, column)) continue;
        const changes = history.columnChanges(statement, table, column);
        const here = { statement, range: command.range };
        if (goesLaterInTheMigration(context, here, changes)) continue;
        if (command.node.def === undefined) {
          // Dropped only for a while (typically around a type change that cannot cast the old default): the file sets it again.
          if (changes.some((change) => change.change === "set-default" && runsBefore(context, here, change))) continue;
          reportDrop(context, table, column, command);
        } else {
          // Put back after DROP DEFAULT … TYPE …: the default of the old type, restored for the new one.
          const dropped = changes.filter((change) => change.change === "drop-default" && runsBefore(context, change, here)).pop();
          if (dropped && changes.some((change) => change.change === "type" && runsBefore(context, dropped, change) && runsBefore(context, change, here))) continue;
          // The file updates the column's existing rows itself.
          if (changes.some((change) => change.change === "update")) continue;
          // Set only for a while (to fill rows while the file makes the column NOT NULL): the file drops it again.
          if (changes.some((change) => change.change === "drop-default" && runsBefore(context, here, change) && sameMigration(context, statement, change.statement))) continue;
          reportSet(statement, context, table, column, command);
        }
      }
    },
  },
});

/** An action of a statement: one ALTER TABLE action, or the whole statement. */
interface Action {
  statement: Statement;
  range?: Range;
}

/** True when action `a` runs before action `b`: in an earlier statement, or earlier in the same one. */
function runsBefore(context: RuleContext, a: Action, b: Action): boolean {
  if (a.statement !== b.statement) return context.facts.order.runsBefore(a.statement, b.statement);
  return (a.range ?? a.statement.range).start < (b.range ?? b.statement.range).start;
}

/**
 * The column is on its way out: the same migration drops it (or its table) later, or renames it to a `…deprecated`
 * name (the old column kept for the code still running, the new code on another column). Its default matters to nobody.
 */
function goesLaterInTheMigration(context: RuleContext, here: Action, changes: readonly HistoryEvent[]): boolean {
  const column = changes.find((change) => change.statement === here.statement && change.range?.start === here.range?.start)?.object;
  if (!column) return false;
  return context.facts.history.events.some(
    (event) =>
      (event.object === column || event.object === column.on) &&
      runsBefore(context, here, event) &&
      sameMigration(context, here.statement, event.statement) &&
      (event.action === "drop" || (event.action === "rename" && /deprecated/i.test(event.newName ?? ""))),
  );
}

/** Both statements are in the same runner section: the up section's changes are not undone by its down section's. */
function sameMigration(context: RuleContext, a: Statement, b: Statement): boolean {
  return context.facts.sections.sectionOf(a) === context.facts.sections.sectionOf(b);
}

const CATALOG_ONLY =
  "The change itself is catalog-only (no rewrite, no scan), under an ACCESS EXCLUSIVE lock held only for a moment, but it waits behind running queries on the table like any ALTER TABLE.";

function reportSet(statement: Statement, context: RuleContext, table: QualifiedName, column: string, command: AlterCommand): void {
  const name = displayName(table);
  const col = displayName({ name: column });
  const value = defaultText(statement, command) ?? "<new default>";
  const update = (filter: string) => `UPDATE ${name} SET ${col} = ${value} WHERE ${filter} AND id BETWEEN … AND …`;
  const filter = isConstant(command.node.def) ? `${col} IS DISTINCT FROM ${value}` : "<rows that should change>";
  context.report({
    range: command.range,
    message: messageLine(
      `SET DEFAULT ${value} on ${name}.${col} only affects new rows, not existing ones`,
      `SET DEFAULT on ${name}.${col} only affects new rows, not existing ones`,
      `SET DEFAULT on ${col} only affects new rows, not existing ones`,
    ),
    help: firstFitting(200, 
        `If existing rows should change too, backfill them in batches: ${update(filter)}`,
        `If existing rows should change too, backfill them in batches: ${update("<rows that should change>")}`,
        `If existing rows should change too, backfill ${col} in batches with an UPDATE of its own`,
      ),
    explanation:
      `ALTER TABLE ${name} ALTER COLUMN ${col} SET DEFAULT ${value} only changes what rows inserted from now on get when they omit ${col}: ` +
      `the existing rows of ${name} keep the values they have (including NULL), because a default is applied only at INSERT. ` +
      `Code that expects every row to have the new value finds old rows that do not. ${CATALOG_ONLY} ` +
      `Backfill existing rows in batches, each in its own transaction: ${update(filter)}; If only new rows should get it, nothing else is needed.`,
  });
}

function reportDrop(context: RuleContext, table: QualifiedName, column: string, command: AlterCommand): void {
  const name = displayName(table);
  const col = displayName({ name: column });
  context.report({
    range: command.range,
    message: messageLine(
      `DROP DEFAULT on ${name}.${col}: INSERTs that omit ${col} now store NULL, or fail if NOT NULL`,
      `DROP DEFAULT on ${col}: INSERTs that omit it now store NULL, or fail if NOT NULL`,
      `DROP DEFAULT: INSERTs that omit the column now store NULL, or fail if NOT NULL`,
    ),
    help: firstFitting(200, `Deploy code that always sets ${col} on INSERT before dropping its default`, "Deploy code that always sets the column on INSERT before dropping its default"),
    explanation:
      `ALTER TABLE ${name} ALTER COLUMN ${col} DROP DEFAULT only changes rows inserted from now on: existing rows keep their values, ` +
      `but every INSERT that omits ${col} now stores NULL instead of the default, or fails if ${col} is NOT NULL. ` +
      `Running code that relies on the default breaks as soon as this commits. ${CATALOG_ONLY} ` +
      `If existing rows should change too, update them explicitly, in batches: UPDATE ${name} SET ${col} = … WHERE id BETWEEN … AND …;`,
  });
}

/** The new default as written after SET DEFAULT, on one line, when the action's text is known. */
function defaultText(statement: Statement, command: AlterCommand): string | undefined {
  const code = statement.tokens.filter(
    (token) => token.type !== "line-comment" && token.type !== "block-comment" && token.start >= command.range.start && token.end <= command.range.end,
  );
  const at = code.findIndex((token, i) => token.type === "keyword" && token.upper === "DEFAULT" && code[i - 1]?.upper === "SET");
  const value = at < 0 ? [] : code.slice(at + 1);
  if (value.length === 0) return undefined;
  return value.map((token, i) => (i > 0 && token.start > value[i - 1]!.end ? " " : "") + token.text).join("");
}

/** A literal, possibly cast: `'active'`, `0`, `'{}'::jsonb`. */
function isConstant(expression: Node | undefined): boolean {
  return nodeAs(expression, "A_Const") !== undefined || nodeAs(nodeAs(expression, "TypeCast")?.arg, "A_Const") !== undefined;
}
