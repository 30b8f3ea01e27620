import { asList, listName, relationName, unwrap, type QualifiedName } from "../parser/ast.js";
import type { Statement } from "../parser/types.js";

export type ObjectKind = "table" | "column" | "index" | "schema" | "sequence" | "view" | "materialized-view" | "type" | "function" | "extension" | "database";

export interface CreatedObject {
  kind: ObjectKind;
  /** The name as the parser gives it (unquoted identifiers folded to lower case); for columns, `table.column`. */
  name: string;
  /** The schema written in the statement, if any. */
  schema?: string;
}

/** Objects a statement creates: what a later statement (or the rollback) may safely drop. */
export function createdObjects(statement: Statement): CreatedObject[] {
  const node = statement.node;
  switch (statement.kind) {
    case "CreateStmt":
      return table(relationName(node.relation));
    case "CreateTableAsStmt": {
      const into = node.into as { rel?: unknown } | undefined;
      const kind = node.objtype === "OBJECT_MATVIEW" ? "materialized-view" : "table";
      return named(kind, relationName(into?.rel));
    }
    case "ViewStmt":
      return named("view", relationName(node.view));
    case "IndexStmt":
      return typeof node.idxname === "string" ? [{ kind: "index", name: node.idxname }] : [];
    case "CreateSchemaStmt":
      return typeof node.schemaname === "string" ? [{ kind: "schema", name: node.schemaname }] : [];
    case "CreateSeqStmt":
      return named("sequence", relationName(node.sequence));
    case "CreateEnumStmt":
    case "CreateRangeStmt":
      return named("type", listName({ List: { items: node.typeName } }));
    case "CreateDomainStmt":
      return named("type", listName({ List: { items: node.domainname } }));
    case "CompositeTypeStmt":
      return named("type", relationName(node.typevar));
    case "CreateFunctionStmt":
      return named("function", listName({ List: { items: node.funcname } }));
    case "CreateExtensionStmt":
      return typeof node.extname === "string" ? [{ kind: "extension", name: node.extname }] : [];
    case "CreatedbStmt":
      return typeof node.dbname === "string" ? [{ kind: "database", name: node.dbname }] : [];
    case "AlterTableStmt":
      return addedColumns(statement);
    default:
      return [];
  }
}

function table(name: QualifiedName | undefined): CreatedObject[] {
  return named("table", name);
}

function named(kind: ObjectKind, name: QualifiedName | undefined): CreatedObject[] {
  return name ? [{ kind, ...name }] : [];
}

function addedColumns(statement: Statement): CreatedObject[] {
  const relation = relationName(statement.node.relation);
  if (!relation) return [];
  const found: CreatedObject[] = [];
  // Read the commands from the AST alone: their source ranges would cost a lexer pass.
  for (const command of asList(statement.node.cmds).map((cmd) => unwrap(cmd)?.value)) {
    if (command?.subtype !== "AT_AddColumn") continue;
    const column = unwrap(command.def);
    const colname = column?.type === "ColumnDef" ? (column.value.colname as string | undefined) : undefined;
    if (colname) found.push({ kind: "column", name: `${relation.name}.${colname}`, ...(relation.schema ? { schema: relation.schema } : {}) });
  }
  return found;
}

const UNSCHEMAED: ReadonlySet<ObjectKind> = new Set(["schema", "extension", "database"]);

/**
 * A key naming one object. An unqualified name is taken to be in `public`, where the
 * default search_path puts it: `users` and `public.users` are one table, `audit.users` another.
 */
export function objectKey(kind: ObjectKind, name: QualifiedName | string): string {
  const qualified = typeof name === "string" ? { name } : name;
  if (UNSCHEMAED.has(kind)) return `${kind}:${qualified.name}`;
  return `${kind}:${qualified.schema ?? "public"}.${qualified.name}`;
}
