import type { Node } from "@pgsql/types";
import { asList, displayName, stringOf, typeDisplay, walk, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import type { Statement, StatementOf } from "../src/parser/types.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { fewNames } from "../src/engine/wording-drops.js";
import { addedColumn, alterOfTableWithRows } from "../src/engine/existing-table.js";
import { helpLine, listing, messageLine } from "../src/engine/wording.js";
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
  visit: { AlterTableStmt: alterOfTableWithRows(checkAlterTable) },
});

/** A stored generated column an ADD COLUMN action adds, with its expression as written and as a trigger reads it. */
interface GeneratedColumn {
  command: AlterCommand;
  name: string;
  /** The name as SQL writes it. */
  col: string;
  type: string;
  expr: string;
  fromNew: string;
}

/** One finding per ALTER TABLE: PostgreSQL rewrites the table once, however many stored generated columns the statement adds. */
function checkAlterTable(statement: StatementOf<"AlterTableStmt">, context: RuleContext, table: QualifiedName, commands: readonly AlterCommand[]): void {
  const columns = commands.flatMap((command) => storedGeneratedColumn(statement, table, command) ?? []);
  const first = columns[0];
  const last = columns[columns.length - 1];
  if (!first || !last) return;

  const name = displayName(table);
  const many = columns.length > 1;
  const schema = table.schema ? `${displayName({ name: table.schema })}.` : "";
  const fill = displayName({ name: many ? `${table.name}_generated_fill` : `${table.name}_${first.name}_fill` });
  const pg18 = context.settings.pgVersion >= 18;
  const virtual = pg18
    ? `If computing the value${many ? "s" : ""} on read is acceptable, make ${many ? "them" : "it"} VIRTUAL, which PostgreSQL 18 adds without a rewrite (but cannot index): ` +
      `ALTER TABLE ${name} ${columns.map((column) => `ADD COLUMN ${column.col} ${column.type} GENERATED ALWAYS AS ${column.expr} VIRTUAL`).join(", ")}; Otherwise, `
    : "";
  const cols = fewNames(columns.map((column) => column.col));
  const noun = many ? "stored generated columns" : "stored generated column";
  const batch = many ? "WHERE id BETWEEN … AND …" : `WHERE ${first.col} IS NULL AND id BETWEEN … AND …`;
  const plain = many ? "plain columns" : `a plain ${first.col} ${first.type}`;
  context.report({
    range: { start: first.command.range.start, end: last.command.range.end },
    message: messageLine(
      `Adding ${noun} ${cols} rewrites ${name} to compute every row (ACCESS EXCLUSIVE)`,
      `Adding ${noun} ${cols} rewrites ${name} (ACCESS EXCLUSIVE)`,
      `Adding ${many ? `${columns.length} ` : "a "}${noun} rewrites ${name} to compute every row (ACCESS EXCLUSIVE)`,
      `Adding ${many ? `${columns.length} ` : "a "}${noun} rewrites ${name} (ACCESS EXCLUSIVE)`,
    ),
    help: helpLine(
      `${pg18 ? `Make ${many ? "them" : "it"} VIRTUAL (no rewrite, not indexable), or add` : "Add"} ${plain} filled by a trigger, and fill existing rows in batched UPDATEs`,
      `${pg18 ? `Make ${many ? "them" : "it"} VIRTUAL (no rewrite, not indexable), or add` : "Add"} ${many ? "plain columns" : "a plain column"} filled by a trigger, and fill existing rows in batched UPDATEs`,
    ),
    explanation:
      `ALTER TABLE ${name} ` +
      (many
        ? `adds ${columns.length} stored generated columns (${listing(columns.map((column) => column.col))}): it computes and stores their expressions for every existing row, so PostgreSQL rewrites ${name}, once for all of them: `
        : `ADD COLUMN ${first.col} ${first.type} GENERATED ALWAYS AS (…) STORED computes and stores the expression for every existing row, so PostgreSQL rewrites ${name}: `) +
      `it writes a new copy of the whole table and rebuilds its indexes while holding ${describeLock("ACCESS EXCLUSIVE")}, ` +
      "for the whole rewrite and until the transaction commits; the disk briefly needs room for both copies. " +
      `${virtual}${virtual ? "add" : "Add"} ${many ? "plain columns" : "a plain column"} that a trigger fills for new and updated rows, then fill the existing rows in batches: ` +
      `ALTER TABLE ${name} ${columns.map((column) => `ADD COLUMN ${column.col} ${column.type}`).join(", ")}; ` +
      `CREATE FUNCTION ${schema}${fill}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${columns.map((column) => `NEW.${column.col} := ${column.fromNew}; `).join("")}RETURN NEW; END $$; ` +
      `CREATE TRIGGER ${fill} BEFORE INSERT OR UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION ${schema}${fill}(); ` +
      `UPDATE ${name} SET ${columns.map((column) => `${column.col} = ${column.expr}`).join(", ")} ${batch}; (one short transaction per batch) ` +
      `Unlike a generated column, the plain column${many ? "s" : ""} can still be written directly; the trigger overwrites such writes.`,
  });
}

function storedGeneratedColumn(statement: Statement, table: QualifiedName, command: AlterCommand): GeneratedColumn | undefined {
  const added = addedColumn(command);
  if (!added) return undefined;
  const generated = constraintsOf(added.def).find((c) => c.contype === "CONSTR_GENERATED");
  // PostgreSQL 18 parses a generated column without STORED as VIRTUAL ("v"), which is computed on read.
  if (!generated || generated.generated_kind !== "s") return undefined;
  // The parenthesized expression of `GENERATED ALWAYS AS (expr) STORED`, parentheses included.
  const expression = generated.location !== undefined ? parenthesized(statement, statement.indexOf(generated.location), command.range.end) : undefined;
  return {
    command,
    name: added.name,
    col: displayName({ name: added.name }),
    type: typeDisplay(added.def.typeName),
    expr: (expression && codeText(statement, expression)) || "…",
    fromNew: (expression && codeText(statement, expression, { edits: rowReferences(statement, generated.raw_expr, table) })) || "…",
  };
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
