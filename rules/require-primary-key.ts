import { alterTableCommands, asList, displayName, relationName, stringOf, unwrap, type QualifiedName } from "../src/parser/ast.js";
import type { AstNode, Statement, StatementOf } from "../src/parser/types.js";
import type { Range } from "../src/source/source-text.js";
import { describeLock } from "../src/facts/lock-wording.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";

/** TableLikeClause option bit of INCLUDING INDEXES (part of INCLUDING ALL): it copies the source's primary key. */
const LIKE_INCLUDING_INDEXES = 1 << 6;

interface RangeVar {
  relname?: string;
  schemaname?: string;
  relpersistence?: string;
  location?: number;
}

export default defineRule({
  meta: {
    id: "require-primary-key",
    severity: "careful",
    description: "CREATE TABLE without a primary key, declared in the statement or added later in the same file.",
    category: "design",
    recommended: false,
    checksDoBlocks: true,
  },
  checkStatement(statement, context) {
    if (context.facts.sections.isRollback(statement)) return;
    if (statement.kind === "CreateStmt") checkCreateTable(statement, context);
    else if (statement.kind === "CreateTableAsStmt" && statement.node.objtype === "OBJECT_TABLE") checkCreateTableAs(statement, context, statement.node.into);
    else if (statement.kind === "SelectStmt" && statement.node.intoClause) checkCreateTableAs(statement, context, statement.node.intoClause);
  },
});

function checkCreateTable(statement: StatementOf<"CreateStmt">, context: RuleContext): void {
  const node = statement.node;
  const relation = node.relation as RangeVar | undefined;
  const table = relationName(relation);
  // Temporary tables live for a session; partitions get the partitioned table's primary key.
  if (!table || relation?.relpersistence === "t" || node.partbound) return;
  const elements = asList(node.tableElts).map(unwrap);
  const declared = elements.some(
    (element) =>
      (element?.type === "Constraint" && element.value.contype === "CONSTR_PRIMARY") ||
      (element?.type === "ColumnDef" && hasPrimaryKey(element.value)) ||
      (element?.type === "TableLikeClause" && ((element.value.options as number | undefined) ?? 0) & LIKE_INCLUDING_INDEXES),
  );
  if (declared || addedOrDroppedLater(statement, context, table)) return;

  const name = displayName(table);
  const columns = elements.filter((element) => element?.type === "ColumnDef").map((element) => element!.value.colname);
  const hasId = columns.includes("id");
  const partitionKey = asList((node.partspec as AstNode | undefined)?.partParams).map((param) => unwrap(param)?.value.name);
  const notes: string[] = [];
  if (elements.some((element) => element?.type === "TableLikeClause")) notes.push("LIKE copies the primary key only with INCLUDING INDEXES or INCLUDING ALL");
  if (asList(node.inhRelations).length > 0) notes.push("a primary key is not inherited from an INHERITS parent");
  const note = notes.length > 0 ? ` (${notes.join("; ")})` : "";

  let help: string;
  if (node.partspec) {
    const keyColumns = partitionKey.every((column): column is string => typeof column === "string") ? partitionKey.map((column) => displayName({ name: column })) : undefined;
    help = keyColumns
      ? `Declare a primary key that includes the partition key, which PostgreSQL requires of a partitioned table: ALTER TABLE ${name} ADD PRIMARY KEY (${hasId ? "id" : "…"}, ${keyColumns.join(", ")}); ` +
        `or PRIMARY KEY (${hasId ? "id" : "…"}, ${keyColumns.join(", ")}) in the CREATE TABLE itself; every partition gets it.`
      : `A partitioned table's primary key must include its partition key columns, and an expression in the partition key cannot be part of one: partition by plain columns and declare PRIMARY KEY (…, partition key columns).`;
  } else if (hasId) {
    help = `Declare the primary key in the CREATE TABLE (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, or PRIMARY KEY (…) on the columns that identify a row), or right after it while ${name} is empty: ALTER TABLE ${name} ADD PRIMARY KEY (id);`;
  } else {
    help =
      `Declare one in the CREATE TABLE: a surrogate key such as id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, or PRIMARY KEY (…) on the columns that identify a row. ` +
      `Or add it right after, while ${name} is empty: ALTER TABLE ${name} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;`;
  }
  report(context, statement, relation, name, `CREATE TABLE ${name} declares no primary key${note}, and no later statement of this file adds one.`, help, node.partspec !== undefined);
}

function checkCreateTableAs(statement: Statement, context: RuleContext, into: unknown): void {
  const relation = (into as { rel?: RangeVar } | undefined)?.rel;
  const table = relationName(relation);
  if (!table || relation?.relpersistence === "t" || addedOrDroppedLater(statement, context, table)) return;
  const name = displayName(table);
  const how = statement.kind === "SelectStmt" ? "SELECT … INTO" : "CREATE TABLE … AS";
  report(
    context,
    statement,
    statement.kind === "SelectStmt" ? undefined : relation,
    name,
    `${how} creates ${name} without a primary key (it cannot declare one), and no later statement of this file adds one.`,
    `Add one right after, in the same migration: ALTER TABLE ${name} ADD PRIMARY KEY (…); on the columns that identify a row, ` +
      `or ALTER TABLE ${name} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY; ` +
      `Or create the table with its key first (CREATE TABLE ${name} (… PRIMARY KEY …)) and fill it with INSERT INTO ${name} SELECT …`,
  );
}

function report(context: RuleContext, statement: Statement, relation: RangeVar | undefined, name: string, what: string, help: string, partitioned = false): void {
  const range = headRange(statement, relation);
  const concurrently = partitioned ? "unless its index is first built CONCURRENTLY on each partition and attached" : "unless the index is first built CONCURRENTLY";
  context.report({
    ...(range ? { range } : {}),
    message:
      `${what} Rows that are exact duplicates cannot be told apart, so one of them cannot be updated or deleted alone (ORMs need a key to do it), ` +
      `and as soon as ${name} is in a publication that replicates UPDATE and DELETE (FOR ALL TABLES included), every UPDATE and DELETE on it fails on the primary ` +
      `("does not have a replica identity") until it gets a key or REPLICA IDENTITY FULL. ` +
      `Adding the key once ${name} is large holds ${describeLock("ACCESS EXCLUSIVE")}, while the unique index is built and every row checked for NULLs, ${concurrently}.`,
    help,
  });
}

function hasPrimaryKey(column: AstNode): boolean {
  return asList(column.constraints).some((constraint) => unwrap(constraint)?.value.contype === "CONSTR_PRIMARY");
}

/**
 * A later statement of the file (top level or in a DO block) that adds a primary key to the
 * table (ADD PRIMARY KEY, ADD CONSTRAINT … PRIMARY KEY, ADD COLUMN … PRIMARY KEY) or drops it:
 * a table dropped in the same migration is a scratch table.
 */
function addedOrDroppedLater(statement: Statement, context: RuleContext, table: QualifiedName): boolean {
  const top = statement.parent ?? statement;
  const later = [
    ...context.parsed.statements.slice(top.index + 1),
    ...context.parsed.doBlockStatements.filter((inner) => inner.range.start > statement.range.start),
  ];
  return later.some((other) => {
    if (other.kind === "DropStmt" && other.node.removeType === "OBJECT_TABLE") return asList(other.node.objects).some((object) => sameTable(dropped(object), table));
    if (other.kind !== "AlterTableStmt" || !sameTable(relationName(other.node.relation), table)) return false;
    return alterTableCommands(other).some((command) => {
      const def = unwrap(command.node.def);
      if (command.subtype === "AT_AddConstraint") return def?.type === "Constraint" && def.value.contype === "CONSTR_PRIMARY";
      return command.subtype === "AT_AddColumn" && def?.type === "ColumnDef" && hasPrimaryKey(def.value);
    });
  });
}

function dropped(object: unknown): QualifiedName | undefined {
  const names = asList(unwrap(object)?.value.items).map(stringOf);
  const name = names[names.length - 1];
  if (name === undefined) return undefined;
  const schema = names.length > 1 ? names[names.length - 2] : undefined;
  return schema === undefined ? { name } : { schema, name };
}

function sameTable(a: QualifiedName | undefined, b: QualifiedName): boolean {
  return a !== undefined && a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
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
