/** Rows a DELETE removes that the migration keeps elsewhere: no data is lost (hard-delete, delete-without-where). */
import type { DeleteStmt, Node, SelectStmt } from "@pgsql/types";
import { relationName, type QualifiedName } from "../parser/ast.js";
import { nodeAs } from "../parser/node-types.js";
import type { Statement } from "../parser/types.js";
import type { RuleContext } from "./rule.js";

/**
 * True when the rows `deleted` removes from `table` are kept in another table: moved by the statement itself, or
 * copied by an earlier statement of the same section.
 */
export function copiedElsewhere(statement: Statement, deleted: DeleteStmt, table: QualifiedName, context: RuleContext): boolean {
  return movedByTheStatement(statement, deleted, table, context) || copiedBefore(statement, deleted, table, context);
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
