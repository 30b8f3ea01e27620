/**
 * Typed access to libpg-query's AST, with the published types of its node shapes (@pgsql/types,
 * pinned to the version libpg-query 18.1.5 resolves). test/parser/ast-types.test.ts checks those
 * types against what the parser returns on the real-world corpus. What they do not say:
 *
 * - Absent means default. libpg-query leaves out `false`, `0`, NULL and empty lists, so every
 *   property is optional: `stmt.missing_ok` is `true | undefined`, `A_Const.ival` of `0` is `{}`.
 *   Enums are the exception: always written, as their C names (`"OBJECT_TABLE"`), even for the
 *   value 0 (`"DROP_RESTRICT"`).
 * - A NULL element of a list is `{}`, which `Node` does not allow (`SELECT DISTINCT`'s
 *   `distinctClause: [{}]`, `RangeFunction.functions`, `ObjectWithArgs.objargs` of `(NONE, int)`):
 *   `unwrap` gives `undefined` for it, `nodeAs` and `nodeKind` too.
 * - `FetchStmt.howMany` (declared `bigint`) is a JSON number.
 *
 * Narrowing: `unwrap(node)` gives a `{ type, value }` union discriminated on `type`, for a switch over
 * many kinds; `nodeAs(node, "ColumnDef")` gives one kind's value or `undefined`, the shortest for the
 * usual "is this an X, and what is in it" (it takes an absent optional property, too). TypeScript also
 * narrows the wrapped union itself: `if ("ColumnDef" in node) node.ColumnDef.colname`.
 */
import type { Node } from "@pgsql/types";

// The interfaces themselves (`DropStmt`, `ColumnDef`, ...) and enums (`ObjectType`, ...): import them from
// "@pgsql/types", a direct dependency. (No `export type *` here: it needs TypeScript 5 of whoever reads our .d.ts.)
export type { Node, RawStmt } from "@pgsql/types";

/** The key of every wrapped node, `{ Kind: {...} }`: "A_Const" | "AlterTableStmt" | "DropStmt" | ... */
export type NodeKind = Node extends infer Each ? (Each extends unknown ? keyof Each & string : never) : never;

/** Each kind's interface: `NodeMap["DropStmt"]` is `DropStmt`. */
export type NodeMap = { [Each in Node as keyof Each & string]: Each[keyof Each] };

/** The interface of kind K, what `{ K: ... }` wraps: `NodeOf<"DropStmt">` is `DropStmt`. */
export type NodeOf<K extends NodeKind> = NodeMap[K];

/** A node without its wrapper, discriminated on `type`: `{ type: "DropStmt"; value: DropStmt } | ...` */
export type Unwrapped = { [K in NodeKind]: { type: K; value: NodeOf<K> } }[NodeKind];

/** A wrapped node's kind; `undefined` for a NULL list element, `{}`. */
export function nodeKind(node: Node): NodeKind | undefined {
  for (const key in node) return key as NodeKind;
  return undefined;
}

/**
 * `{ DropStmt: {...} }` as `{ type: "DropStmt", value: {...} }`; `undefined` for a NULL list element, `{}`.
 *
 *     const u = unwrap(node);
 *     if (u?.type === "ColumnDef") u.value.colname; // string | undefined
 */
export function unwrap(node: Node): Unwrapped | undefined {
  const type = nodeKind(node);
  if (type === undefined) return undefined;
  return { type, value: (node as Record<NodeKind, unknown>)[type] } as Unwrapped;
}

/** The value of `node` when it is of kind K, else `undefined`: `nodeAs(cmd.def, "ColumnDef")?.colname`. */
export function nodeAs<K extends NodeKind>(node: Node | undefined, kind: K): NodeOf<K> | undefined {
  return node !== undefined && kind in node ? (node as Record<K, NodeOf<K>>)[kind] : undefined;
}
