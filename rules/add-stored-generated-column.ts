import type { Node } from "@pgsql/types";
import { asList, displayName, stringOf, typeDisplay, walk, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { addedColumn, eachActionOnTableWithRows } from "../src/engine/existing-table.js";
import { codeText, constraintsOf, parenthesized } from "../src/parser/column-constraints.js";

export default defineRule({
  meta: {
    id: "add-stored-generated-column",
    severity: "careful",
    description: "ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing table rewrites it under ACCESS EXCLUSIVE to compute every row.",
    category: "rewrite",
    checksDoBlocks: true,
    pgVersionNote: "18+: VIRTUAL generated columns do not rewrite",
  },
  visit: { AlterTableStmt: eachActionOnTableWithRows(checkAddColumn) },
});

function checkAddColumn(statement: Statement, context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const added = addedColumn(command);
  if (!added) return;
  const column = added.def;
  const generated = constraintsOf(column).find((c) => c.contype === "CONSTR_GENERATED");
  // PostgreSQL 18 parses a generated column without STORED as VIRTUAL ("v"), which is computed on read.
  if (!generated || generated.generated_kind !== "s") return;

  const name = displayName(table);
  const colname = added.name;
  const col = displayName({ name: colname });
  const type = typeDisplay(column.typeName);
  // The parenthesized expression of `GENERATED ALWAYS AS (expr) STORED`, parentheses included.
  const expression = generated.location !== undefined ? parenthesized(statement, statement.indexOf(generated.location), command.range.end) : undefined;
  const expr = (expression && codeText(statement, expression)) || "…";
  const fromNew = (expression && codeText(statement, expression, { edits: rowReferences(statement, generated.raw_expr, table) })) || "…";
  const schema = table.schema ? `${displayName({ name: table.schema })}.` : "";
  const fill = displayName({ name: `${table.name}_${colname}_fill` });
  const virtual =
    context.settings.pgVersion >= 18
      ? `If computing the value on read is acceptable, make it VIRTUAL, which PostgreSQL 18 adds without a rewrite (but cannot index): ` +
        `ALTER TABLE ${name} ADD COLUMN ${col} ${type} GENERATED ALWAYS AS ${expr} VIRTUAL; Otherwise, `
      : "";
  context.report({
    range: command.range,
    message:
      `ALTER TABLE ${name} ADD COLUMN ${col} ${type} GENERATED ALWAYS AS (…) STORED computes and stores the expression for every existing row, so PostgreSQL rewrites ${name}: ` +
      `it writes a new copy of the whole table and rebuilds its indexes while holding ${describeLock("ACCESS EXCLUSIVE")}, ` +
      "for the whole rewrite and until the transaction commits; the disk briefly needs room for both copies.",
    help:
      `${virtual}${virtual ? "add" : "Add"} a plain column that a trigger fills for new and updated rows, then fill the existing rows in batches: ` +
      `ALTER TABLE ${name} ADD COLUMN ${col} ${type}; ` +
      `CREATE FUNCTION ${schema}${fill}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.${col} := ${fromNew}; RETURN NEW; END $$; ` +
      `CREATE TRIGGER ${fill} BEFORE INSERT OR UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION ${schema}${fill}(); ` +
      `UPDATE ${name} SET ${col} = ${expr} WHERE ${col} IS NULL AND id BETWEEN … AND …; (one short transaction per batch) ` +
      "Unlike a generated column, the plain column can still be written directly; the trigger overwrites such writes.",
  });
}

/**
 * How to read the expression's column references in a trigger: `price` becomes `NEW.price`,
 * and `orders.price` (qualified by the table's name) becomes `NEW.price`. Keyed by the
 * string index of the reference's first token.
 */
function rowReferences(statement: Statement, expression: Node | undefined, table: QualifiedName): Map<number, (text: string) => string> {
  const edits = new Map<number, (text: string) => string>();
  walk(expression, (type, value) => {
    if (type !== "ColumnRef" || typeof value.location !== "number") return;
    const fields = asList(value.fields).map(stringOf);
    if (fields.some((field) => field === undefined)) return;
    if (fields.length === 1) edits.set(statement.indexOf(value.location), (text) => `NEW.${text}`);
    else if (fields.length === 2 && fields[0] === table.name) edits.set(statement.indexOf(value.location), () => "NEW");
  });
  return edits;
}
