/**
 * Do the published types of libpg-query's node shapes (@pgsql/types, read from its .d.ts files with
 * the TypeScript compiler API) describe what libpg-query actually returns? Every node of every
 * statement of the real-world corpus (../shared/corpus/sql), of the repo's fixtures, and of the SQL
 * inside their PL/pgSQL bodies is checked against its interface: each key must be declared, and each
 * value must fit its declared type. A mismatch not in KNOWN_MISMATCHES fails the test.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { parsePlpgsql, parseSql, type RawStatement } from "../../src/parser/pg.js";
import { parseSync } from "../../src/parser/pg-wasm.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpus = path.resolve(repoRoot, "../shared/corpus/sql");
const corpusFiles = fs.existsSync(corpus) ? fg.sync("**/*.sql", { cwd: corpus, absolute: true }).sort() : [];
const fixtureFiles = fg.sync("fixtures/**/*.sql", { cwd: repoRoot, absolute: true }).sort();

/**
 * Mismatches between @pgsql/types 18.0.0 and libpg-query 18.1.5's JSON that the corpus shows, each with
 * why it is so. Both are one fact: a NULL element of a PostgreSQL List is written `{}`, which `Node`
 * does not allow, so code reading a `Node[]` must expect `{}` (it also happens outside the corpus, e.g.
 * `ObjectWithArgs.objargs` of `DROP OPERATOR - (NONE, int)`).
 * Run with AST_TYPES_REPORT=1 to print what was found (counts, one file each) and what was covered.
 */
const KNOWN_MISMATCHES: Record<string, string> = {
  "SelectStmt.distinctClause[]: expected Node, got {}": "plain SELECT DISTINCT (no ON) is PostgreSQL's one-element list holding NULL, list_make1(NIL)",
  "List.items[]: expected Node, got {}":
    "FROM f(...) without a column definition list: RangeFunction.functions is a list of (call, coldeflist) pairs and the coldeflist is NULL",
};

// ---------------------------------------------------------------------------------------------------
// The declared types, read once from @pgsql/types' declaration files.

type Declared =
  | { kind: "string" | "number" | "boolean" | "bigint" | "Node" }
  | { kind: "enum"; name: string; values: ReadonlySet<string> }
  | { kind: "interface"; name: string }
  | { kind: "array"; element: Declared };

interface Property {
  type: Declared;
  /** The declared type as written in types.d.ts, e.g. `Node[]`. */
  text: string;
}

interface Declarations {
  interfaces: Map<string, Map<string, Property>>;
  enums: Map<string, ReadonlySet<string>>;
  /** The keys of the `Node` union: every wrapped node's kind. */
  nodeKinds: ReadonlySet<string>;
}

function readDeclarations(): Declarations {
  const typesDir = path.dirname(createRequire(import.meta.url).resolve("@pgsql/types/package.json"));
  const source = (file: string) => ts.createSourceFile(file, fs.readFileSync(path.join(typesDir, file), "utf8"), ts.ScriptTarget.Latest, true);
  const enumsFile = source("enums.d.ts");
  const typesFile = source("types.d.ts");

  const enums = new Map<string, ReadonlySet<string>>();
  for (const statement of enumsFile.statements) {
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    const members = ts.isUnionTypeNode(statement.type) ? statement.type.types : [statement.type];
    const values = members.map((member) => {
      if (!ts.isLiteralTypeNode(member) || !ts.isStringLiteral(member.literal)) throw new Error(`enums.d.ts: ${statement.name.text} is not a union of string literals`);
      return member.literal.text;
    });
    enums.set(statement.name.text, new Set(values));
  }

  const interfaceNames = new Set(typesFile.statements.filter(ts.isInterfaceDeclaration).map((declaration) => declaration.name.text));
  const declared = (type: ts.TypeNode): Declared => {
    switch (type.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { kind: "string" };
      case ts.SyntaxKind.NumberKeyword:
        return { kind: "number" };
      case ts.SyntaxKind.BooleanKeyword:
        return { kind: "boolean" };
      case ts.SyntaxKind.BigIntKeyword:
        return { kind: "bigint" };
    }
    if (ts.isArrayTypeNode(type)) return { kind: "array", element: declared(type.elementType) };
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && !type.typeArguments) {
      const name = type.typeName.text;
      if (name === "Node") return { kind: "Node" };
      const values = enums.get(name);
      if (values) return { kind: "enum", name, values };
      if (interfaceNames.has(name)) return { kind: "interface", name };
    }
    throw new Error(`types.d.ts: unexpected declared type ${type.getText()}`);
  };

  const interfaces = new Map<string, Map<string, Property>>();
  let nodeKinds: Set<string> | undefined;
  for (const statement of typesFile.statements) {
    if (ts.isInterfaceDeclaration(statement)) {
      const properties = new Map<string, Property>();
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !member.type || !ts.isIdentifier(member.name)) throw new Error(`types.d.ts: unexpected member ${member.getText()}`);
        properties.set(member.name.text, { type: declared(member.type), text: member.type.getText() });
      }
      interfaces.set(statement.name.text, properties);
    } else if (ts.isTypeAliasDeclaration(statement) && statement.name.text === "Node") {
      if (!ts.isUnionTypeNode(statement.type)) throw new Error("types.d.ts: Node is not a union");
      nodeKinds = new Set();
      for (const member of statement.type.types) {
        // Each member is `{ Kind: Kind }`.
        const property = ts.isTypeLiteralNode(member) && member.members.length === 1 ? member.members[0] : undefined;
        const signature = property && ts.isPropertySignature(property) && ts.isIdentifier(property.name) ? property : undefined;
        const kind = signature?.name.getText();
        if (!kind || signature?.type?.getText() !== kind || !interfaceNames.has(kind)) throw new Error(`types.d.ts: unexpected Node member ${member.getText()}`);
        nodeKinds.add(kind);
      }
    }
  }
  if (!nodeKinds) throw new Error("types.d.ts: no Node union");
  return { interfaces, enums, nodeKinds };
}

// ---------------------------------------------------------------------------------------------------
// The walk: every value checked against its declared type.

interface Found {
  count: number;
  example: string;
}

class Checker {
  readonly mismatches = new Map<string, Found>();
  /** Wrapped nodes seen, by kind. */
  readonly kindsSeen = new Map<string, number>();
  /** Interfaces checked at least once, wrapped or not. */
  readonly interfacesSeen = new Set<string>();
  /** `Interface.property` of every property present at least once. */
  readonly propertiesSeen = new Set<string>();
  nodes = 0;
  file = "";

  constructor(private readonly declarations: Declarations) {}

  private report(where: string, expected: string, got: string): void {
    const key = `${where}: expected ${expected}, got ${got}`;
    const found = this.mismatches.get(key);
    if (found) found.count++;
    else this.mismatches.set(key, { count: 1, example: this.file });
  }

  /** A wrapped node, `{ Kind: {...} }`, in a place typed `Node`. */
  node(value: unknown, where: string): void {
    const keys = isObject(value) ? Object.keys(value) : [];
    const kind = keys[0];
    if (keys.length !== 1 || kind === undefined || !this.declarations.nodeKinds.has(kind)) {
      this.report(where, "Node", shapeOf(value, this.declarations));
      return;
    }
    this.kindsSeen.set(kind, (this.kindsSeen.get(kind) ?? 0) + 1);
    this.object((value as Record<string, unknown>)[kind], kind, `${kind} (wrapped)`);
  }

  /** An unwrapped object checked against interface `name`. */
  object(value: unknown, name: string, where: string): void {
    if (!isObject(value)) {
      this.report(where, name, shapeOf(value, this.declarations));
      return;
    }
    const properties = this.declarations.interfaces.get(name)!;
    const keys = Object.keys(value);
    if (keys.length === 1 && this.declarations.nodeKinds.has(keys[0]!) && !properties.has(keys[0]!)) {
      this.report(where, name, shapeOf(value, this.declarations));
      return;
    }
    this.nodes++;
    this.interfacesSeen.add(name);
    for (const [key, child] of Object.entries(value)) {
      const property = properties.get(key);
      const at = `${name}.${key}`;
      if (!property) {
        this.report(at, "(not declared)", shapeOf(child, this.declarations));
        continue;
      }
      this.propertiesSeen.add(at);
      this.value(child, property.type, property.text, at);
    }
  }

  private value(value: unknown, type: Declared, text: string, where: string): void {
    switch (type.kind) {
      case "string":
      case "number":
      case "boolean":
      case "bigint":
        if (typeof value !== type.kind) this.report(where, text, shapeOf(value, this.declarations));
        return;
      case "enum":
        if (typeof value !== "string" || !type.values.has(value)) this.report(where, text, shapeOf(value, this.declarations));
        return;
      case "Node":
        this.node(value, where);
        return;
      case "interface":
        this.object(value, type.name, where);
        return;
      case "array":
        if (!Array.isArray(value)) {
          this.report(where, text, shapeOf(value, this.declarations));
          return;
        }
        for (const element of value) this.value(element, type.element, text.replace(/\[\]$/, ""), `${where}[]`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a runtime value is, in the words of the mismatch list. */
function shapeOf(value: unknown, declarations: Declarations): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (!isObject(value)) return typeof value;
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  if (keys.length === 1 && declarations.nodeKinds.has(keys[0]!)) return `wrapped { ${keys[0]} }`;
  return `object { ${keys.join(", ")} }`;
}

// ---------------------------------------------------------------------------------------------------
// What is parsed: each file's statements, and the SQL of the PL/pgSQL bodies in it.

/** libpg-query's locations are byte offsets into the UTF-8 text. */
function statementText(bytes: Buffer, statement: RawStatement): string {
  const start = statement.stmt_location ?? 0;
  const end = statement.stmt_len ? start + statement.stmt_len : bytes.length;
  return bytes.subarray(start, end).toString("utf8");
}

/**
 * The SQL that PL/pgSQL hands to the main parser: whole statements (parseMode 0, RAW_PARSE_DEFAULT:
 * `UPDATE ...`, `FOR r IN SELECT ...`, `RETURN QUERY SELECT ...`) as they are, and expressions
 * (parseMode 2, RAW_PARSE_PLPGSQL_EXPR: `IF x > 0`, `RETURN x`) as `SELECT <expression>`, which is how
 * PostgreSQL parses them. Assignments (parseModes 3 to 5) are left out.
 */
function plpgsqlQueries(tree: unknown, into: string[]): void {
  if (Array.isArray(tree)) {
    for (const item of tree) plpgsqlQueries(item, into);
    return;
  }
  if (!isObject(tree)) return;
  const expr = tree.PLpgSQL_expr;
  if (isObject(expr) && typeof expr.query === "string") {
    const mode = expr.parseMode ?? 0;
    if (mode === 0) into.push(expr.query);
    else if (mode === 2) into.push(`SELECT ${expr.query}`);
  }
  for (const value of Object.values(tree)) if (typeof value === "object" && value !== null) plpgsqlQueries(value, into);
}

/**
 * A DO statement or CREATE FUNCTION with a PL/pgSQL body given as a string. (libpg-query's PL/pgSQL
 * parser aborts on a CREATE FUNCTION without one, such as a SQL-standard `BEGIN ATOMIC` body.)
 */
function hasPlpgsqlBody(statement: RawStatement): boolean {
  const node = statement.stmt;
  const holder = (node?.DoStmt ?? node?.CreateFunctionStmt) as { args?: unknown[]; options?: unknown[] } | undefined;
  if (!holder) return false;
  let language = node?.DoStmt ? "plpgsql" : undefined;
  let body = false;
  for (const option of holder.args ?? holder.options ?? []) {
    const def = (option as { DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }).DefElem;
    if (def?.defname === "language") language = def.arg?.String?.sval?.toLowerCase();
    if (def?.defname === "as") body = true;
  }
  return language === "plpgsql" && body;
}

interface Run {
  checker: Checker;
  files: number;
  /** Files with no text at all (kratos has many empty down migrations). */
  empty: number;
  unparsed: string[];
  statements: number;
  plpgsqlBodies: number;
  plpgsqlStatements: number;
  milliseconds: number;
  /** Of which parsing. */
  parseMilliseconds: number;
}

function timed<T>(run: Run, parse: () => T): T {
  const started = performance.now();
  const result = parse();
  run.parseMilliseconds += performance.now() - started;
  return result;
}

function checkFiles(files: readonly { file: string; label: string }[], declarations: Declarations): Run {
  const started = performance.now();
  const checker = new Checker(declarations);
  const run: Run = { checker, files: 0, empty: 0, unparsed: [], statements: 0, plpgsqlBodies: 0, plpgsqlStatements: 0, milliseconds: 0, parseMilliseconds: 0 };
  for (const { file, label } of files) {
    checker.file = label;
    const text = fs.readFileSync(file, "utf8");
    if (text === "") {
      run.empty++;
      continue;
    }
    const parsed = timed(run, () => parseSql(text));
    if (!parsed.ok) {
      run.unparsed.push(label);
      continue;
    }
    run.files++;
    const bytes = Buffer.from(text, "utf8");
    for (const statement of parsed.statements) {
      run.statements++;
      checker.object(statement, "RawStmt", "RawStmt");
      if (!hasPlpgsqlBody(statement)) continue;
      const plpgsql = timed(run, () => parsePlpgsql(statementText(bytes, statement)));
      if (!plpgsql.ok) continue;
      const queries: string[] = [];
      plpgsqlQueries(plpgsql.tree, queries);
      if (queries.length > 0) run.plpgsqlBodies++;
      checker.file = `${label} (PL/pgSQL body)`;
      for (const query of queries) {
        const inner = timed(run, () => parseSql(query));
        if (!inner.ok) continue;
        for (const innerStatement of inner.statements) {
          run.plpgsqlStatements++;
          checker.object(innerStatement, "RawStmt", "RawStmt");
        }
      }
      checker.file = label;
    }
  }
  run.milliseconds = performance.now() - started;
  return run;
}

function summary(run: Run, declarations: Declarations): string {
  const lines = [
    `${run.files} files parsed (${run.unparsed.length} not, ${run.empty} empty), ${run.statements} statements, ${run.plpgsqlStatements} more from ${run.plpgsqlBodies} PL/pgSQL bodies, ` +
      `${run.checker.nodes} objects checked in ${Math.round(run.milliseconds)} ms (${Math.round(run.parseMilliseconds)} ms of it parsing)`,
    `${run.checker.kindsSeen.size} of ${declarations.nodeKinds.size} node kinds seen wrapped, ${run.checker.interfacesSeen.size} of ${declarations.interfaces.size} interfaces checked, ${run.checker.propertiesSeen.size} declared properties seen`,
    `not parsed: ${run.unparsed.filter((label) => !label.startsWith("supabase-auth/")).join(", ") || "none"} but supabase-auth's templates`,
    ...[...run.checker.mismatches].map(([key, found]) => `${key}  ×${found.count}  e.g. ${found.example}`),
  ];
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------

describe("@pgsql/types describes libpg-query's JSON", () => {
  const declarations = readDeclarations();

  it("reads the declarations: every property type is a primitive, an enum, Node, an interface or an array of those", () => {
    expect(declarations.interfaces.size).toBeGreaterThan(250);
    expect(declarations.nodeKinds.size).toBeGreaterThan(250);
    expect(declarations.enums.get("ObjectType")?.has("OBJECT_TABLE")).toBe(true);
    expect(declarations.interfaces.get("RawStmt")?.get("stmt")?.text).toBe("Node");
    expect(declarations.interfaces.get("CreateStmt")?.get("relation")?.type).toEqual({ kind: "interface", name: "RangeVar" });
    expect(declarations.interfaces.get("DropStmt")?.get("objects")?.text).toBe("Node[]");
  });

  it("the checker finds what does not fit", () => {
    const checker = new Checker(declarations);
    checker.file = "synthetic";
    checker.object(
      {
        stmt: {
          DropStmt: {
            objects: [{ String: { sval: "t" } }, { sval: "t" }],
            removeType: "OBJECT_NOPE",
            behavior: "DROP_RESTRICT",
            missing_ok: "yes",
            extra: 1,
          },
        },
      },
      "RawStmt",
      "RawStmt",
    );
    checker.node({ CreateStmt: { relation: { RangeVar: { relname: "t" } } } }, "RawStmt.stmt");
    expect([...checker.mismatches.keys()]).toEqual([
      "DropStmt.objects[]: expected Node, got object { sval }",
      'DropStmt.removeType: expected ObjectType, got "OBJECT_NOPE"',
      'DropStmt.missing_ok: expected boolean, got "yes"',
      "DropStmt.extra: expected (not declared), got number",
      "CreateStmt.relation: expected RangeVar, got wrapped { RangeVar }",
    ]);
  });

  it.skipIf(corpusFiles.length === 0)("on every statement of the real-world corpus and the fixtures, and the SQL in their PL/pgSQL bodies", () => {
    const files = [
      ...corpusFiles.map((file) => ({ file, label: path.relative(corpus, file) })),
      ...fixtureFiles.map((file) => ({ file, label: path.relative(repoRoot, file) })),
    ];
    const run = checkFiles(files, declarations);
    if (process.env.AST_TYPES_REPORT) console.log(summary(run, declarations));

    // The walk did walk: the corpus parses, but for its empty files and the Go templates of supabase-auth.
    expect(run.files).toBeGreaterThan(1350);
    expect(run.unparsed.every((label) => label.startsWith("supabase-auth/") || label.startsWith("fixtures/"))).toBe(true);
    expect(run.checker.interfacesSeen.size).toBeGreaterThan(75);
    expect(run.plpgsqlStatements).toBeGreaterThan(500);

    const found = Object.fromEntries([...run.checker.mismatches].map(([key, { count, example }]) => [key, `×${count}, e.g. ${example}`]));
    const unexplained = Object.keys(found).filter((key) => !(key in KNOWN_MISMATCHES));
    const gone = Object.keys(KNOWN_MISMATCHES).filter((key) => !(key in found));
    expect(unexplained.map((key) => `${key} ${found[key]}`), "mismatches not in KNOWN_MISMATCHES").toEqual([]);
    expect(gone, "KNOWN_MISMATCHES no longer found: remove them").toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------

/** The one statement of `sql`, as libpg-query gives it. */
function only(sql: string): RawStatement {
  const parsed = parseSql(sql);
  if (!parsed.ok || parsed.statements.length !== 1) throw new Error(`not one statement: ${sql}`);
  return parsed.statements[0]!;
}

/** The expressions of `SELECT <list>`, unwrapped from their ResTargets. */
function selected(list: string): unknown[] {
  const select = only(`SELECT ${list}`).stmt!.SelectStmt as { targetList: { ResTarget: { val: unknown } }[] };
  return select.targetList.map((target) => target.ResTarget.val);
}

describe("the shape of libpg-query's JSON, as rules must read it", () => {
  it("the top level is ParseResult { version, stmts: RawStmt[] }; each RawStmt is { stmt: Node, stmt_location?, stmt_len? }", () => {
    expect(parseSync("SELECT 1; DROP TABLE t")).toEqual({
      version: 180004,
      stmts: [
        { stmt: { SelectStmt: expect.any(Object) }, stmt_len: 8 },
        // stmt_location (a byte offset: that of the statement's first token) 0 and stmt_len 0 (to the end of the text) are left out.
        { stmt: { DropStmt: expect.any(Object) }, stmt_location: 10 },
      ],
    });
    expect(parseSync("  SELECT 1;")).toEqual({ version: 180004, stmts: [{ stmt: { SelectStmt: expect.any(Object) }, stmt_location: 2, stmt_len: 8 }] });
    // Here an empty list is written.
    expect(parseSync("-- nothing")).toEqual({ version: 180004, stmts: [] });
  });

  it("enums are their C names as strings, always written, even when they have the default (0) value", () => {
    expect(only("DROP TABLE t").stmt).toEqual({
      DropStmt: { objects: [{ List: { items: [{ String: { sval: "t" } }] } }], removeType: "OBJECT_TABLE", behavior: "DROP_RESTRICT" },
    });
    expect(only("SELECT").stmt).toEqual({ SelectStmt: { limitOption: "LIMIT_OPTION_DEFAULT", op: "SETOP_NONE" } });
    // A C `char` field is a one-character string (types.d.ts: string).
    expect(only("CREATE TABLE t ()").stmt).toEqual({
      CreateStmt: { relation: { relname: "t", inh: true, relpersistence: "p", location: 13 }, oncommit: "ONCOMMIT_NOOP" },
    });
  });

  it("false, 0, NULL and empty lists are left out: absent means the default", () => {
    // No missing_ok (false), no concurrent (false), no tableElts (an empty list).
    expect(only("DROP TABLE IF EXISTS t CASCADE").stmt).toMatchObject({ DropStmt: { missing_ok: true, behavior: "DROP_CASCADE" } });
    expect(only("CREATE INDEX i ON t (a)").stmt!.IndexStmt).not.toHaveProperty("concurrent");
    expect(only("CREATE INDEX CONCURRENTLY i ON t (a)").stmt!.IndexStmt).toHaveProperty("concurrent", true);
    // -1 is not 0, so it is written.
    expect(only("CREATE TABLE t (a text)").stmt).toMatchObject({
      CreateStmt: { tableElts: [{ ColumnDef: { colname: "a", typeName: { names: [{ String: { sval: "text" } }], typemod: -1 }, is_local: true } }] },
    });
  });

  it("A_Const holds one of ival, fval, sval, boolval, bsval (each an unwrapped Integer, Float, ...) or isnull; a zero value is {}", () => {
    expect(selected("5, 0, -1, 1.5, 99999999999, 'x', '', true, false, NULL, B'101'")).toEqual([
      { A_Const: { ival: { ival: 5 }, location: 7 } },
      { A_Const: { ival: {}, location: 10 } },
      // The grammar folds the minus sign into the constant.
      { A_Const: { ival: { ival: -1 }, location: 13 } },
      { A_Const: { fval: { fval: "1.5" }, location: 17 } },
      // An integer too large for int4 is a Float, as text.
      { A_Const: { fval: { fval: "99999999999" }, location: 22 } },
      { A_Const: { sval: { sval: "x" }, location: 35 } },
      // An empty string is written (only a NULL string is left out).
      { A_Const: { sval: { sval: "" }, location: 40 } },
      { A_Const: { boolval: { boolval: true }, location: 44 } },
      { A_Const: { boolval: {}, location: 50 } },
      { A_Const: { isnull: true, location: 57 } },
      // The bit string keeps its b (or x) prefix.
      { A_Const: { bsval: { bsval: "b101" }, location: 63 } },
    ]);
    // A typed literal is a TypeCast around a string constant.
    expect(selected("'5'::int")).toEqual([
      {
        TypeCast: {
          arg: { A_Const: { sval: { sval: "5" }, location: 7 } },
          typeName: { names: [{ String: { sval: "pg_catalog" } }, { String: { sval: "int4" } }], typemod: -1, location: 12 },
          location: 10,
        },
      },
    ]);
  });

  it("a NULL element of a list is {}, which Node does not allow (KNOWN_MISMATCHES)", () => {
    expect(only("SELECT DISTINCT a FROM t").stmt).toMatchObject({ SelectStmt: { distinctClause: [{}] } });
    expect(only("DROP OPERATOR - (NONE, int)").stmt).toMatchObject({ DropStmt: { objects: [{ ObjectWithArgs: { objargs: [{}, { TypeName: {} }] } }] } });
  });

  it("FetchStmt.howMany is declared bigint but is a JSON number (not in the corpus: migrations do not FETCH)", () => {
    expect(only("FETCH 5 FROM c").stmt).toEqual({ FetchStmt: { direction: "FETCH_FORWARD", howMany: 5, portalname: "c" } });
    // FETCH ALL is LONG_MAX, and long has 32 bits in libpg-query's WebAssembly.
    expect(only("FETCH ALL FROM c").stmt).toMatchObject({ FetchStmt: { howMany: 2147483647 } });
  });
});
