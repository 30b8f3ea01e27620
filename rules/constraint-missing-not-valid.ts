import type { Constraint, Node } from "@pgsql/types";
import { alterTableCommands, asList, displayName, relationName, stringOf, typeDisplay, walk, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import type { Statement, StatementOf } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { describeLock, lockBlocks } from "../src/facts/lock-wording.js";
import { firstFitting, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { codeText, columnConstraints, constraintsOf, serialType } from "../src/parser/column-constraints.js";
import { addedColumn, eachActionOnTableWithRows } from "../src/engine/existing-table.js";

const SEPARATELY = "then, in a separate transaction (after COMMIT, or in a later migration)";

export default defineRule({
  meta: {
    id: "constraint-missing-not-valid",
    severity: "careful",
    description:
      "ADD CONSTRAINT ... CHECK or FOREIGN KEY without NOT VALID on an existing table, or VALIDATE CONSTRAINT in the same transaction as its NOT VALID ADD, checks every row under a lock that blocks writes.",
    category: "locking",
    checksDoBlocks: true,
  },
  visit: {
    AlterTableStmt: eachActionOnTableWithRows((statement, context, table, command) => {
      if (command.subtype === "AT_AddConstraint") checkAddConstraint(statement, context, table, command);
      else if (command.subtype === "AT_AddColumn") checkAddColumn(statement, context, table, command);
      else if (command.subtype === "AT_ValidateConstraint") checkValidate(statement, context, table, command);
    }),
  },
});

function checkAddConstraint(statement: StatementOf<"AlterTableStmt">, context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const constraint = nodeAs(command.node.def, "Constraint");
  if (!constraint || constraint.skip_validation === true) return;
  if (constraint.contype !== "CONSTR_CHECK" && constraint.contype !== "CONSTR_FOREIGN") return;
  const name = displayName(table);
  const conname = displayName({ name: constraint.conname ?? suggestedName(table, constraint) });
  const action = namedAction(statement, command.range, conname, constraint.conname !== undefined);
  const validate = `ALTER TABLE ${name} VALIDATE CONSTRAINT ${conname};`;
  if (constraint.contype === "CONSTR_CHECK") {
    context.report({
      range: command.range,
      message: messageLine(
        `ADD CONSTRAINT ${conname} CHECK scans every row of ${name} while blocking it (ACCESS EXCLUSIVE)`,
        `ADD CONSTRAINT ${conname} CHECK scans every row of ${name} (ACCESS EXCLUSIVE)`,
        `ADD CHECK scans every row of ${name} (ACCESS EXCLUSIVE)`,
        "ADD CHECK scans every row of the table (ACCESS EXCLUSIVE)",
      ),
      help: notValidHelp(conname),
      explanation:
        `ALTER TABLE ${name} ADD CONSTRAINT ${conname} CHECK (…) checks every existing row of ${name} while holding ${describeLock("ACCESS EXCLUSIVE")}, ` +
        `until the whole table is scanned (no rewrite, but minutes on a large table) and the transaction commits. ` +
        "A single row that fails the check aborts the statement after the scan. " +
        `Add it NOT VALID, which skips the scan (new and updated rows are checked at once): ALTER TABLE ${name} ${action} NOT VALID; ` +
        `${SEPARATELY}: ${validate} ${validateLocks(table, undefined)}`,
    });
    return;
  }
  const referenced = relationName(constraint.pktable);
  const both = bothTables(statement, context, table, referenced);
  context.report({
    range: command.range,
    message: messageLine(
      `ADD CONSTRAINT ${conname} FOREIGN KEY scans every row of ${name} (SHARE ROW EXCLUSIVE)`,
      `ADD CONSTRAINT ${conname} scans every row of ${name} (SHARE ROW EXCLUSIVE)`,
      `ADD FOREIGN KEY scans every row of ${name} (SHARE ROW EXCLUSIVE)`,
      "ADD FOREIGN KEY scans every row of the table (SHARE ROW EXCLUSIVE)",
    ),
    help: notValidHelp(conname),
    explanation:
      `ALTER TABLE ${name} ADD CONSTRAINT ${conname} FOREIGN KEY (${columnList(constraint.fk_attrs)}) REFERENCES ${referenced ? displayName(referenced) : "…"} ` +
      `checks every existing row of ${name} against the referenced table while holding a SHARE ROW EXCLUSIVE lock on ${both.label}, ` +
      `which blocks every write ${both.of} and other schema changes (reads go on), for the whole scan and until the transaction commits (no rewrite). ` +
      "A single row without a match aborts the statement after the scan. " +
      `Add it NOT VALID, which skips the scan, so its SHARE ROW EXCLUSIVE locks are held only until the (short) transaction commits; new and updated rows are checked at once: ` +
      `ALTER TABLE ${name} ${action} NOT VALID; ${SEPARATELY}: ${validate} ${validateLocks(table, both.other)}`,
  });
}

/**
 * ADD COLUMN with column constraints. A CHECK is validated by a scan of the whole table.
 * A REFERENCES is not: PostgreSQL knows the new column is NULL in every row and marks the
 * foreign key valid without checking, unless the column gets a value (a DEFAULT, even
 * DEFAULT NULL, a GENERATED expression, or serial's nextval default).
 */
function checkAddColumn(statement: StatementOf<"AlterTableStmt">, context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const added = addedColumn(command);
  if (!added) return;
  const column = added.def;
  const colname = added.name;
  const filled = constraintsOf(column).some((c) => c.contype === "CONSTR_DEFAULT" || c.contype === "CONSTR_GENERATED");
  const validated = columnConstraints(statement, column, command.range).filter(
    (c) =>
      !c.attributes.includes("CONSTR_ATTR_NOT_ENFORCED") &&
      (c.node.contype === "CONSTR_CHECK" || (c.node.contype === "CONSTR_FOREIGN" && (filled || serialType(column.typeName) !== undefined))),
  );
  if (validated.length === 0) return;
  const name = displayName(table);
  const col = displayName({ name: colname });
  const addColumn = codeText(statement, command.range, { skip: validated.map((c) => c.range) }) || `ADD COLUMN ${col} ${typeDisplay(column.typeName)}`;
  for (const constraint of validated) {
    const check = constraint.node.contype === "CONSTR_CHECK";
    const conname = displayName({ name: constraint.node.conname ?? `${table.name}_${colname}_${check ? "check" : "fkey"}` });
    const body = check ? codeText(statement, constraint.body) || "CHECK (…)" : `FOREIGN KEY (${col}) ${codeText(statement, constraint.body) || "REFERENCES …"}`;
    const steps =
      `ALTER TABLE ${name} ${addColumn}; ALTER TABLE ${name} ADD CONSTRAINT ${conname} ${body} NOT VALID; ` +
      `${SEPARATELY}: ALTER TABLE ${name} VALIDATE CONSTRAINT ${conname};`;
    if (check) {
      const nulls = filled ? "" : ` Without a default the new column is NULL in every existing row, so the scan is pure cost.`;
      context.report({
        range: command.range,
        message: messageLine(
          `ADD COLUMN ${col} with a CHECK scans every row of ${name} while blocking it (ACCESS EXCLUSIVE)`,
          `ADD COLUMN ${col} with a CHECK scans every row of ${name} (ACCESS EXCLUSIVE)`,
          `ADD COLUMN with a CHECK scans every row of ${name} (ACCESS EXCLUSIVE)`,
          "ADD COLUMN with a CHECK scans every row of the table (ACCESS EXCLUSIVE)",
        ),
        help: columnHelp(col, conname, "CHECK"),
        explanation:
          `ALTER TABLE ${name} ADD COLUMN ${col} … CHECK (…) checks the new column in every existing row of ${name}, ` +
          `scanning the whole table under the ACCESS EXCLUSIVE lock ADD COLUMN takes, which blocks every read and write of the table until the scan ends and the transaction commits (no rewrite unless the default is volatile).${nulls} ` +
          `Add the column without its CHECK, then the check NOT VALID (no scan; new and updated rows are checked at once): ${steps} ${validateLocks(table, undefined)}`,
      });
      continue;
    }
    const referenced = relationName(constraint.node.pktable);
    const both = bothTables(statement, context, table, referenced);
    const target = referenced ? ` ${displayName(referenced)}` : "";
    context.report({
      range: command.range,
      message: messageLine(
        `ADD COLUMN ${col} REFERENCES${target} with a value scans all of ${name} (ACCESS EXCLUSIVE)`,
        `ADD COLUMN ${col} REFERENCES with a value scans all of ${name} (ACCESS EXCLUSIVE)`,
        `ADD COLUMN REFERENCES with a value scans all of ${name} (ACCESS EXCLUSIVE)`,
        "ADD COLUMN REFERENCES with a value scans the whole table (ACCESS EXCLUSIVE)",
      ),
      help: columnHelp(col, conname, "FOREIGN KEY"),
      explanation:
        `ALTER TABLE ${name} ADD COLUMN ${col} … REFERENCES ${referenced ? displayName(referenced) : "…"} gives the new column a DEFAULT (even DEFAULT NULL), a generated value or a sequence, ` +
        `so PostgreSQL does not skip validating the foreign key: it scans all of ${name}, holding ACCESS EXCLUSIVE on ${name} (every read and write blocked)` +
        `${both.other ? ` and SHARE ROW EXCLUSIVE on ${both.other} (every write blocked, reads go on)` : ""} until the scan ends and the transaction commits. ` +
        "A single value without a match aborts the statement after the scan. " +
        `Add the column, then the foreign key NOT VALID (no scan; new and updated rows are checked at once): ${steps} ${validateLocks(table, both.other)}`,
    });
  }
}

interface PendingAdd {
  contype: string;
  referenced: QualifiedName | undefined;
  range: Range;
  statement: Statement;
}

/** VALIDATE CONSTRAINT k in the same transaction as the ADD ... NOT VALID of k: the ADD's lock is still held. */
function checkValidate(statement: StatementOf<"AlterTableStmt">, context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const conname = command.node.name;
  if (conname === undefined) return;
  let pending: PendingAdd | undefined;
  for (const earlier of context.facts.order.before(statement)) {
    if (earlier.kind !== "AlterTableStmt" || !context.facts.names.sameRelation(relationName(earlier.node.relation), earlier, table, statement)) continue;
    if (!context.facts.transactions.sameTransaction(earlier, statement)) continue;
    for (const cmd of alterTableCommands(earlier)) pending = notValidAdd(cmd, conname, earlier) ?? pending;
  }
  const commands = alterTableCommands(statement);
  for (const cmd of commands.slice(0, commands.indexOf(command))) pending = notValidAdd(cmd, conname, statement) ?? pending;
  if (!pending) return;

  const name = displayName(table);
  const k = displayName({ name: conname });
  const where =
    pending.statement === statement
      ? "earlier in this same ALTER TABLE"
      : `on line ${context.lineOf(pending.range)}`;
  const foreign = pending.contype === "CONSTR_FOREIGN";
  const both = bothTables(statement, context, table, pending.referenced);
  const held = foreign
    ? `the SHARE ROW EXCLUSIVE lock it took on ${both.label} is still held, so the validation scan blocks every write ${both.of} (reads go on)`
    : `the ACCESS EXCLUSIVE lock it took on ${name} is still held, so the validation scan blocks every read and write of ${name}`;
  const lock = foreign ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE";
  context.report({
    range: command.range,
    message: messageLine(
      `VALIDATE CONSTRAINT ${k} runs in the transaction that added it (${lock})`,
      `VALIDATE CONSTRAINT runs in the transaction that added the constraint (${lock})`,
    ),
    help: firstFitting(200, 
        `Commit in between: run ALTER TABLE ${name} VALIDATE CONSTRAINT ${k} in a separate transaction (after COMMIT, or in a later migration)`,
        `Commit in between: run VALIDATE CONSTRAINT ${k} in a separate transaction (after COMMIT, or in a later migration)`,
        "Commit in between: run the VALIDATE CONSTRAINT in a separate transaction (after COMMIT, or in a later migration)",
      ),
    explanation:
      `ALTER TABLE ${name} VALIDATE CONSTRAINT ${k} runs in the same transaction as the ADD CONSTRAINT ${k} … NOT VALID ${where}: ` +
      `${held} until the transaction commits. That is the full-table check under a strong lock that NOT VALID was meant to avoid. ` +
      `Commit in between: keep the ADD CONSTRAINT … NOT VALID where it is, and run ALTER TABLE ${name} VALIDATE CONSTRAINT ${k}; in a separate transaction ` +
      `(after COMMIT, or in a later migration). ${validateLocks(table, foreign ? both.other : undefined)}`,
  });
}

/** The one-line help of an ADD CONSTRAINT: NOT VALID, then VALIDATE. */
function notValidHelp(conname: string): string {
  return firstFitting(200, 
      `Add it NOT VALID, then run VALIDATE CONSTRAINT ${conname} in a separate transaction`,
      "Add it NOT VALID, then run VALIDATE CONSTRAINT in a separate transaction",
    );
}

/** The one-line help of an ADD COLUMN with a constraint: the column, the constraint NOT VALID, then VALIDATE. */
function columnHelp(col: string, conname: string, kind: string): string {
  return firstFitting(200, 
      `Add ${col} without its ${kind}, then add ${conname} NOT VALID and VALIDATE it in a separate transaction`,
      `Add ${col} without its ${kind}, then add the constraint NOT VALID, then VALIDATE it in a separate transaction`,
      `Add the column without its ${kind}, then add the constraint NOT VALID, then VALIDATE it in a separate transaction`,
    );
}

/** What VALIDATE CONSTRAINT locks, as the last sentence of an explanation. */
function validateLocks(table: QualifiedName, other: string | undefined): string {
  const rowShare = other ? ` On ${other} it holds only a ROW SHARE lock, which blocks no reads or writes.` : "";
  return `VALIDATE CONSTRAINT holds only a SHARE UPDATE EXCLUSIVE lock on ${displayName(table)}, which blocks ${lockBlocks("SHARE UPDATE EXCLUSIVE")}.${rowShare}`;
}

function notValidAdd(command: AlterCommand, conname: string, statement: Statement): PendingAdd | undefined {
  if (command.subtype !== "AT_AddConstraint") return undefined;
  const constraint = nodeAs(command.node.def, "Constraint");
  if (!constraint || constraint.conname !== conname || constraint.skip_validation !== true) return undefined;
  if (constraint.contype !== "CONSTR_CHECK" && constraint.contype !== "CONSTR_FOREIGN" && constraint.contype !== "CONSTR_NOTNULL") return undefined;
  return { contype: constraint.contype, referenced: relationName(constraint.pktable), range: command.range, statement };
}

/** "users and orgs" and the tables' wording, or a single table for a self-reference. */
function bothTables(
  statement: Statement,
  context: RuleContext,
  table: QualifiedName,
  referenced: QualifiedName | undefined,
): { label: string; of: string; other: string | undefined } {
  const name = displayName(table);
  if (!referenced || context.facts.names.sameRelation(referenced, statement, table)) return { label: name, of: `of ${name}`, other: undefined };
  const other = displayName(referenced);
  return { label: `both ${name} and ${other}`, of: `of both tables`, other };
}

/** PostgreSQL's default name: `t_col_check` when the check uses one column, `t_check` otherwise; `t_cols_fkey`. */
function suggestedName(table: QualifiedName, constraint: Constraint): string {
  if (constraint.contype === "CONSTR_FOREIGN") {
    const columns = (constraint.fk_attrs ?? []).map((column) => nodeAs(column, "String")?.sval);
    return [table.name, ...columns, "fkey"].join("_");
  }
  const columns = new Set<string>();
  walk(constraint.raw_expr, (type, value) => {
    if (type !== "ColumnRef") return;
    const fields = asList(value.fields);
    const last = stringOf(fields[fields.length - 1]);
    if (last !== undefined) columns.add(last);
  });
  return columns.size === 1 ? `${table.name}_${[...columns][0]}_check` : `${table.name}_check`;
}

/** The action as written, with `CONSTRAINT name` added after ADD when it had none. */
function namedAction(statement: Statement, range: Range, conname: string, named: boolean): string {
  if (named) return codeText(statement, range) || `ADD CONSTRAINT ${conname} …`;
  const second = statement.codeTokensFrom(range.start, 2)[1];
  return `ADD CONSTRAINT ${conname} ${(second && codeText(statement, { start: second.start, end: range.end })) || "…"}`;
}

function columnList(columns: Node[] | undefined): string {
  return (columns ?? [])
    .map((column) => nodeAs(column, "String")?.sval)
    .map((column) => (column === undefined ? "…" : displayName({ name: column })))
    .join(", ");
}
