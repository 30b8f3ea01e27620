/**
 * Which schema a name without one means: the first schema of the search_path in effect,
 * `public` unless the file sets another (`SET search_path TO app, public`). One rule for every
 * question of "is this the same relation?".
 */
import { asList, stringOf, unwrap, walk, type QualifiedName } from "../parser/ast.js";
import type { Statement } from "../parser/types.js";
import type { RunOrder } from "./run-order.js";

export interface ResolvedName {
  schema: string;
  name: string;
}

const DEFAULT_SCHEMA = "public";

export class Names {
  /** Run positions where the file changes search_path, with the schema it then puts first. */
  readonly #changes: { at: number; schema: string }[] = [];

  constructor(
    private readonly order: RunOrder,
    onFault: (statement: Statement, error: unknown) => void = () => undefined,
  ) {
    for (const statement of order.statements) {
      try {
        const schema = searchPathSetBy(statement);
        if (schema !== undefined) this.#changes.push({ at: order.positionOf(statement), schema });
      } catch (error) {
        onFault(statement, error);
      }
    }
  }

  /** The schema a name without one resolves to when this statement runs. */
  schemaAt(statement: Statement): string {
    if (this.#changes.length === 0) return DEFAULT_SCHEMA;
    const at = this.order.positionOf(statement);
    let schema = DEFAULT_SCHEMA;
    for (const change of this.#changes) if (change.at < at) schema = change.schema;
    return schema;
  }

  resolve(name: QualifiedName, at: Statement): ResolvedName {
    return { schema: name.schema ?? this.schemaAt(at), name: name.name };
  }

  /** True when `a` as written in statement `atA` and `b` as written in `atB` name the same object. */
  sameRelation(a: QualifiedName | undefined, atA: Statement, b: QualifiedName | undefined, atB: Statement = atA): boolean {
    if (!a || !b || a.name !== b.name) return false;
    return (a.schema ?? this.schemaAt(atA)) === (b.schema ?? this.schemaAt(atB));
  }
}

/**
 * The schema a statement puts first in search_path: `SET [LOCAL] search_path …`, `RESET search_path`,
 * or `SELECT set_config('search_path', …)` (as pg_dump writes it). `"$user"` is skipped, as PostgreSQL
 * skips it when no schema has the user's name; an empty path leaves names to be qualified, and resolves to `public` here.
 */
function searchPathSetBy(statement: Statement): string | undefined {
  if (statement.kind === "VariableSetStmt") {
    if (statement.node.name?.toLowerCase() !== "search_path") return undefined;
    if (statement.node.kind !== "VAR_SET_VALUE") return DEFAULT_SCHEMA;
    // The grammar already folds and unquotes these identifiers.
    return firstSchema(asList(statement.node.args).map((arg) => constantText(arg)));
  }
  if (statement.kind !== "SelectStmt") return undefined;
  let found: string | undefined;
  walk(statement.node, (type, value) => {
    if (type !== "FuncCall") return;
    const names = asList(value.funcname).map(stringOf);
    if (names[names.length - 1] !== "set_config") return;
    const [setting, path] = asList(value.args).map((arg) => constantText(arg));
    if (setting?.toLowerCase() === "search_path" && path !== undefined) found = firstSchema(path.split(",").map(identifierOf));
  });
  return found;
}

function constantText(node: unknown): string | undefined {
  const constant = unwrap(node);
  if (constant?.type !== "A_Const") return undefined;
  const sval = constant.value.sval as { sval?: string } | undefined;
  return sval ? (sval.sval ?? "") : undefined;
}

/** One entry of a search_path string as PostgreSQL reads it: quoted as written, otherwise folded to lower case. */
function identifierOf(part: string): string {
  const trimmed = part.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2 ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed.toLowerCase();
}

function firstSchema(schemas: readonly (string | undefined)[]): string {
  for (const schema of schemas) {
    if (schema !== undefined && schema !== "" && schema !== "$user" && schema !== "pg_temp" && schema !== "pg_catalog") return schema;
  }
  return DEFAULT_SCHEMA;
}
