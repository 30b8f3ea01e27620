import type { Constraint, Node } from "@pgsql/types";
import { displayName, typeDisplay, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import type { Statement } from "../src/parser/types.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { firstFitting, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { codeText, columnConstraints } from "../src/parser/column-constraints.js";
import { addedColumn, eachActionOnTableWithRows } from "../src/engine/existing-table.js";

const CONCURRENTLY_NOTE =
  "CREATE INDEX CONCURRENTLY holds only a SHARE UPDATE EXCLUSIVE lock (reads and writes go on) but cannot run inside a transaction block: " +
  "give it a migration of its own with the runner's transaction turned off. If it fails, it leaves an INVALID index: drop it (DROP INDEX CONCURRENTLY) and retry.";

export default defineRule({
  meta: {
    id: "unique-constraint-without-index",
    severity: "careful",
    description:
      "ADD UNIQUE or PRIMARY KEY without USING INDEX (or ADD COLUMN ... UNIQUE / PRIMARY KEY) on an existing table builds its index while blocking reads and writes.",
    category: "locking",
    checksDoBlocks: true,
  },
  visit: {
    AlterTableStmt: eachActionOnTableWithRows((statement, context, table, command) => {
      if (command.subtype === "AT_AddConstraint") checkAddConstraint(context, table, command);
      else if (command.subtype === "AT_AddColumn") checkAddColumn(statement, context, table, command);
    }),
  },
});

function checkAddConstraint(context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const constraint = nodeAs(command.node.def, "Constraint");
  if (!constraint || !isKey(constraint) || constraint.indexname !== undefined) return;
  const columns = names(constraint.keys);
  const deferrable = constraint.deferrable === true ? (constraint.initdeferred === true ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE") : "";
  report(context, table, command, constraint, columns, "", deferrable);
}

function checkAddColumn(statement: Statement, context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const added = addedColumn(command);
  if (!added) return;
  const colname = added.name;
  const keys = columnConstraints(statement, added.def, command.range).filter((c) => isKey(c.node));
  if (keys.length === 0) return;
  const columnDef = codeText(statement, command.range, { skip: keys.map((c) => c.range) }) || `ADD COLUMN ${displayName({ name: colname })} ${typeDisplay(added.def.typeName)}`;
  const addColumn = `ALTER TABLE ${displayName(table)} ${columnDef}; `;
  for (const key of keys) {
    const deferrable = key.attributes.includes("CONSTR_ATTR_DEFERRABLE")
      ? key.attributes.includes("CONSTR_ATTR_DEFERRED")
        ? " DEFERRABLE INITIALLY DEFERRED"
        : " DEFERRABLE"
      : "";
    report(context, table, command, key.node, [colname], addColumn, deferrable);
  }
}

function report(
  context: RuleContext,
  table: QualifiedName,
  command: AlterCommand,
  constraint: Constraint,
  columns: string[],
  addColumn: string,
  deferrable: string,
): void {
  const primary = constraint.contype === "CONSTR_PRIMARY";
  const kind = primary ? "PRIMARY KEY" : "UNIQUE";
  const name = displayName(table);
  const cols = columns.map((column) => displayName({ name: column })).join(", ");
  const conname = constraint.conname ?? (primary ? `${table.name}_pkey` : [table.name, ...columns, "key"].join("_"));
  const k = displayName({ name: conname });
  const index = displayName({ name: `${conname}_idx` });
  const including = names(constraint.including);
  const include = including.length > 0 ? ` INCLUDE (${including.map((column) => displayName({ name: column })).join(", ")})` : "";
  const nulls = constraint.nulls_not_distinct === true ? " NULLS NOT DISTINCT" : "";
  const action = addColumn ? `ADD COLUMN ${cols} … ${kind}` : `ADD CONSTRAINT ${k} ${kind} (${cols})`;
  const notNull = primary
    ? ` A primary key also sets its columns NOT NULL, which checks every row for NULLs; a single NULL or duplicate aborts it after the build.`
    : " A single duplicate aborts it after the build.";
  const check = displayName({ name: [table.name, ...columns, "not_null"].join("_") });
  const notNullCheck = columns.map((column) => `${displayName({ name: column })} IS NOT NULL`).join(" AND ");
  const proveNotNull = primary
    ? `ALTER TABLE ${name} ADD CONSTRAINT ${check} CHECK (${notNullCheck}) NOT VALID; then, in a separate transaction, ALTER TABLE ${name} VALIDATE CONSTRAINT ${check}; `
    : "";
  const dropCheck = primary ? ` ALTER TABLE ${name} DROP CONSTRAINT ${check};` : "";
  const pkNote = primary
    ? ` A primary key also needs its columns NOT NULL: unless they already are, USING INDEX runs SET NOT NULL, which scans the table under ACCESS EXCLUSIVE; ` +
      `the validated CHECK proves it first without blocking writes (VALIDATE holds SHARE UPDATE EXCLUSIVE), and PostgreSQL 12+ then skips that scan.`
    : "";
  const create = (columns: string) => `CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${name} (${columns})`;
  const attach = `ADD CONSTRAINT ${k} ${kind} USING INDEX ${index}`;
  const pkStep = primary ? " after proving NOT NULL with a validated CHECK" : "";
  const locks = (what: string, table: string) => `${what} locks ${table} while its index builds (ACCESS EXCLUSIVE)`;
  context.report({
    range: command.range,
    message: messageLine(
      locks(addColumn ? `ADD COLUMN ${cols} ${kind}` : action, name),
      locks(addColumn ? `ADD COLUMN ${kind}` : `ADD CONSTRAINT ${k} ${kind}`, name),
      locks(`ADD ${kind}`, name),
      locks(`ADD ${kind}`, "the table"),
    ),
    help: firstFitting(200, 
        `Use ${create(cols)}, then ${attach}${pkStep}`,
        `Use ${create("…")}, then ${attach}${pkStep}`,
        `Use CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ${k} ${kind} USING INDEX${pkStep}`,
        `Use CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … ${kind} USING INDEX${pkStep}`,
      ),
    explanation:
      `ALTER TABLE ${name} ${action} builds a unique index on ${name} while holding ${describeLock("ACCESS EXCLUSIVE")}, ` +
      `for the whole build: every row is read and sorted (no rewrite, but minutes on a large table), and the lock is kept until the transaction commits.${notNull} ` +
      `Build the index without blocking writes, then attach it to the constraint, which takes ACCESS EXCLUSIVE only for an instant: ` +
      `${addColumn}CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${name} (${cols})${include}${nulls}; ${proveNotNull}` +
      `ALTER TABLE ${name} ADD CONSTRAINT ${k} ${kind} USING INDEX ${index}${deferrable};${dropCheck} (The index is renamed ${k}.) ${CONCURRENTLY_NOTE}${pkNote}`,
  });
}

function isKey(constraint: Constraint): boolean {
  return constraint.contype === "CONSTR_UNIQUE" || constraint.contype === "CONSTR_PRIMARY";
}

function names(list: Node[] | undefined): string[] {
  return (list ?? []).flatMap((node) => nodeAs(node, "String")?.sval ?? []);
}
