import { displayName, typeDisplay } from "../src/parser/ast.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, visitEach, type RuleContext } from "../src/engine/rule.js";
import { COLUMN_STATEMENTS, type NewColumn, builtinName, newColumns } from "../src/engine/new-columns.js";

export default defineRule({
  meta: {
    id: "prefer-timestamptz",
    severity: "careful",
    description: "New timestamp (without time zone) columns: timestamptz stores an instant that does not depend on the session's time zone.",
    category: "design",
    recommended: false,
    checksDoBlocks: true,
  },
  visit: visitEach(COLUMN_STATEMENTS, (statement, context) => {
    for (const column of newColumns(statement, context)) {
      if (builtinName(column.typeName) === "timestamp") report(context, column);
    }
  }),
});

function report(context: RuleContext, column: NewColumn): void {
  const table = displayName(column.table);
  const col = displayName({ name: column.column });
  const type = typeDisplay(column.typeName);
  // timestamp(3)[] → timestamptz(3)[]: the same precision and array dimensions.
  const better = `timestamptz${type.slice("timestamp".length)}`;
  const subject = column.via === "type" ? `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${type} gives ${col} the type ${type}` : `Column ${col} of ${table} is ${type}`;
  const rewrite =
    context.settings.pgVersion >= 12
      ? `rewrites ${table} and its indexes under ${describeLock("ACCESS EXCLUSIVE")}, for the whole rewrite, unless the migration's session TimeZone is UTC (PostgreSQL 12+ then only changes the catalog)`
      : `rewrites ${table} and its indexes under ${describeLock("ACCESS EXCLUSIVE")}, for the whole rewrite`;
  const message =
    `${subject} (without time zone): it stores a wall-clock reading, not an instant. ` +
    `now() and other timestamptz values are converted to the writing session's TimeZone and the zone is dropped, and a zone written in a literal ('2024-03-10 12:00+02') is silently ignored, ` +
    `so rows written by sessions or servers in different zones cannot be compared, and the hour repeated when daylight saving time ends is ambiguous. ` +
    `Converting the column to timestamptz later ${rewrite}.`;
  let sql: string;
  let short: string;
  if (column.via === "create") {
    sql = `declare the column as ${col} ${better} in CREATE TABLE ${table}, keeping its other clauses.`;
    short = `Use ${col} ${better} in CREATE TABLE ${table}`;
  } else if (column.via === "add") {
    sql = `ALTER TABLE ${table} ADD COLUMN ${col} ${better}; (keeping the column's other clauses)`;
    short = `Use ALTER TABLE ${table} ADD COLUMN ${col} ${better}`;
  } else {
    sql = `ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${better}; (with USING ${col} AT TIME ZONE 'UTC' when converting from timestamp values written in UTC)`;
    short = `Use ALTER TABLE ${table} ALTER COLUMN ${col} TYPE ${better}`;
  }
  const head = (name: string) => (column.via === "type" ? `ALTER COLUMN ${col} TYPE ${type}` : `Column ${name} is ${type}`);
  context.report({
    ...(column.range ? { range: column.range } : {}),
    message: messageLine(
      `${head(`${table}.${col}`)}: stores wall-clock time, not an instant`,
      `${head(col)}: stores wall-clock time, not an instant`,
      `${head(col)}: without time zone, not an instant`,
      `${col} is ${type}: not an instant`,
    ),
    help: helpLine(short, `Use ${better} (timestamp with time zone) for ${col}`),
    explanation:
      `${message} Use ${better} (timestamp with time zone) instead: it takes the same 8 bytes and stores an absolute instant, shown in each session's TimeZone. For example: ${sql} ` +
      `If the column really holds a local wall-clock time (an opening hour, a local appointment), keep ${type} and record why with -- migsafe-ignore prefer-timestamptz: <reason>.`,
  });
}
