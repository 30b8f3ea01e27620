import { beforeAll, describe, expect, it } from "vitest";
import { useTempProjects, withRollbacks } from "../cli/fixtures/temp-project.js";
import { cli, DROP_FILE, DROP_SQL, ensureBuilt, expectContract } from "./harness.js";

// Deeply nested SQL: PostgreSQL's parser has limits (its grammar's stack, and the stack its C code
// recurses on), and so do migsafe's walks of the syntax tree. Each must end in a clean parse or a
// clean error, and leave the parser working (see the last test).

const project = useTempProjects();
beforeAll(ensureBuilt, 180_000);

function withBad(content: string): string {
  return project(withRollbacks({ "bad.sql": content, [DROP_FILE]: DROP_SQL })).dir;
}

describe("deep nesting: a clean parse or a clean error, never a crash", () => {
  const nested = (depth: number, open: string, inner: string, close: string) => `SELECT ${open.repeat(depth)}${inner}${close.repeat(depth)};\n`;

  it("10,000 nested parentheses: PostgreSQL's parser stack limit, as a syntax error", async () => {
    const dir = withBad(nested(10_000, "(", "1", ")"));
    await expectContract(dir, "bad.sql", [{ message: 'memory exhausted at or near "("', line: 1, column: 10_004 }]);
  });

  it("10,000 nested CASE expressions", async () => {
    const dir = withBad(nested(10_000, "CASE WHEN true THEN ", "1", " END"));
    await expectContract(dir, "bad.sql", [{ message: 'memory exhausted at or near "WHEN"', line: 1, column: 39_993 }]);
  });

  it("a DO block with 10,000 nested BEGIN … END blocks", async () => {
    const dir = withBad(`DO $$ ${"BEGIN ".repeat(10_000)}NULL; ${"END; ".repeat(10_000)}$$;\n`);
    await expectContract(dir, "bad.sql", [{ message: "in the DO block's PL/pgSQL body: memory exhausted at or near \"BEGIN\"", line: 1, column: 1 }]);
  });

  it("1,000 nested parentheses parse, and the statement is checked", async () => {
    const dir = withBad(`CREATE TABLE t AS SELECT ${"(".repeat(1000)}1${")".repeat(1000)};\nDROP TABLE t;\n`);
    await expectContract(dir, "bad.sql", []);
  });

  // Deep enough to parse, deep enough to overflow a recursive walk of the syntax tree.
  it.each([
    ["3,000 nested function calls", nested(3000, "f(", "1", ")")],
    ["an addition of 4,000 terms", `SELECT ${"1 + ".repeat(4000)}1;\n`],
  ])("%s: parsed and checked without an internal error", async (_name, sql) => {
    const dir = withBad(sql);
    await expectContract(dir, "bad.sql", []);
  });

  const STACK_ERROR = "nested too deeply to parse: the parser ran out of stack space";

  it("an addition of 30,000 terms: the parser's own stack runs out, reported at the statement", async () => {
    const dir = withBad(`SELECT 1;\nSELECT ${"1 + ".repeat(30_000)}1;\n`);
    await expectContract(dir, "bad.sql", [{ message: STACK_ERROR, line: 2, column: 1 }]);
  });

  // A stack overflow inside libpg-query's WebAssembly leaves its instance damaged (libpg_query has PostgreSQL's
  // stack-depth checks disabled; pganalyze/libpg_query#348 would enable them): after a few dozen, every parse
  // failed ("memory access out of bounds") and the files after them lost their findings. src/parser/pg-wasm.ts
  // now puts the instance back as loaded after each one (test/parser/pg-recovery.test.ts).
  it("many files that exhaust the parser's stack leave it working for the files after them", async () => {
    const files: Record<string, string> = { "zz_drop.sql": DROP_SQL };
    for (let i = 10; i < 70; i++) files[`a${i}.sql`] = `SELECT ${"1 + ".repeat(30_000)}1;\n`;
    const p = project(withRollbacks(files));
    const quiet = ["--rule", "require-lock-timeout=off", "--rule", "missing-if-not-exists=off"];
    const result = await cli(p.dir, ["--format", "compact", ...quiet, ...Object.keys(files)]);
    expect(result.stdout.split("\n").filter((line) => line.startsWith("a10.sql") || line.startsWith("a69.sql") || line.startsWith("zz_drop.sql"))).toEqual([
      `a10.sql:1:1: error parse-error ${STACK_ERROR}`,
      `a69.sql:1:1: error parse-error ${STACK_ERROR}`,
      expect.stringMatching(/^zz_drop\.sql:1:1: dangerous drop-table DROP TABLE users deletes /),
    ]);
    expect(result.stderr.split("\n").slice(-2)).toEqual(["migsafe: 60 files could not be read or parsed", ""]);
  });
});
