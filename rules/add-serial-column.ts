import { displayName, typeDisplay, type AlterCommand, type QualifiedName } from "../src/parser/ast.js";
import type { Statement } from "../src/parser/types.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import { addedColumn, eachActionOnTableWithRows } from "../src/engine/existing-table.js";
import { constraintsOf, SERIAL_TYPES, serialType } from "../src/parser/column-constraints.js";

export default defineRule({
  meta: {
    id: "add-serial-column",
    severity: "careful",
    description: "ALTER TABLE ... ADD COLUMN of a serial type or GENERATED ... AS IDENTITY on an existing table rewrites it under ACCESS EXCLUSIVE to number every row.",
    category: "rewrite",
    checksDoBlocks: true,
  },
  visit: { AlterTableStmt: eachActionOnTableWithRows(checkAddColumn) },
});

function checkAddColumn(_statement: Statement, context: RuleContext, table: QualifiedName, command: AlterCommand): void {
  const added = addedColumn(command);
  if (!added) return;
  const column = added.def;
  const serial = serialType(column.typeName);
  const identity = constraintsOf(column).find((c) => c.contype === "CONSTR_IDENTITY");
  if (!serial && !identity) return;

  const name = displayName(table);
  const colname = added.name;
  const col = displayName({ name: colname });
  const type = serial ? SERIAL_TYPES[serial]! : typeDisplay(column.typeName);
  const always = identity?.generated_when === "a" ? "ALWAYS" : "BY DEFAULT";
  const written = serial ? `${col} ${serial}` : `${col} ${type} GENERATED ${always} AS IDENTITY`;
  const sequence = `${table.schema ? `${displayName({ name: table.schema })}.` : ""}${displayName({ name: `${table.name}_${colname}_seq` })}`;
  const check = displayName({ name: `${table.name}_${colname}_not_null` });
  const identityStep = identity
    ? `To end with the identity column, in one transaction (a brief ACCESS EXCLUSIVE): ALTER TABLE ${name} ALTER COLUMN ${col} DROP DEFAULT; DROP SEQUENCE ${sequence}; ` +
      `ALTER TABLE ${name} ALTER COLUMN ${col} ADD GENERATED ${always} AS IDENTITY; SELECT setval(pg_get_serial_sequence('${name.replace(/'/g, "''")}', '${colname.replace(/'/g, "''")}'), max(${col})) FROM ${name};`
    : "";
  const short = serial ? `${col} ${serial}` : `${col} GENERATED AS IDENTITY`;
  context.report({
    range: command.range,
    message: messageLine(
      `ADD COLUMN ${written} rewrites ${name} to number every row (ACCESS EXCLUSIVE)`,
      `ADD COLUMN ${written} rewrites ${name} (ACCESS EXCLUSIVE)`,
      `ADD COLUMN ${short} rewrites ${name} to number every row (ACCESS EXCLUSIVE)`,
      `ADD COLUMN ${short} rewrites ${name} (ACCESS EXCLUSIVE)`,
      `ADD COLUMN ${short} rewrites the table (ACCESS EXCLUSIVE)`,
    ),
    help: helpLine(
      `Add ${col} ${type} without a default, set its default to nextval of a new sequence, number existing rows in batches, then add NOT NULL`,
      "Add a plain column, set its default to nextval of a new sequence, number existing rows in batches, then add NOT NULL",
    ),
    explanation:
      `ALTER TABLE ${name} ADD COLUMN ${written} gives every existing row its own number from a new sequence, so PostgreSQL rewrites ${name}: ` +
      `it writes a new copy of the whole table and rebuilds its indexes while holding ${describeLock("ACCESS EXCLUSIVE")}, ` +
      "for the whole rewrite and until the transaction commits; the disk briefly needs room for both copies. " +
      `Instead: ALTER TABLE ${name} ADD COLUMN ${col} ${type}; CREATE SEQUENCE ${sequence} OWNED BY ${name}.${col}; ` +
      `ALTER TABLE ${name} ALTER COLUMN ${col} SET DEFAULT nextval('${sequence.replace(/'/g, "''")}'); (none of these rewrites the table), then ` +
      `UPDATE ${name} SET ${col} = nextval('${sequence.replace(/'/g, "''")}') WHERE ${col} IS NULL AND <key> BETWEEN … AND …; (one short transaction per batch). ` +
      `Then make it NOT NULL without a long lock: ALTER TABLE ${name} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID; ` +
      `VALIDATE CONSTRAINT ${check} in a separate transaction, then ALTER TABLE ${name} ALTER COLUMN ${col} SET NOT NULL; (PostgreSQL 12+ skips the scan). ` +
      `For a key, build its unique index with CREATE UNIQUE INDEX CONCURRENTLY and attach it with ADD CONSTRAINT … USING INDEX.${identityStep ? ` ${identityStep}` : ""}`,
  });
}
