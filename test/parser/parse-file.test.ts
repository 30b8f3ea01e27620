import { describe, expect, it } from "vitest";
import { parseFile } from "../../src/parser/parse-file.js";
import type { ParsedFile } from "../../src/parser/types.js";

const kinds = (parsed: ParsedFile) => parsed.statements.map((s) => s.kind);
const locs = (parsed: ParsedFile) => parsed.statements.map((s) => [s.loc.start.line, s.loc.start.column, s.loc.end.line, s.loc.end.column]);

describe("parseFile: statements and positions", () => {
  it("gives each statement its AST, exact text and 1-based range", () => {
    const parsed = parseFile("SELECT 1;\n  DROP TABLE users;\nALTER TABLE t\n  DROP COLUMN a;");
    expect(kinds(parsed)).toEqual(["SelectStmt", "DropStmt", "AlterTableStmt"]);
    expect(parsed.statements.map((s) => s.text)).toEqual(["SELECT 1", "DROP TABLE users", "ALTER TABLE t\n  DROP COLUMN a"]);
    expect(locs(parsed)).toEqual([
      [1, 1, 1, 9],
      [2, 3, 2, 19],
      [3, 1, 4, 16],
    ]);
    expect(parsed.errors).toEqual([]);
  });

  it("counts lines correctly with CRLF and lone CR line endings", () => {
    expect(locs(parseFile("SELECT 1;\r\n\r\nDROP TABLE a;\r\n"))).toEqual([
      [1, 1, 1, 9],
      [3, 1, 3, 13],
    ]);
    expect(locs(parseFile("SELECT 1;\r\rDROP TABLE a;"))).toEqual([
      [1, 1, 1, 9],
      [3, 1, 3, 13],
    ]);
  });

  it("strips a UTF-8 BOM so the first statement starts at column 1", () => {
    const parsed = parseFile("\uFEFFDROP TABLE a;");
    expect(parsed.source.hasBom).toBe(true);
    expect(locs(parsed)).toEqual([[1, 1, 1, 13]]);
  });

  it("maps PostgreSQL's byte offsets to characters after multi-byte text", () => {
    const parsed = parseFile("SELECT 'éé', '日本語', '😀';  DROP TABLE ünïcode;");
    expect(parsed.statements[1]!.text).toBe("DROP TABLE ünïcode");
    expect(locs(parsed)[1]).toEqual([1, 28, 1, 46]);
  });

  it("keeps dollar-quoted bodies whole, semicolons included", () => {
    const parsed = parseFile("CREATE FUNCTION f() RETURNS void AS $body$ BEGIN DELETE FROM t; END $body$ LANGUAGE plpgsql;\nDROP TABLE a;");
    expect(kinds(parsed)).toEqual(["CreateFunctionStmt", "DropStmt"]);
    expect(locs(parsed)[1]).toEqual([2, 1, 2, 13]);
  });

  it("treats an empty or comment-only file as a migration with no statements", () => {
    for (const text of ["", "   \n\n", "-- nothing to do\n", "/* all\n commented out; DROP TABLE users; */"]) {
      const parsed = parseFile(text);
      expect(parsed.statements).toEqual([]);
      expect(parsed.errors).toEqual([]);
    }
  });

  it("never reports SQL inside comments or string literals as statements", () => {
    const parsed = parseFile("-- DROP TABLE a;\n/* DROP TABLE b; */\nSELECT 'DROP TABLE c;', $$DROP TABLE d;$$;");
    expect(kinds(parsed)).toEqual(["SelectStmt"]);
  });
});

describe("parseFile: comments and transactions", () => {
  it("attaches leading comments and same-line trailing comments", () => {
    const parsed = parseFile("-- add the column\n/* careful */\nALTER TABLE t ADD COLUMN a int; -- needed by v2\n-- next\nSELECT 1;");
    const [alter, select] = parsed.statements;
    expect(alter!.leadingComments.map((c) => c.value)).toEqual([" add the column", " careful "]);
    expect(alter!.trailingComments.map((c) => c.value)).toEqual([" needed by v2"]);
    expect(select!.leadingComments.map((c) => c.value)).toEqual([" next"]);
    expect(parsed.comments).toHaveLength(4);
  });

});

describe("parseFile: syntax errors", () => {
  it("reports an unparsable statement at PostgreSQL's position and still parses the others", () => {
    const parsed = parseFile("ALTER TABLE a ADD COLUMN b int;\nDELETE FROM t WHERE x = 1 LIMIT 5;\nDROP TABLE c;");
    expect(kinds(parsed)).toEqual(["AlterTableStmt", "DropStmt"]);
    expect(parsed.errors).toHaveLength(1);
    const error = parsed.errors[0]!;
    expect(error.message).toBe('syntax error at or near "LIMIT"');
    expect(error.loc.start).toEqual({ line: 2, column: 27 });
    expect(error.hint).toMatch(/no LIMIT.*WHERE id IN \(SELECT/);
  });

  it("reports every bad statement, each at its own position, with multi-byte text before it", () => {
    const parsed = parseFile("SELECT 'ü';\nSELEC 1;\nDROP TABLE ok;\nCREATE TABLE (;");
    expect(parsed.errors.map((e) => [e.loc.start.line, e.loc.start.column, e.message])).toEqual([
      [2, 1, 'syntax error at or near "SELEC"'],
      [4, 14, 'syntax error at or near "("'],
    ]);
    expect(kinds(parsed)).toEqual(["SelectStmt", "DropStmt"]);
  });

  it("splits on semicolons the way PostgreSQL does: strings, dollar quotes, comments and BEGIN ATOMIC bodies", () => {
    const text = [
      "SELECT 'a;b', $x$ c; d $x$; -- e; f",
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;",
      "/* ; */ SELEC 3;",
      "DROP TABLE z;",
    ].join("\n");
    const parsed = parseFile(text);
    expect(kinds(parsed)).toEqual(["SelectStmt", "CreateFunctionStmt", "DropStmt"]);
    expect(parsed.errors.map((e) => e.loc.start)).toEqual([{ line: 3, column: 9 }]);
  });

  it("reports an unterminated string where it starts, after the statements before it", () => {
    const parsed = parseFile("DROP TABLE a;\nSELECT 'never closed;\nDROP TABLE b;");
    expect(kinds(parsed)).toEqual(["DropStmt"]);
    expect(parsed.errors.map((e) => [e.loc.start.line, e.loc.start.column, e.message])).toEqual([[2, 8, 'unterminated quoted string at or near "\'never closed;…"']]);
  });

  it("reports unterminated dollar quotes and comments", () => {
    expect(parseFile("SELECT 1;\nSELECT $$ x").errors.map((e) => e.loc.start)).toEqual([{ line: 2, column: 8 }]);
    expect(parseFile("SELECT 1;\n/* open").errors.map((e) => [e.loc.start, e.message])).toEqual([
      [{ line: 2, column: 1 }, 'unterminated /* comment at or near "/* open"'],
    ]);
  });

  it("hints that a Go template is not SQL until rendered", () => {
    const parsed = parseFile('ALTER TABLE {{ index .Options "Namespace" }}.users ADD COLUMN a int;');
    expect(parsed.errors[0]!.hint).toMatch(/template/);
  });
});

describe("parseFile: DO blocks", () => {
  it("finds the SQL a DO block runs, nested in IFs and loops, at its place in the file", () => {
    const text = "DO $do$\nBEGIN\n  IF true THEN\n    DELETE FROM users;\n  END IF;\n  FOR i IN 1..2 LOOP\n    TRUNCATE logs;\n  END LOOP;\nEND\n$do$;";
    const parsed = parseFile(text);
    expect(parsed.doBlockStatements.map((s) => [s.kind, s.text, s.loc.start.line, s.loc.start.column, s.origin])).toEqual([
      ["DeleteStmt", "DELETE FROM users", 4, 5, "do-block"],
      ["TruncateStmt", "TRUNCATE logs", 7, 5, "do-block"],
    ]);
    expect(parsed.doBlockStatements[0]!.parent).toBe(parsed.statements[0]);
  });

  it("lists EXECUTE of dynamic SQL", () => {
    const parsed = parseFile("DO $$\nBEGIN\n  EXECUTE format('DROP TABLE %I', 'x');\nEND $$;");
    expect(parsed.dynamicSql.map((d) => [d.text, d.loc.start.line, d.loc.start.column])).toEqual([["format('DROP TABLE %I', 'x')", 3, 11]]);
  });

  it("ignores DO blocks in other languages", () => {
    expect(parseFile("DO LANGUAGE plv8 $$ plv8.execute('DELETE FROM t') $$;").doBlockStatements).toEqual([]);
  });
});

describe("parseFile: DO blocks whose SQL PL/pgSQL rewrites", () => {
  it("falls back to the DO statement's range, with no tokens that would point elsewhere", () => {
    const text = "DO $$\nDECLARE x int;\nBEGIN\n  WITH g AS (DELETE FROM t RETURNING id) SELECT count(*) INTO x FROM g;\nEND $$;";
    const parsed = parseFile(text);
    const [inner] = parsed.doBlockStatements;
    expect(inner!.range).toEqual(parsed.statements[0]!.range);
    expect(inner!.tokens).toEqual([]);
  });
});

describe("parseFile: control characters", () => {
  it("parses identifiers and strings holding control characters (libpg-query's JSON does not escape them)", () => {
    for (let i = 0; i < 2; i++) {
      const parsed = parseFile('SELECT "a\u001bb", \'\u0001\' FROM x;\nDROP TABLE y;');
      expect(parsed.errors).toEqual([]);
      expect(parsed.statements.map((s) => s.loc.start)).toEqual([
        { line: 1, column: 1 },
        { line: 2, column: 1 },
      ]);
    }
  });
});

describe("parseFile: every kind of dynamic SQL in DO blocks", () => {
  it("lists EXECUTE, FOR ... IN EXECUTE and OPEN ... FOR EXECUTE", () => {
    const text = [
      "DO $$",
      "DECLARE r record; c refcursor;",
      "BEGIN",
      "  EXECUTE 'TRUNCATE ' || t;",
      "  FOR r IN EXECUTE 'SELECT 1 FROM ' || t LOOP END LOOP;",
      "  OPEN c FOR EXECUTE format('SELECT 2 FROM %I', t);",
      "END $$;",
    ].join("\n");
    const parsed = parseFile(text);
    expect(parsed.dynamicSql.map((d) => [d.text, d.loc.start.line])).toEqual([
      ["'TRUNCATE ' || t", 4],
      ["'SELECT 1 FROM ' || t", 5],
      ["format('SELECT 2 FROM %I', t)", 6],
    ]);
    // What each runs, the table as a placeholder.
    expect(parsed.dynamicSql.map((d) => d.runs?.map((statement) => Object.keys(statement)[0]))).toEqual([["TruncateStmt"], ["SelectStmt"], ["SelectStmt"]]);
  });

  it("takes the EXECUTE of a constant string for a statement of the block, at its place", () => {
    const text = ["DO $$", "DECLARE r record;", "BEGIN", "  EXECUTE 'TRUNCATE a';", "  FOR r IN EXECUTE 'SELECT 1' LOOP END LOOP;", "END $$;"].join("\n");
    const parsed = parseFile(text);
    expect(parsed.dynamicSql).toEqual([]);
    expect(parsed.doBlockStatements.map((s) => [s.kind, s.text, s.loc.start.line, s.loc.start.column])).toEqual([
      ["TruncateStmt", "TRUNCATE a", 4, 12],
      ["SelectStmt", "SELECT 1", 5, 21],
    ]);
  });
});

describe("parseFile: goose's StatementEnd ends a statement", () => {
  const file = [
    "-- +goose Up",
    "-- +goose StatementBegin",
    "CREATE TYPE mood AS ENUM ('V0', 'V1');",
    "",
    'ALTER TABLE "Tenant"',
    "ADD COLUMN mood mood NOT NULL DEFAULT 'V0'",
    "-- +goose StatementEnd",
    "",
    "-- +goose Down",
    "-- +goose StatementBegin",
    'ALTER TABLE "Tenant"',
    "DROP COLUMN mood;",
    "-- +goose StatementEnd",
    "",
  ].join("\n");

  it("reads a block without its closing semicolon as goose sends it, every position in place", () => {
    const parsed = parseFile(file);
    expect(parsed.errors).toEqual([]);
    expect(parsed.statements.map((statement) => `${statement.loc.start.line}:${statement.kind}`)).toEqual(["3:CreateEnumStmt", "5:AlterTableStmt", "11:AlterTableStmt"]);
    expect(parsed.statements[1]!.text).toBe('ALTER TABLE "Tenant"\nADD COLUMN mood mood NOT NULL DEFAULT \'V0\'');
    expect(parsed.source.text.length).toBe(file.length);
  });

  it("is only a comment elsewhere", () => {
    expect(parseFile("SELECT 1; -- +goose StatementEnd\n").statements).toHaveLength(1);
    expect(parseFile("SELECT '\n-- +goose StatementEnd';\n").statements[0]!.text).toContain("-- +goose StatementEnd");
  });
});

describe("parseFile: psql's variables, in a file psql runs", () => {
  const sql = "grant connect on database :\"DBNAME\" to enroller;\nselect :'greeting', :answer, a::text, b[1:2], '--:x' from t; -- :\"not\"\n";

  it("reads them as what psql puts in their place, every position where it is", () => {
    const parsed = parseFile(sql, { psqlVariables: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.statements.map((statement) => statement.kind)).toEqual(["GrantStmt", "SelectStmt"]);
    // The statement keeps its text; the colons of casts, slices, strings and comments are untouched.
    expect(parsed.statements[0]!.text).toBe('grant connect on database :"DBNAME" to enroller');
    expect(parsed.source.text.length).toBe(sql.length);
  });

  it("is a syntax error in a file psql does not run", () => {
    expect(parseFile(sql).errors.length).toBeGreaterThan(0);
  });
});
