import type { Node } from "@pgsql/types";
import { alterTableCommands, asList, displayName, stringOf, typeDisplay, walk, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import { firstFitting, listing, messageLine } from "../src/engine/wording.js";
import type { Statement } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { codeText, columnConstraints, isNullConstant } from "../src/parser/column-constraints.js";
import { addedColumn, eachActionOnTableWithRows } from "../src/engine/existing-table.js";

/**
 * Built-in functions (and those of the uuid-ossp and pgcrypto extensions) that are VOLATILE:
 * a default calling one of them has a different value in each row. Stable functions such
 * as now(), statement_timestamp() or txid_current() are evaluated once and are not listed.
 */
const VOLATILE = new Set([
  "random",
  "random_normal",
  "setseed",
  "gen_random_uuid",
  "uuidv4",
  "uuidv7",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "gen_random_bytes",
  "gen_salt",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "setval",
  "currval",
  "lastval",
  "set_config",
  "txid_status",
  "pg_current_wal_lsn",
  "pg_current_wal_insert_lsn",
  "pg_current_wal_flush_lsn",
]);

export default defineRule({
  meta: {
    id: "volatile-default",
    severity: "careful",
    description: "ALTER TABLE ... ADD COLUMN with a volatile DEFAULT (gen_random_uuid(), random(), clock_timestamp(), nextval(), …) rewrites the whole table under ACCESS EXCLUSIVE.",
    category: "rewrite",
    checksDoBlocks: true,
    pgVersionNote: "< 11: any default rewrites the table",
  },
  visit: { AlterTableStmt: eachActionOnTableWithRows(checkAddColumn) },
});

/** The column an ADD COLUMN action adds with a default that rewrites the table, its constraints and the volatile call. */
function rewritingDefault(statement: Statement, context: RuleContext, command: AlterCommand) {
  const added = addedColumn(command);
  if (!added) return undefined;
  const constraints = columnConstraints(statement, added.def, command.range);
  const fallback = constraints.find((c) => c.node.contype === "CONSTR_DEFAULT");
  if (!fallback || isNullConstant(fallback.node.raw_expr)) return undefined;
  const volatile = volatileCall(fallback.node.raw_expr);
  if (!volatile && context.settings.pgVersion >= 11) return undefined;
  return { added, constraints, fallback, volatile };
}

function checkAddColumn(statement: Statement, context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const found = rewritingDefault(statement, context, command);
  if (!found) return;
  // One ALTER TABLE rewrites the table once, whatever the number of such columns: reported at the first one, naming the others.
  const rewriting = alterTableCommands(statement).filter((each) => rewritingDefault(statement, context, each) !== undefined);
  if (rewriting[0]?.node !== command.node) return;
  const others = rewriting.slice(1).map((each) => displayName({ name: addedColumn(each)!.name }));
  const { added, constraints, fallback, volatile } = found;
  const column = added.def;
  const colname = added.name;

  const name = displayName(table);
  const col = displayName({ name: colname });
  const expression = codeText(statement, afterKeyword(statement, fallback.range)) || "…";
  const notNull = constraints.find((c) => c.node.contype === "CONSTR_NOTNULL");
  const why = volatile
    ? `its DEFAULT calls ${volatile}(), a volatile function, so each existing row needs its own value: PostgreSQL cannot store the default once`
    : `before PostgreSQL 11 (settings.pgVersion is ${context.settings.pgVersion}), any non-null DEFAULT is written into every existing row`;
  const addColumn = codeText(statement, command.range, { skip: [fallback.range, ...(notNull ? [notNull.range] : [])] }) || `ADD COLUMN ${col} ${typeDisplay(column.typeName)}`;
  const notNullStep = notNull
    ? ` Then make it NOT NULL without a long lock: ALTER TABLE ${name} ADD CONSTRAINT ${displayName({ name: `${table.name}_${colname}_not_null` })} CHECK (${col} IS NOT NULL) NOT VALID; ` +
      `VALIDATE CONSTRAINT in a separate transaction, then ALTER TABLE ${name} ALTER COLUMN ${col} SET NOT NULL; (PostgreSQL 12+ skips the scan).`
    : "";
  const also = others.length === 0 ? "" : others.length === 1 ? ` (and ${others[0]})` : ` (and ${others.length} more)`;
  const reason = volatile ? "" : ` before PostgreSQL 11`;
  context.report({
    range: command.range,
    message: messageLine(
      `ADD COLUMN ${col}${also} DEFAULT ${expression} rewrites ${name}${reason} (ACCESS EXCLUSIVE)`,
      ...(volatile ? [`ADD COLUMN ${col}${also} DEFAULT ${volatile}() rewrites ${name}${reason} (ACCESS EXCLUSIVE)`] : []),
      `ADD COLUMN ${col}${also} with this DEFAULT rewrites ${name}${reason} (ACCESS EXCLUSIVE)`,
      `ADD COLUMN ${col} with this DEFAULT rewrites the table${reason} (ACCESS EXCLUSIVE)`,
    ),
    help: firstFitting(200, 
        `Add ${col} without the default, then SET DEFAULT ${expression}, then fill existing rows in batches${notNull ? "; prove NOT NULL with a validated CHECK" : ""}`,
        `Add ${col} without the default, then SET DEFAULT, then fill existing rows in batches${notNull ? "; prove NOT NULL with a validated CHECK" : ""}`,
        "Add the column without the default, then SET DEFAULT, then fill existing rows in batches",
      ),
    explanation:
      `ALTER TABLE ${name} ADD COLUMN ${col} ${typeDisplay(column.typeName)} DEFAULT ${expression} rewrites ${name}: ${why}. ` +
      `It writes a new copy of the whole table and rebuilds its indexes while holding ${describeLock("ACCESS EXCLUSIVE")}, ` +
      "for the whole rewrite and until the transaction commits; the disk briefly needs room for both copies." +
      (others.length > 0 ? ` The same rewrite fills ${listing(others)}, which this ALTER TABLE adds with such a default too: do the same for ${others.length > 1 ? "them" : "it"}.` : "") +
      ` Instead: ALTER TABLE ${name} ${addColumn}; ALTER TABLE ${name} ALTER COLUMN ${col} SET DEFAULT ${expression}; (neither rewrites the table) ` +
      `UPDATE ${name} SET ${col} = ${expression} WHERE ${col} IS NULL AND id BETWEEN … AND …; (one short transaction per batch)${notNullStep}`,
  });
}

/** The first known-volatile function the expression calls, by its name without schema. */
function volatileCall(expression: Node | undefined): string | undefined {
  let found: string | undefined;
  walk(expression, (type, value) => {
    if (found !== undefined || type !== "FuncCall") return;
    const parts = asList(value.funcname).map(stringOf);
    const name = parts[parts.length - 1];
    if (name !== undefined && VOLATILE.has(name)) found = parts.filter((part): part is string => part !== undefined).join(".");
  });
  return found;
}

/** The range of a `DEFAULT expr` constraint without its keyword. */
function afterKeyword(statement: Statement, range: Range): Range {
  const second = statement.codeTokensFrom(range.start, 2)[1];
  return second && second.start < range.end ? { start: second.start, end: range.end } : range;
}
