import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_MIGRATION_BYTES } from "../../src/engine/read-migration.js";
import { useTempProjects, withRollbacks } from "../cli/fixtures/temp-project.js";
import { brief, cli, DROP_FILE, DROP_SQL, ensureBuilt, expectContract, expectDropReported, fileIn, parseJson, runIn } from "./harness.js";

// Each hostile input is linted next to a dangerous neighbour (drop.sql) and must keep
// the contract of expectContract: documented exit code, its errors at their place in
// every format, valid JSON and SARIF, and the neighbour still reported.

const project = useTempProjects();
beforeAll(ensureBuilt, 180_000);

/** A project holding `bad.sql` (with a rollback, so only what the input causes is reported) and the neighbour. */
function withBad(content: string | Uint8Array, name = "bad.sql"): string {
  return project(withRollbacks({ [name]: content, [DROP_FILE]: DROP_SQL })).dir;
}

/** The exit code, linted text and messages of one rule for `bad.sql` (or `name`), linted alone. */
async function findingsOf(dir: string, ruleId: string, name = "bad.sql") {
  const result = await runIn(dir, ["--format", "json", name]);
  const file = fileIn(parseJson(result.output), dir, name);
  return { exitCode: result.exitCode, source: file.source, messages: file.messages.filter((message) => message.ruleId === ruleId) };
}

const TEMPLATE_HINT = "This looks like a template (`{{ ... }}`), which is not SQL until it is rendered: lint the rendered migration, or have migsafe replace the template with `placeholders` in its configuration.";

describe("files with no statement", () => {
  it.each([
    ["empty", ""],
    ["whitespace only", "  \n\t\r\n"],
    ["comments only", "-- nothing to run yet\n/* a block\n   comment */\n-- the end"],
    ["semicolons only", ";\n;;\n"],
    ["a BOM only", "\uFEFF"],
  ])("%s: no error, no finding; the neighbour is still reported", async (_name, content) => {
    const dir = withBad(content);
    await expectContract(dir, "bad.sql", []);
    const alone = await cli(dir, ["bad.sql"]);
    expect(alone).toEqual({ code: 0, signal: null, stdout: "✔ No problems found in 1 file\n", stderr: "" });
  });
});

describe("encodings and line endings", () => {
  it("a UTF-8 BOM: positions count from the first character after it, and fixes keep off it", async () => {
    const dir = withBad("\uFEFFDROP TABLE a;\nDROP INDEX i;\n");
    await expectContract(dir, "bad.sql", []);
    const drop = await findingsOf(dir, "drop-table");
    expect(drop.exitCode).toBe(1);
    expect(drop.messages.map(brief)).toEqual([
      expect.objectContaining({ ruleId: "drop-table", line: 1, column: 1, endLine: 1, endColumn: 13 }),
    ]);
    const fix = (await findingsOf(dir, "require-concurrent-index-drop")).messages[0]!.fix!;
    expect(drop.source).toBe("DROP TABLE a;\nDROP INDEX i;\n");
    expect(drop.source!.slice(0, fix.range[0]) + fix.text + drop.source!.slice(fix.range[1])).toBe("DROP TABLE a;\nDROP INDEX CONCURRENTLY i;\n");
  });

  it.each([
    ["CRLF", "SELECT 1;\r\n\r\nDROP TABLE b; DROP INDEX i;\r\n", 13],
    ["lone CR", "SELECT 1;\r\rDROP TABLE b; DROP INDEX i;\r", 11],
    ["mixed CRLF, CR and LF", "SELECT 1;\r\n\rDROP TABLE b; DROP INDEX i;\n", 12],
  ])("%s line endings: a finding on line 3 is reported at line 3, and its fix range points into the text", async (_name, content, dropAt) => {
    const dir = withBad(content);
    await expectContract(dir, "bad.sql", []);
    const drop = await findingsOf(dir, "drop-table");
    expect(drop.messages.map(brief)).toEqual([expect.objectContaining({ line: 3, column: 1, endLine: 3, endColumn: 13 })]);
    expect(drop.source).toBe(content);
    const fix = (await findingsOf(dir, "require-concurrent-index-drop")).messages[0]!.fix!;
    expect(fix).toEqual({ range: [dropAt + 24, dropAt + 24], text: " CONCURRENTLY" });
  });

  it("invalid UTF-8: an error at the line of the first bad byte", async () => {
    const dir = withBad(Buffer.concat([Buffer.from("SELECT 1;\n\nSELECT '"), Buffer.from([0xff, 0xfe]), Buffer.from("';\n")]));
    await expectContract(dir, "bad.sql", [{ message: "not valid UTF-8: save the migration as UTF-8", line: 3, column: 1 }]);
  });

  it("invalid UTF-8: a multi-byte character cut off at the end of the file", async () => {
    const dir = withBad(Buffer.concat([Buffer.from("SELECT 1;\r\nSELECT 2;\r\n"), Buffer.from([0xe2, 0x82])]));
    await expectContract(dir, "bad.sql", [{ message: "not valid UTF-8: save the migration as UTF-8", line: 3, column: 1 }]);
  });

  it("UTF-16 (what Windows PowerShell writes with >): named as such, not as binary", async () => {
    const dir = withBad(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("DROP TABLE a;\n", "utf16le")]));
    await expectContract(dir, "bad.sql", [{ message: "UTF-16 text: save the migration as UTF-8", line: 1, column: 1 }]);
  });
});

describe("binary files", () => {
  it("a PNG named .sql: refused at the line of its first NUL byte", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x01, 0x00]);
    const dir = withBad(png, "logo.sql");
    await expectContract(dir, "logo.sql", [{ message: "binary file (contains a NUL byte): not a SQL migration", line: 3, column: 1 }]);
  });

  it("random bytes (seeded): refused at the line of their first NUL byte", async () => {
    const bytes = seededBytes(4096, 0x5eed);
    const nul = bytes.indexOf(0);
    expect(nul).toBeGreaterThan(0);
    const dir = withBad(bytes);
    await expectContract(dir, "bad.sql", [{ message: "binary file (contains a NUL byte): not a SQL migration", line: lineOf(bytes, nul), column: 1 }]);
  });

  it("one NUL byte in otherwise valid SQL", async () => {
    const dir = withBad("SELECT 1;\nSELECT 2\0;\n");
    await expectContract(dir, "bad.sql", [{ message: "binary file (contains a NUL byte): not a SQL migration", line: 2, column: 1 }]);
  });
});

describe("unterminated tokens: an error at the token, the statements before it still checked", () => {
  it.each([
    ["single quote", "SELECT 'abc;\n", 'unterminated quoted string at or near "\'abc;…"', 8],
    ["dollar quote", "SELECT $tag$abc;\nDROP TABLE x;\n", 'unterminated dollar-quoted string at or near "$tag$abc;…"', 8],
    ["block comment", "SELECT 1; /* abc\nDROP TABLE x;\n", 'unterminated /* comment at or near "/* abc…"', 11],
    ["quoted identifier", 'SELECT "abc;\n', 'unterminated quoted identifier at or near ""abc;…"', 8],
  ])("%s", async (_name, tail, message, column) => {
    const dir = withBad(`DROP TABLE a;\n${tail}`);
    await expectContract(dir, "bad.sql", [{ message, line: 2, column }]);
    const drop = await findingsOf(dir, "drop-table");
    expect(drop.messages.map(brief)).toEqual([expect.objectContaining({ line: 1, column: 1, endLine: 1, endColumn: 13 })]);
  });
});

describe("templated SQL (supabase/auth Go templates)", () => {
  const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/corpus/sql/supabase-auth");
  const copy = (name: string) => fs.readFileSync(path.join(corpus, name));

  it.skipIf(!fs.existsSync(corpus))("is not valid SQL: a syntax error at each template, with a hint naming it", async () => {
    const dir = withBad(copy("migrations__20220114185340_add_banned_until.up.sql"));
    await expectContract(dir, "bad.sql", [{ message: 'syntax error at or near "{"', line: 3, column: 13, hint: TEMPLATE_HINT }]);
  });

  it.skipIf(!fs.existsSync(corpus))("reports each templated statement on its own", async () => {
    const dir = withBad(copy("migrations__20210909172000_create_identities_table.up.sql"));
    await expectContract(dir, "bad.sql", [
      { message: 'syntax error at or near "{"', line: 3, column: 28, hint: TEMPLATE_HINT },
      { message: 'syntax error at or near "{"', line: 14, column: 18, hint: TEMPLATE_HINT },
    ]);
  });

  it("`placeholders` in the configuration makes it lintable, with positions in the file as written", async () => {
    const addColumn = 'ALTER TABLE {{ index .Options "Namespace" }}.users ADD COLUMN IF NOT EXISTS banned_until timestamptz NULL;';
    const dropColumn = "ALTER TABLE {{ .Schema }}.users DROP COLUMN legacy;";
    const sql = ["-- adds a column, drops one", addColumn, dropColumn, ""].join("\n");
    const p = project(withRollbacks({ "bad.sql": sql, [DROP_FILE]: DROP_SQL }));
    // [^{}]: `[^}]*` would let every "{{" of a line scan to its end (quadratic), which the configuration refuses.
    p.write("migsafe.config.json", JSON.stringify({ placeholders: { "\\{\\{[^{}]*\\}\\}": "auth" } }));
    await expectContract(p.dir, "bad.sql", []);
    const drop = await findingsOf(p.dir, "drop-column");
    expect(drop.exitCode).toBe(1);
    expect(drop.messages.map(brief)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^DROP COLUMN legacy of auth\.users deletes its values /), line: 3, column: dropColumn.indexOf("DROP") + 1, endLine: 3, endColumn: dropColumn.indexOf(";") + 1 }),
    ]);
    const lock = await findingsOf(p.dir, "require-lock-timeout");
    expect(lock.messages.map(brief)).toEqual([expect.objectContaining({ line: 2, column: 1, endLine: 2, endColumn: addColumn.length })]);
  });
});

describe("size", () => {
  it("100,000 statements in one file: every one checked, a finding on the last line", async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `SELECT ${i};`);
    const dir = withBad(`${lines.join("\n")}\nDROP TABLE users;\n`);
    // A child process, so that a run that never ends is killed rather than blocking the suite.
    const built = await cli(dir, ["--format", "json", "bad.sql", DROP_FILE], {}, 90_000);
    expect({ code: built.code, signal: built.signal, stderr: built.stderr }).toEqual({ code: 1, signal: null, stderr: "" });
    const results = parseJson(built.stdout);
    expect(fileIn(results, dir, "bad.sql").messages.filter((message) => message.ruleId === "drop-table").map(brief)).toEqual([
      expect.objectContaining({ line: 100_001, column: 1, endLine: 100_001, endColumn: 17 }),
    ]);
    expectDropReported(results, dir);
  }, 120_000);

  it("a 50 MB file: refused with its size, without reading it into memory, while the others are linted", async () => {
    const line = "INSERT INTO t VALUES (1);\n";
    const body = Buffer.alloc(50 * 1024 * 1024 - line.length, line);
    const dir = withBad(Buffer.concat([body, Buffer.from(DROP_SQL)]), "seed.sql");
    expect(fs.statSync(path.join(dir, "seed.sql")).size).toBeGreaterThan(MAX_MIGRATION_BYTES);
    const message = "too large to lint (50.0 MB; the limit is 5.0 MB): if it loads data rather than changing the schema, exclude it in the configuration";
    await expectContract(dir, "seed.sql", [{ message }]);
  }, 120_000);

  it("a file just under the limit is linted: a finding after 4.9 MB of comments, at its line", async () => {
    const comment = `-- ${"padding ".repeat(12)}\n`;
    const lines = Math.floor((MAX_MIGRATION_BYTES - 100_000) / comment.length);
    const dir = withBad(`${comment.repeat(lines)}DROP TABLE users;\n`, "seed.sql");
    const result = await runIn(dir, ["--format", "json", "seed.sql", DROP_FILE]);
    expect(result.exitCode).toBe(1);
    const results = parseJson(result.output);
    expect(fileIn(results, dir, "seed.sql").messages.filter((message) => message.ruleId === "drop-table").map(brief)).toEqual([
      expect.objectContaining({ line: lines + 1, column: 1, endLine: lines + 1, endColumn: 17 }),
    ]);
    expectDropReported(results, dir);
  }, 60_000);

  it("the same limit applies to standard input", async () => {
    const dir = withBad("SELECT 1;\n");
    const bytes = Buffer.alloc(MAX_MIGRATION_BYTES + 1024 * 1024, "SELECT 1;\n");
    const result = await runIn(dir, ["--format", "compact", "--stdin", "--stdin-filename", "big.sql"], { readStdin: () => Promise.resolve(bytes) });
    expect(result).toEqual({
      exitCode: 2,
      output: "big.sql: error parse-error too large to lint (6.0 MB; the limit is 5.0 MB): if it loads data rather than changing the schema, exclude it in the configuration\n",
      stderr:
        "migsafe: big.sql: too large to lint (6.0 MB; the limit is 5.0 MB): if it loads data rather than changing the schema, exclude it in the configuration\n" +
        "migsafe: 1 file could not be read or parsed\n",
    });
  });
});

/** Deterministic bytes (mulberry32), so a failure reproduces. */
function seededBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return bytes;
}

/** The 1-based line of a byte offset: LF, CRLF and lone CR each end a line. */
function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  return line;
}
