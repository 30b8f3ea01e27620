/**
 * Which schema a name without one means: the first schema of the search_path in effect,
 * `public` unless the file sets another (`SET search_path TO app, public`). One rule for every
 * question of "is this the same relation?".
 */
import type { QualifiedName } from "../parser/ast.js";
import type { Statement } from "../parser/types.js";
import type { RunOrder } from "./run-order.js";
import { Session } from "./session.js";

export interface ResolvedName {
  schema: string;
  name: string;
}

const DEFAULT_SCHEMA = "public";

export class Names {
  constructor(
    order: RunOrder,
    onFault: (statement: Statement, error: unknown) => void = () => undefined,
    private readonly session: Session = new Session(order, onFault),
  ) {}

  /** The schema a name without one resolves to when this statement runs. */
  schemaAt(statement: Statement): string {
    const path = this.session.settingAt(statement, "search_path");
    return path === undefined ? DEFAULT_SCHEMA : firstSchema(path.split(",").map(identifierOf));
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

/** One entry of a search_path as PostgreSQL reads it: quoted as written, otherwise folded to lower case. */
function identifierOf(part: string): string {
  const trimmed = part.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2 ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed.toLowerCase();
}

/**
 * The first schema of a search_path. `"$user"` is skipped, as PostgreSQL skips it when no schema has the user's name;
 * an empty path leaves names to be qualified, and resolves to `public` here.
 */
function firstSchema(schemas: readonly (string | undefined)[]): string {
  for (const schema of schemas) {
    if (schema !== undefined && schema !== "" && schema !== "$user" && schema !== "pg_temp" && schema !== "pg_catalog") return schema;
  }
  return DEFAULT_SCHEMA;
}
