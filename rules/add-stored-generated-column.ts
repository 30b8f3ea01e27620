import { asList, displayName, stringOf, typeDisplay, unwrap, walk, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import type { AstNode, Statement } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { addedColumn, alterOfExistingTable } from "../src/engine/existing-table.js";

export default defineRule({
  meta: {
    id: "add-stored-generated-column",
    severity: "careful",
    description: "ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing table rewrites it under ACCESS EXCLUSIVE to compute every row.",
    category: "rewrite",
    checksDoBlocks: true,
    pgVersionNote: "18+: VIRTUAL generated columns do not rewrite",
  },
  checkStatement(statement, context) {
    const altered = alterOfExistingTable(statement, context);
    if (!altered) return;
    const { table, commands } = altered;
    for (const command of commands) {
      if (command.subtype === "AT_AddColumn") checkAddColumn(statement, context, table, command);
    }
  },
});

function checkAddColumn(statement: Statement, context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const added = addedColumn(command);
  if (!added) return;
  const column = added.def;
  const generated = asList(column.constraints)
    .map(unwrap)
    .find((c) => c?.type === "Constraint" && c.value.contype === "CONSTR_GENERATED")?.value;
  // PostgreSQL 18 parses a generated column without STORED as VIRTUAL ("v"), which is computed on read.
  if (!generated || generated.generated_kind !== "s") return;

  const name = displayName(table);
  const colname = added.name;
  const col = displayName({ name: colname });
  const type = typeDisplay(column.typeName);
  const expression = expressionRange(statement, generated, command.range);
  const expr = (expression && codeText(statement, expression)) || "…";
  const fromNew = (expression && codeText(statement, expression, rowReferences(statement, generated.raw_expr, table))) || "…";
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

/** The parenthesized expression of `GENERATED ALWAYS AS (expr) STORED`, parentheses included. */
function expressionRange(statement: Statement, generated: AstNode, action: Range): Range | undefined {
  if (typeof generated.location !== "number") return undefined;
  const from = statement.indexOf(generated.location);
  const code = statement.tokens.filter((token) => token.start >= from && token.end <= action.end && token.type !== "line-comment" && token.type !== "block-comment");
  const open = code.findIndex((token) => token.text === "(");
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i]!.text === "(") depth++;
    else if (code[i]!.text === ")" && --depth === 0) return { start: code[open]!.start, end: code[i]!.end };
  }
  return undefined;
}

/**
 * How to read the expression's column references in a trigger: `price` becomes `NEW.price`,
 * and `orders.price` (qualified by the table's name) becomes `NEW.price`. Keyed by the
 * string index of the reference's first token.
 */
function rowReferences(statement: Statement, expression: unknown, table: QualifiedName): Map<number, (text: string) => string> {
  const edits = new Map<number, (text: string) => string>();
  const visit = (type: string, value: AstNode) => {
    if (type !== "ColumnRef" || typeof value.location !== "number") return;
    const fields = asList(value.fields).map(stringOf);
    if (fields.some((field) => field === undefined)) return;
    if (fields.length === 1) edits.set(statement.indexOf(value.location), (text) => `NEW.${text}`);
    else if (fields.length === 2 && fields[0] === table.name) edits.set(statement.indexOf(value.location), () => "NEW");
  };
  const top = unwrap(expression);
  if (top) visit(top.type, top.value);
  walk(expression, visit);
  return edits;
}

/** The code in a range as one line: comments dropped, whitespace (or a comment) between tokens made one space (none inside parentheses or before a comma); `edits` rewrite the tokens starting at their index. */
function codeText(statement: Statement, range: Range, edits: ReadonlyMap<number, (text: string) => string> = new Map()): string {
  let text = "";
  let previousEnd = range.start;
  let gap = false;
  for (const token of statement.tokens) {
    if (token.start < range.start || token.end > range.end) continue;
    if (token.type === "line-comment" || token.type === "block-comment") {
      gap = true;
      continue;
    }
    if (text !== "" && (gap || token.start > previousEnd) && !text.endsWith("(") && token.text !== ")" && token.text !== ",") text += " ";
    const edit = edits.get(token.start);
    text += edit ? edit(token.text) : token.text;
    previousEnd = token.end;
    gap = false;
  }
  return text;
}
