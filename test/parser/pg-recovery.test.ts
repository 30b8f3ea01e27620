import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parsePlpgsql, parseSql } from "../../src/parser/pg.js";
import { resetCount } from "../../src/parser/pg-wasm.js";

// A stack overflow in libpg-query's C code (V8's RangeError out of its WebAssembly) leaves the instance
// damaged: its stack pointer not restored, that parse's memory never freed. After about 30 in one thread
// every parse failed, or never ended. pg-wasm.ts resets the instance after each.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const STACK_ERROR = "nested too deeply to parse: the parser ran out of stack space";
// Deep enough to overflow the main thread's stack (≈7,400 terms) and a worker's default 4 MB one (≈29,000).
const TOO_DEEP = `SELECT ${"1 + ".repeat(50_000)}1;`;

const samples = {
  sql: "CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL);\nALTER TABLE t ADD COLUMN x int DEFAULT 1;\nSELECT a FROM t WHERE b IN (1, 2, 3) AND c = 'é';",
  syntaxError: "SELECT 'é' FROM t WHERE;",
  plpgsql: "DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM t; IF n > 0 THEN RAISE NOTICE '%', n; END IF; END $$;",
};

interface Expected {
  sql: { stmts: unknown[] };
  syntaxError: { message: string; cursorPosition: number };
  plpgsql: unknown;
}

/** What libpg-query's own index.cjs gives for the samples, in a process of its own. */
function freshProcess(): Expected {
  const script = `
    const pg = require("libpg-query");
    const samples = JSON.parse(process.argv[1]);
    pg.loadModule().then(() => {
      let syntaxError;
      try { pg.parseSync(samples.syntaxError); } catch (error) { syntaxError = { message: error.sqlDetails.message, cursorPosition: error.sqlDetails.cursorPosition }; }
      process.stdout.write(JSON.stringify({ sql: pg.parseSync(samples.sql), syntaxError, plpgsql: pg.parsePlPgSQLSync(samples.plpgsql) }));
    });`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script, JSON.stringify(samples)], { cwd: root, encoding: "utf8" })) as Expected;
}

describe("the parser after stack overflows in libpg-query", () => {
  it("keeps working, and parses as libpg-query does in a fresh process", () => {
    const expected = freshProcess();
    const check = () => {
      expect(parseSql(samples.sql)).toEqual({ ok: true, statements: expected.sql.stmts });
      expect(parseSql(samples.syntaxError)).toEqual({
        ok: false,
        error: { message: expected.syntaxError.message, codePointOffset: expected.syntaxError.cursorPosition },
      });
      expect(parsePlpgsql(samples.plpgsql)).toEqual({ ok: true, tree: expected.plpgsql });
    };
    check();
    const resets = resetCount();
    for (let i = 1; i <= 80; i++) {
      expect(parseSql(TOO_DEEP)).toEqual({ ok: false, error: { message: STACK_ERROR, codePointOffset: undefined } });
      // Checked after each: a damaged instance does not always fail, it may also never return.
      expect(resetCount()).toBe(resets + i);
      if (i % 10 === 0) check();
    }
  });
});
