/**
 * src/parser/node-types.ts: the types are checked by `tsc -p tsconfig.test.json` (expectTypeOf and
 * the @ts-expect-error lines), the functions by vitest on parsed statements.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { parseSql } from "../../src/parser/pg.js";
import type { AlterTableCmd, ColumnDef, DropStmt, ObjectType } from "@pgsql/types";
import { nodeAs, nodeKind, unwrap, type Node, type NodeKind, type NodeOf, type RawStmt, type Unwrapped } from "../../src/parser/node-types.js";

/** The statement nodes of `sql`, typed. */
function statements(sql: string): Node[] {
  const parsed = parseSql(sql);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return (parsed.statements as RawStmt[]).map((raw) => raw.stmt!);
}

describe("node-types: the types", () => {
  it("NodeKind is the union of the wrapped nodes' keys; NodeOf<K> their interface", () => {
    expectTypeOf<"DropStmt">().toExtend<NodeKind>();
    expectTypeOf<"AlterTableStmt" | "A_Const" | "String" | "RawStmt">().toExtend<NodeKind>();
    expectTypeOf<"NotANode">().not.toExtend<NodeKind>();
    expectTypeOf<NodeOf<"DropStmt">>().toEqualTypeOf<DropStmt>();
    expectTypeOf<NodeOf<"ColumnDef">>().toEqualTypeOf<ColumnDef>();
    // @ts-expect-error -- not a kind
    expectTypeOf<NodeOf<"NotANode">>().toBeNever();
  });

  it("unwrap's result narrows on type", () => {
    const narrow = (node: Node) => {
      const unwrapped = unwrap(node);
      // @ts-expect-error -- not every kind has colname
      void unwrapped?.value.colname;
      if (unwrapped?.type === "ColumnDef") {
        expectTypeOf(unwrapped.value).toEqualTypeOf<ColumnDef>();
        expectTypeOf(unwrapped.value.colname).toEqualTypeOf<string | undefined>();
      }
      switch (unwrapped?.type) {
        case "AlterTableCmd":
          expectTypeOf(unwrapped.value).toEqualTypeOf<AlterTableCmd>();
          break;
        case "DropStmt":
          expectTypeOf(unwrapped.value.removeType).toEqualTypeOf<ObjectType | undefined>();
          break;
      }
    };
    expect(narrow).toBeTypeOf("function");
    // Destructured, too (TypeScript narrows a destructured discriminated union declared with const).
    const destructured = (node: Node) => {
      const { type, value } = unwrap(node)!;
      if (type === "ColumnDef") expectTypeOf(value.colname).toEqualTypeOf<string | undefined>();
    };
    expect(destructured).toBeTypeOf("function");
    expectTypeOf(unwrap).returns.toEqualTypeOf<Unwrapped | undefined>();
  });

  it("enums are string-literal unions: comparisons narrow, and a misspelt value does not compile", () => {
    const check = (drop: DropStmt) => {
      if (drop.removeType === "OBJECT_TABLE") expectTypeOf(drop.removeType).toEqualTypeOf<"OBJECT_TABLE">();
      // @ts-expect-error -- "OBJECT_TABLES" is not an ObjectType
      return drop.removeType === "OBJECT_TABLES";
    };
    expect(check).toBeTypeOf("function");
  });

  it("nodeAs gives one kind's value or undefined; the `in` operator narrows the wrapped union as well", () => {
    expectTypeOf(nodeAs<"ColumnDef">).returns.toEqualTypeOf<ColumnDef | undefined>();
    const viaIn = (node: Node) => {
      if ("ColumnDef" in node) expectTypeOf(node.ColumnDef.colname).toEqualTypeOf<string | undefined>();
    };
    expect(viaIn).toBeTypeOf("function");
  });
});

describe("node-types: the functions, on parsed statements", () => {
  it("unwrap and nodeKind", () => {
    const [drop, alter] = statements("DROP TABLE t; ALTER TABLE t ADD COLUMN c int");
    expect(nodeKind(drop!)).toBe("DropStmt");
    const unwrapped = unwrap(drop!);
    expect(unwrapped?.type).toBe("DropStmt");
    if (unwrapped?.type !== "DropStmt") throw new Error("not a DropStmt");
    expect(unwrapped.value.removeType).toBe("OBJECT_TABLE");
    expect(unwrapped.value.missing_ok).toBeUndefined();

    const cmd = nodeAs(nodeAs(alter, "AlterTableStmt")?.cmds?.[0], "AlterTableCmd");
    expect(cmd?.subtype).toBe("AT_AddColumn");
    expect(nodeAs(cmd?.def, "ColumnDef")?.colname).toBe("c");
    expect(nodeAs(cmd?.def, "Constraint")).toBeUndefined();
    expect(nodeAs(undefined, "ColumnDef")).toBeUndefined();
  });

  it("a NULL list element, {}, has no kind: undefined from unwrap, nodeKind and nodeAs", () => {
    const [select] = statements("SELECT DISTINCT a FROM t");
    const element = nodeAs(select, "SelectStmt")?.distinctClause?.[0];
    expect(element).toEqual({});
    expect(nodeKind(element!)).toBeUndefined();
    expect(unwrap(element!)).toBeUndefined();
    expect(nodeAs(element, "ColumnRef")).toBeUndefined();
  });
});
