import type { DeleteStmt, Node, SelectStmt } from "@pgsql/types";
import { displayName, relationName, type QualifiedName } from "../src/parser/ast.js";
import { nodeAs } from "../src/parser/node-types.js";
import { defineRule, visitEach, type RuleContext } from "../src/engine/rule.js";
import type { Statement } from "../src/parser/types.js";
import { KINDS_WITH_CLAUSE, modifyingStatements } from "../src/parser/modifying-statements.js";
import { suffixed } from "../src/engine/wording.js";

export default defineRule({
  meta: {
    id: "hard-delete",
    // The migration guide: "NEVER delete data directly - use soft deletes", among its dangerous operations.
    severity: "dangerous",
    description: "DELETE ... WHERE removes rows for good; a soft delete can be undone.",
    category: "data-loss",
    checksDoBlocks: true,
  },
  // A DELETE can also run in the WITH clause of another statement.
  visit: visitEach(KINDS_WITH_CLAUSE, (statement, context) => {
    for (const { node, range } of modifyingStatements(statement, "DeleteStmt")) {
      if (!node.whereClause) continue;
      const name = relationName(node.relation);
      // A rollback deletes the rows of the feature it removes.
      if (!name || context.facts.sections.isRollback(statement) || context.facts.history.isNew(statement, "table", name)) continue;
      // The runner's own bookkeeping, and rows the migration has just copied elsewhere or puts back: no data is lost.
      if (isBookkeeping(name) || movedByTheStatement(statement, node, name, context) || copiedBefore(statement, node, name, context)) continue;
      if (refilledAfter(statement, name, context)) continue;
      const table = displayName(name);
      context.report({
        range,
        message:
          `DELETE FROM ${table} removes the matching rows for good: once committed, only a backup brings them back. ` +
          `It takes a ROW EXCLUSIVE lock on ${table} and a row lock on each deleted row until commit, so concurrent writes to those rows wait; ` +
          "nothing is rewritten (the rows become dead tuples for VACUUM), and code that still looks those rows up stops finding them.",
        help:
          `Soft delete instead, so the data can be restored: UPDATE ${table} SET deleted_at = now() WHERE <same condition>; ` +
          `(after ALTER TABLE ${table} ADD COLUMN deleted_at timestamptz, with queries filtering on deleted_at IS NULL), ` +
          `or keep a copy first: CREATE TABLE ${displayName(suffixed(name, "_deleted"))} AS SELECT * FROM ${table} WHERE <same condition>;`,
      });
    }
  }),
});

/**
 * A later statement of the same transaction inserts into the table again (`DELETE FROM models WHERE id = …` then
 * `INSERT INTO models …`): the migration replaces the rows, and no session sees them missing.
 */
function refilledAfter(statement: Statement, table: QualifiedName, context: RuleContext): boolean {
  const { transactions, names } = context.facts;
  return transactions.laterInSameTransaction(statement).some((later) => names.sameRelation(insertTarget(later), later, table, statement));
}

function insertTarget(statement: Statement): QualifiedName | undefined {
  if (statement.kind === "InsertStmt" || (statement.kind === "CopyStmt" && statement.node.is_from)) return relationName(statement.node.relation);
  return undefined;
}

/**
 * Tables where migration runners and background-migration frameworks keep their own bookkeeping: a DELETE there
 * removes a record of a migration (to run it again, or because its script is gone), not user data.
 */
const BOOKKEEPING_TABLES = new Set([
  "schema_migrations", "schema_version", "__diesel_schema_migrations", "_prisma_migrations", "__drizzle_migrations", "knex_migrations",
  "knex_migrations_lock", "sequelizemeta", "flyway_schema_history", "goose_db_version", "gorp_migrations", "pgmigrations",
  "mikro_orm_migrations", "kysely_migration", "kysely_migration_lock", "migrations", "typeorm_metadata", "seaql_migrations",
  "refinery_schema_history", "ar_internal_metadata", "alembic_version", "django_migrations", "__efmigrationshistory",
  "databasechangelog", "databasechangeloglock", "background_updates", "background_migrations", "batched_background_migrations",
]);

function isBookkeeping(table: QualifiedName): boolean {
  return BOOKKEEPING_TABLES.has(table.name.toLowerCase());
}

/** `WITH gone AS (DELETE … RETURNING *) INSERT INTO archive SELECT … FROM gone`: the rows move to another table. */
function movedByTheStatement(statement: Statement, deleted: DeleteStmt, table: QualifiedName, context: RuleContext): boolean {
  if (statement.kind !== "InsertStmt" || !returnsWholeRows(deleted)) return false;
  const cte = (statement.node.withClause?.ctes ?? []).map((node) => nodeAs(node, "CommonTableExpr")).find((expression) => nodeAs(expression?.ctequery, "DeleteStmt") === deleted);
  const into = relationName(statement.node.relation);
  const source = nodeAs(statement.node.selectStmt, "SelectStmt");
  const reads = (source?.fromClause ?? []).some((item) => {
    const range = nodeAs(item, "RangeVar");
    return range !== undefined && range.schemaname === undefined && range.relname === cte?.ctename;
  });
  return cte !== undefined && reads && into !== undefined && !context.facts.names.sameRelation(into, statement, table);
}

function returnsWholeRows(deleted: DeleteStmt): boolean {
  const returned = deleted.returningClause?.exprs ?? [];
  const fields = nodeAs(nodeAs(returned[0], "ResTarget")?.val, "ColumnRef")?.fields ?? [];
  return returned.length === 1 && fields.length > 0 && nodeAs(fields[fields.length - 1], "A_Star") !== undefined;
}

/**
 * An earlier statement of the same migration copied the rows to another table: `INSERT INTO archive SELECT … FROM t`,
 * `CREATE TABLE t_deleted AS SELECT … FROM t` or `SELECT … INTO`, reading t alone, with no WHERE or the DELETE's own.
 */
function copiedBefore(statement: Statement, deleted: DeleteStmt, table: QualifiedName, context: RuleContext): boolean {
  const { order, names, sections } = context.facts;
  return order.before(statement).some((earlier) => {
    if (sections.sectionOf(earlier) !== sections.sectionOf(statement)) return false;
    const copy = copyOf(earlier);
    if (!copy || names.sameRelation(copy.into, earlier, table, statement)) return false;
    const from = copy.select.fromClause ?? [];
    const source = from.length === 1 ? nodeAs(from[0], "RangeVar") : undefined;
    const sourceName = source ? relationName(source) : undefined;
    if (!sourceName || !names.sameRelation(sourceName, earlier, table, statement)) return false;
    return copy.select.whereClause === undefined || sameExpression(copy.select.whereClause, deleted.whereClause);
  });
}

/** The query and the target of a statement that copies rows into a table. */
function copyOf(statement: Statement): { select: SelectStmt; into: QualifiedName } | undefined {
  const target =
    statement.kind === "InsertStmt"
      ? { query: statement.node.selectStmt, into: relationName(statement.node.relation) }
      : statement.kind === "CreateTableAsStmt" && statement.node.objtype === "OBJECT_TABLE"
        ? { query: statement.node.query, into: relationName(statement.node.into?.rel) }
        : statement.kind === "SelectStmt" && statement.node.intoClause
          ? { query: { SelectStmt: statement.node }, into: relationName(statement.node.intoClause.rel) }
          : undefined;
  const select = nodeAs(target?.query, "SelectStmt");
  return select && target?.into ? { select, into: target.into } : undefined;
}

/** The same expression as written, wherever it is written. */
function sameExpression(a: Node | undefined, b: Node | undefined): boolean {
  const withoutPositions = (node: Node | undefined) => JSON.stringify(node, (key, value: unknown) => (key === "location" ? undefined : value));
  return withoutPositions(a) === withoutPositions(b);
}
