import type { ColumnDef, IntoClause, RangeVar } from "@pgsql/types";
import { alterTableCommands, displayName, listName, relationName, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs, unwrap } from "../src/parser/node-types.js";
import type { Statement, StatementOf } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { helpLine, messageLine } from "../src/engine/wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";

/** TableLikeClause option bit of INCLUDING INDEXES (part of INCLUDING ALL): it copies the source's primary key. */
const LIKE_INCLUDING_INDEXES = 1 << 6;

export default defineRule({
  meta: {
    id: "require-primary-key",
    severity: "careful",
    description: "CREATE TABLE without a primary key, declared in the statement or added later in the same file.",
    category: "design",
    recommended: false,
    checksDoBlocks: true,
  },
  visit: {
    CreateStmt: checkCreateTable,
    CreateTableAsStmt(statement, context) {
      if (statement.node.objtype === "OBJECT_TABLE") checkCreateTableAs(statement, context, statement.node.into);
    },
    SelectStmt(statement, context) {
      if (statement.node.intoClause) checkCreateTableAs(statement, context, statement.node.intoClause);
    },
  },
});

function checkCreateTable(statement: StatementOf<"CreateStmt">, context: RuleContext): void {
  if (context.facts.sections.isRollback(statement)) return;
  const node = statement.node;
  const relation = node.relation;
  const table = relationName(relation);
  // Temporary tables live for a session; partitions get the partitioned table's primary key.
  if (!table || relation?.relpersistence === "t" || node.partbound) return;
  const elements = (node.tableElts ?? []).map(unwrap);
  const declared = elements.some(
    (element) =>
      (element?.type === "Constraint" && element.value.contype === "CONSTR_PRIMARY") ||
      (element?.type === "ColumnDef" && hasPrimaryKey(element.value)) ||
      (element?.type === "TableLikeClause" && (element.value.options ?? 0) & LIKE_INCLUDING_INDEXES),
  );
  if (declared || addedOrDroppedLater(statement, context, table)) return;

  const name = displayName(table);
  const hasId = elements.some((element) => element?.type === "ColumnDef" && element.value.colname === "id");
  const partitionKey = (node.partspec?.partParams ?? []).map((param) => nodeAs(param, "PartitionElem")?.name);
  const notes: string[] = [];
  if (elements.some((element) => element?.type === "TableLikeClause")) notes.push("LIKE copies the primary key only with INCLUDING INDEXES or INCLUDING ALL");
  if ((node.inhRelations?.length ?? 0) > 0) notes.push("a primary key is not inherited from an INHERITS parent");
  const note = notes.length > 0 ? ` (${notes.join("; ")})` : "";

  let help: string;
  let short: string;
  if (node.partspec) {
    const keyColumns = partitionKey.every((column): column is string => column !== undefined) ? partitionKey.map((column) => displayName({ name: column })) : undefined;
    help = keyColumns
      ? `Declare a primary key that includes the partition key, which PostgreSQL requires of a partitioned table: ALTER TABLE ${name} ADD PRIMARY KEY (${hasId ? "id" : "…"}, ${keyColumns.join(", ")}); ` +
        `or PRIMARY KEY (${hasId ? "id" : "…"}, ${keyColumns.join(", ")}) in the CREATE TABLE itself; every partition gets it.`
      : `A partitioned table's primary key must include its partition key columns, and an expression in the partition key cannot be part of one: partition by plain columns and declare PRIMARY KEY (…, partition key columns).`;
    short = keyColumns
      ? helpLine(
          `Declare PRIMARY KEY (${hasId ? "id" : "…"}, ${keyColumns.join(", ")}), with the partition key: ALTER TABLE ${name} ADD PRIMARY KEY (${hasId ? "id" : "…"}, ${keyColumns.join(", ")})`,
          `Declare a primary key that includes the partition key: PRIMARY KEY (${hasId ? "id" : "…"}, ${keyColumns.join(", ")})`,
          "Declare a primary key that includes the partition key columns",
        )
      : "Partition by plain columns, and declare PRIMARY KEY (…, partition key columns)";
  } else if (hasId) {
    help = `Declare the primary key in the CREATE TABLE (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, or PRIMARY KEY (…) on the columns that identify a row), or right after it while ${name} is empty: ALTER TABLE ${name} ADD PRIMARY KEY (id);`;
    short = helpLine(`Declare id … PRIMARY KEY in the CREATE TABLE, or right after it while it is empty: ALTER TABLE ${name} ADD PRIMARY KEY (id)`, "Declare id … PRIMARY KEY in the CREATE TABLE, or add it right after, while the table is empty");
  } else {
    help =
      `Declare one in the CREATE TABLE: a surrogate key such as id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, or PRIMARY KEY (…) on the columns that identify a row. ` +
      `Or add it right after, while ${name} is empty: ALTER TABLE ${name} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;`;
    short = "Declare one in the CREATE TABLE: id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, or PRIMARY KEY (…) on the columns that identify a row";
  }
  report(
    context,
    statement,
    relation,
    name,
    messageLine(`CREATE TABLE ${name} has no primary key, and no later statement adds one`, `CREATE TABLE ${name} has no primary key`, "CREATE TABLE has no primary key, and no later statement adds one"),
    short,
    `CREATE TABLE ${name} declares no primary key${note}, and no later statement of this file adds one.`,
    help,
    node.partspec !== undefined,
  );
}

function checkCreateTableAs(statement: Statement, context: RuleContext, into: IntoClause | undefined): void {
  if (context.facts.sections.isRollback(statement)) return;
  const relation = into?.rel;
  const table = relationName(relation);
  if (!table || relation?.relpersistence === "t" || addedOrDroppedLater(statement, context, table)) return;
  const name = displayName(table);
  const how = statement.kind === "SelectStmt" ? "SELECT … INTO" : "CREATE TABLE … AS";
  const short = statement.kind === "SelectStmt" ? "SELECT INTO" : "CREATE TABLE AS";
  report(
    context,
    statement,
    statement.kind === "SelectStmt" ? undefined : relation,
    name,
    messageLine(
      `${short} creates ${name} without a primary key, and no later statement adds one`,
      `${short} creates ${name} without a primary key`,
      `${short} creates a table without a primary key`,
    ),
    helpLine(
      `Add one right after: ALTER TABLE ${name} ADD PRIMARY KEY (…), or ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`,
      "Add one right after: ALTER TABLE … ADD PRIMARY KEY (…) on the columns that identify a row",
    ),
    `${how} creates ${name} without a primary key (it cannot declare one), and no later statement of this file adds one.`,
    `Add one right after, in the same migration: ALTER TABLE ${name} ADD PRIMARY KEY (…); on the columns that identify a row, ` +
      `or ALTER TABLE ${name} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY; ` +
      `Or create the table with its key first (CREATE TABLE ${name} (… PRIMARY KEY …)) and fill it with INSERT INTO ${name} SELECT …`,
  );
}

function report(
  context: RuleContext,
  statement: Statement,
  relation: RangeVar | undefined,
  name: string,
  message: string,
  help: string,
  what: string,
  longHelp: string,
  partitioned = false,
): void {
  const range = headRange(statement, relation);
  const concurrently = partitioned ? "unless its index is first built CONCURRENTLY on each partition and attached" : "unless the index is first built CONCURRENTLY";
  context.report({
    ...(range ? { range } : {}),
    message,
    help,
    explanation:
      `${what} Rows that are exact duplicates cannot be told apart, so one of them cannot be updated or deleted alone (ORMs need a key to do it), ` +
      `and as soon as ${name} is in a publication that replicates UPDATE and DELETE (FOR ALL TABLES included), every UPDATE and DELETE on it fails on the primary ` +
      `("does not have a replica identity") until it gets a key or REPLICA IDENTITY FULL. ` +
      `Adding the key once ${name} is large holds ${describeLock("ACCESS EXCLUSIVE")}, while the unique index is built and every row checked for NULLs, ${concurrently}. ` +
      longHelp,
  });
}

function hasPrimaryKey(column: ColumnDef): boolean {
  return (column.constraints ?? []).some((constraint) => nodeAs(constraint, "Constraint")?.contype === "CONSTR_PRIMARY");
}

/**
 * A later statement of the file (top level or in a DO block) that adds a primary key to the
 * table (ADD PRIMARY KEY, ADD CONSTRAINT … PRIMARY KEY, ADD COLUMN … PRIMARY KEY) or drops it:
 * a table dropped in the same migration is a scratch table.
 */
function addedOrDroppedLater(statement: Statement, context: RuleContext, table: QualifiedName): boolean {
  const { names, order } = context.facts;
  return order.after(statement).some((other) => {
    if (other.kind === "DropStmt" && other.node.removeType === "OBJECT_TABLE") {
      return (other.node.objects ?? []).some((object) => names.sameRelation(listName(object), other, table, statement));
    }
    if (other.kind !== "AlterTableStmt" || !names.sameRelation(relationName(other.node.relation), other, table, statement)) return false;
    return alterTableCommands(other).some((command) => {
      if (command.subtype === "AT_AddConstraint") return nodeAs(command.node.def, "Constraint")?.contype === "CONSTR_PRIMARY";
      const column = nodeAs(command.node.def, "ColumnDef");
      return command.subtype === "AT_AddColumn" && column !== undefined && hasPrimaryKey(column);
    });
  });
}

/** `CREATE [… ] TABLE [IF NOT EXISTS] name`: from the statement's start to the end of the table's name. */
function headRange(statement: Statement, relation: RangeVar | undefined): Range | undefined {
  if (typeof relation?.location !== "number" || relation.location < 0) return undefined;
  const start = statement.indexOf(relation.location);
  const tokens = statement.codeTokensFrom(start, 5);
  if (tokens[0]?.start !== start) return undefined;
  let end = tokens[0].end;
  for (let i = 1; tokens[i]?.text === "." && tokens[i + 1]; i += 2) end = tokens[i + 1]!.end;
  return { start: statement.range.start, end };
}
