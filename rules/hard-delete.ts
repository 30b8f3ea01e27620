import { displayName, relationName, type QualifiedName } from "../src/parser/ast.js";
import { defineRule, visitEach, type RuleContext } from "../src/engine/rule.js";
import type { Statement } from "../src/parser/types.js";
import { KINDS_WITH_CLAUSE, modifyingStatements } from "../src/parser/modifying-statements.js";
import { helpLine, messageLine, suffixed } from "../src/engine/wording.js";
import { copiedElsewhere } from "../src/engine/copied-rows.js";

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
      if (isBookkeeping(name) || copiedElsewhere(statement, node, name, context)) continue;
      if (refilledAfter(statement, name, context)) continue;
      const table = displayName(name);
      const copy = displayName(suffixed(name, "_deleted"));
      context.report({
        range,
        message: messageLine(
          `DELETE FROM ${table} removes the matching rows for good; only a backup brings them back`,
          `DELETE FROM ${table} removes the matching rows for good`,
          `DELETE FROM ${table} removes rows for good`,
        ),
        help: helpLine(
          `Soft delete instead (UPDATE ${table} SET deleted_at = now() WHERE …), or copy the rows first: CREATE TABLE ${copy} AS SELECT * FROM ${table} WHERE …`,
          `Soft delete instead (UPDATE ${table} SET deleted_at = now() WHERE …), or copy the rows to ${copy} first`,
          `Soft delete instead (UPDATE … SET deleted_at = now() WHERE …), or copy the rows to another table first`,
        ),
        explanation:
          `DELETE FROM ${table} removes the matching rows for good: once committed, only a backup brings them back. ` +
          `It takes a ROW EXCLUSIVE lock on ${table} and a row lock on each deleted row until commit, so concurrent writes to those rows wait; ` +
          "nothing is rewritten (the rows become dead tuples for VACUUM), and code that still looks those rows up stops finding them. " +
          `A soft delete needs a column (ALTER TABLE ${table} ADD COLUMN deleted_at timestamptz) and queries filtering on deleted_at IS NULL.`,
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
