import { alterTableCommands, asList, displayName, relationName, unwrap, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import { modifyingStatements } from "../src/parser/modifying-statements.js";
import type { Statement } from "../src/parser/types.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "change-default",
    severity: "careful",
    description: "ALTER COLUMN ... SET DEFAULT or DROP DEFAULT on an existing column changes only what new rows get; existing rows keep their values.",
    category: "compatibility",
    checksDoBlocks: true,
  },
  checkStatement(statement, context) {
    if (statement.kind !== "AlterTableStmt" || statement.node.objtype !== "OBJECT_TABLE") return;
    const table = relationName(statement.node.relation);
    if (!table || context.facts.history.isNewOrUndone(statement, "table", table)) return;
    const added = new Set<string>();
    for (const command of alterTableCommands(statement)) {
      if (command.subtype === "AT_AddColumn") {
        const def = unwrap(command.node.def);
        if (def?.type === "ColumnDef" && typeof def.value.colname === "string") added.add(def.value.colname);
        continue;
      }
      if (command.subtype !== "AT_ColumnDefault" || typeof command.node.name !== "string") continue;
      const column = command.node.name;
      // A column added earlier in this file (or by this statement) has no rows holding an older default.
      if (added.has(column) || context.facts.history.isNewOrUndoneColumn(statement, table, column)) continue;
      const events = columnEvents(context, table, column);
      const at = command.range.start;
      if (command.node.def === undefined) {
        // Dropped only for a while (typically around a type change that cannot cast the old default): the file sets it again.
        if (events.some((event) => event.kind === "set" && event.at > at)) continue;
        reportDrop(context, table, column, command);
      } else {
        // Put back after DROP DEFAULT … TYPE …: the default of the old type, restored for the new one.
        const dropped = events.filter((event) => event.kind === "drop" && event.at < at).pop();
        if (dropped && events.some((event) => event.kind === "type" && event.at > dropped.at && event.at < at)) continue;
        // The file updates the column's existing rows itself.
        if (backfills(context, table, column)) continue;
        reportSet(statement, context, table, column, command);
      }
    }
  },
});

interface ColumnEvent {
  kind: "set" | "drop" | "type";
  /** String index of the action in the file. */
  at: number;
}

/** Every SET DEFAULT, DROP DEFAULT and ALTER COLUMN ... TYPE of the column in the file, top level or in a DO block. */
function columnEvents(context: RuleContext, table: QualifiedName, column: string): ColumnEvent[] {
  const events: ColumnEvent[] = [];
  for (const statement of [...context.parsed.statements, ...context.parsed.doBlockStatements]) {
    if (statement.kind !== "AlterTableStmt" || !sameTable(relationName(statement.node.relation), table)) continue;
    for (const command of alterTableCommands(statement)) {
      if (command.node.name !== column) continue;
      if (command.subtype === "AT_ColumnDefault") events.push({ kind: command.node.def === undefined ? "drop" : "set", at: command.range.start });
      else if (command.subtype === "AT_AlterColumnType") events.push({ kind: "type", at: command.range.start });
    }
  }
  return events;
}

/** True when the file has an UPDATE of the table assigning the column: top level, in a WITH query, or in a DO block. */
function backfills(context: RuleContext, table: QualifiedName, column: string): boolean {
  return [...context.parsed.statements, ...context.parsed.doBlockStatements].some((statement) =>
    modifyingStatements(statement, "UpdateStmt").some(
      (update) => sameTable(relationName(update.node.relation), table) && asList(update.node.targetList).some((target) => unwrap(target)?.value.name === column),
    ),
  );
}

function sameTable(a: QualifiedName | undefined, b: QualifiedName): boolean {
  return a !== undefined && a.name === b.name && (a.schema ?? "public") === (b.schema ?? "public");
}

const CATALOG_ONLY =
  "The change itself is catalog-only (no rewrite, no scan), under an ACCESS EXCLUSIVE lock held only for a moment, but it waits behind running queries on the table like any ALTER TABLE.";

function reportSet(statement: Statement, context: RuleContext, table: QualifiedName, column: string, command: AlterCommand): void {
  const name = displayName(table);
  const col = displayName({ name: column });
  const value = defaultText(statement, command) ?? "<new default>";
  context.report({
    range: command.range,
    message:
      `ALTER TABLE ${name} ALTER COLUMN ${col} SET DEFAULT ${value} only changes what rows inserted from now on get when they omit ${col}: ` +
      `the existing rows of ${name} keep the values they have (including NULL), because a default is applied only at INSERT. ` +
      `Code that expects every row to have the new value finds old rows that do not. ${CATALOG_ONLY}`,
    help:
      `If existing rows should change too, backfill them explicitly, in batches and in their own transactions: ` +
      `UPDATE ${name} SET ${col} = ${value} WHERE ${isConstant(command.node.def) ? `${col} IS DISTINCT FROM ${value}` : "<rows that should change>"} AND id BETWEEN … AND …; ` +
      "If only new rows should get it, nothing else is needed.",
  });
}

function reportDrop(context: RuleContext, table: QualifiedName, column: string, command: AlterCommand): void {
  const name = displayName(table);
  const col = displayName({ name: column });
  context.report({
    range: command.range,
    message:
      `ALTER TABLE ${name} ALTER COLUMN ${col} DROP DEFAULT only changes rows inserted from now on: existing rows keep their values, ` +
      `but every INSERT that omits ${col} now stores NULL instead of the default, or fails if ${col} is NOT NULL. ` +
      `Running code that relies on the default breaks as soon as this commits. ${CATALOG_ONLY}`,
    help:
      `Deploy code that always sets ${col} on INSERT before dropping its default. ` +
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
function isConstant(expression: unknown): boolean {
  const node = unwrap(expression);
  if (node?.type === "A_Const") return true;
  return node?.type === "TypeCast" && unwrap(node.value.arg)?.type === "A_Const";
}
