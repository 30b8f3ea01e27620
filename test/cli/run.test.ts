import fs from "node:fs";
import { describe, expect, it } from "vitest";
import dropTable from "../../rules/drop-table.js";
import { run, type RunOptions } from "../../src/cli/run.js";
import { useColors } from "../../src/formatters/colors.js";
import { CLEAN_SQL, useTempProjects, withRollbacks } from "./fixtures/temp-project.js";

// In-process runs use drop-table alone, so rules added later cannot change these results.
const rules = [dropTable];
const DROP_USERS = "DROP TABLE IF EXISTS users;\n";
const ESC = "\u001b";

const project = useTempProjects();

function lint(argv: string[], cwd: string, options: Omit<RunOptions, "cwd"> = {}) {
  return run(argv, { env: {}, isTTY: false, rules, ...options, cwd });
}

describe("exit codes", () => {
  it("is 0 with a summary when nothing is found", async () => {
    const p = project(withRollbacks({ "migrations/001_init.sql": CLEAN_SQL }));
    const result = await lint([], p.dir);
    expect(result).toEqual({ output: "✔ No problems found in 2 files\n", stderr: "", exitCode: 0 });
  });

  it("is 1 for a dangerous finding", async () => {
    const p = project(withRollbacks({ "migrations/001_drop.sql": DROP_USERS }));
    const result = await lint(["migrations"], p.dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.output).toContain("1:1  dangerous  DROP TABLE users");
  });

  it("is 0 for careful findings alone", async () => {
    const p = project(withRollbacks({ "migrations/001_drop.sql": DROP_USERS }));
    const result = await lint(["--rule", "drop-table=careful", "migrations"], p.dir);
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain("1:1  careful  DROP TABLE users");
    expect(result.output).toContain("✖ 1 problem (0 dangerous, 1 careful)\n");
  });

  it("is 1 when careful findings exceed --max-warnings, with a line on stderr", async () => {
    const p = project(withRollbacks({ "migrations/001_drop.sql": DROP_USERS, "migrations/002_drop.sql": "DROP TABLE IF EXISTS orders;\n" }));
    const careful = ["--rule", "drop-table=careful", "migrations"];
    expect((await lint([...careful, "--max-warnings", "2"], p.dir)).exitCode).toBe(0);
    const over = await lint([...careful, "--max-warnings", "1"], p.dir);
    expect(over.exitCode).toBe(1);
    expect(over.stderr).toBe("migsafe: too many careful findings (2, maximum 1)\n");
    expect((await lint([...careful, "--max-warnings=0"], p.dir)).exitCode).toBe(1);
  });

  it("is 2 for a syntax error, even with dangerous findings, and still reports the findings", async () => {
    const p = project(withRollbacks({ "migrations/001_drop.sql": DROP_USERS, "migrations/002_typo.sql": "SELECT 1;\nSELEC 2;\n" }));
    const result = await lint([], p.dir);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain("migrations/002_typo.sql\n  2:1  error  syntax error at or near \"SELEC\"\n");
    expect(result.output).toContain("1:1  dangerous  DROP TABLE users");
    expect(result.output).toContain("✖ 1 problem (1 dangerous, 0 careful), 1 file could not be parsed\n");
    expect(result.stderr).toBe('migsafe: migrations/002_typo.sql:2:1: syntax error at or near "SELEC"\nmigsafe: 1 file could not be read or parsed\n');
  });

  it("is 2 for a path that does not exist, the other files still being linted", async () => {
    const p = project(withRollbacks({ "a.sql": DROP_USERS, "c.sql": CLEAN_SQL }));
    const result = await lint(["c.sql", "b-missing.sql", "a.sql"], p.dir);
    expect(result.exitCode).toBe(2);
    const lines = result.output.split("\n");
    expect(lines[0]).toBe("a.sql");
    expect(lines[1]).toMatch(/^ {2}1:1 {2}dangerous {2}DROP TABLE users .* {2}drop-table$/);
    expect(lines[2]).toMatch(/^ {7}help: Rename it to users_backup first/);
    expect(lines.slice(3)).toEqual([
      "",
      "b-missing.sql",
      "  0:0  error  file not found",
      "",
      "✖ 1 problem (1 dangerous, 0 careful), 1 file could not be parsed",
      "",
    ]);
    expect(result.stderr).toBe("migsafe: b-missing.sql: file not found\nmigsafe: 1 file could not be read or parsed\n");
  });

  it("is 2 for a glob that matches nothing", async () => {
    const p = project(withRollbacks({ "migrations/001.sql": CLEAN_SQL }));
    const result = await lint(["migrations/*.sql", "db/**/*.sql"], p.dir);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain("db/**/*.sql\n  0:0  error  no files match this pattern\n");
  });

  it("is 2 for a file that is not UTF-8 text", async () => {
    const p = project({ "bin.sql": new Uint8Array([0x53, 0x45, 0x00, 0x0a]), "bin_rollback.sql": CLEAN_SQL });
    const result = await lint(["bin.sql"], p.dir);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain("1:1  error  binary file (contains a NUL byte): not a SQL migration");
  });

  it("is 2 with a clear message when no path is given and no migration folder exists", async () => {
    const p = project({ "schema.sql": CLEAN_SQL });
    const result = await lint([], p.dir);
    expect(result.exitCode).toBe(2);
    expect(result.output).toBe("");
    expect(result.stderr).toMatch(/^migsafe: no migration folder found in .* \(looked for migrations\/, db\/migrations\/, supabase\/migrations\/, prisma\/migrations\/\); pass the files or folders to lint\n$/);
  });

  it("is 2 for a bug in a rule, reported as an internal-error finding at the statement while every other finding is still reported, the stack only with --debug", async () => {
    const p = project(withRollbacks({ "001.sql": "SELECT 1;\nDROP TABLE users;", "002.sql": DROP_USERS }));
    const broken = { meta: { ...dropTable.meta, id: "broken" }, visit: { SelectStmt: () => { throw new Error("rule exploded"); } } };
    const plain = await run(["--format", "compact", "001.sql", "002.sql"], { cwd: p.dir, env: {}, rules: [broken, dropTable] });
    const lines = plain.output.trimEnd().split("\n");
    expect(lines[0]).toBe("001.sql:1:1: dangerous internal-error Internal error in rule broken at this statement: rule exploded. This is a bug in migsafe: please report it.");
    expect(lines.slice(1).map((line) => line.split(" ").slice(0, 3).join(" "))).toEqual(["001.sql:2:1: dangerous drop-table", "002.sql:1:1: dangerous drop-table"]);
    expect(plain.stderr).toBe("migsafe: 1 internal error (a bug in migsafe: please report it; --debug prints the stack trace); every other finding was still reported\n");
    expect(plain.exitCode).toBe(2);
    const debug = await run(["--debug", "001.sql"], { cwd: p.dir, env: {}, rules: [broken] });
    expect(debug.exitCode).toBe(2);
    expect(debug.stderr).toMatch(/^migsafe: debug: .*\nmigsafe: 001.sql:1: Error: rule exploded\n\s+at /);
  });

  it("is 2 for an internal error outside any file, with one line on stderr", async () => {
    const p = project();
    const result = await run(["--stdin"], { cwd: p.dir, env: {}, rules, readStdin: () => Promise.reject(new Error("stdin exploded")) });
    expect(result).toEqual({ output: "", stderr: "migsafe: internal error: stdin exploded (run with --debug for the stack trace)\n", exitCode: 2 });
  });
});

describe("bad arguments", () => {
  it.each([
    [["--nope"], "unknown option '--nope'"],
    [["-x"], "unknown option '-x'"],
    [["--format", "xml"], "unknown format 'xml' for --format (expected stylish, json, sarif, github, gitlab, junit, markdown or compact)"],
    [["--format"], "option '-f, --format <value>' argument missing"],
    [["--fix=yes"], "option '--fix' does not take an argument"],
    [["--rule", "no-such-rule=off"], "unknown rule 'no-such-rule' in --rule no-such-rule=off"],
    [["--rule", "drop-table=warn"], "unknown setting 'warn' for rule 'drop-table' in --rule drop-table=warn (expected off, careful, dangerous)"],
    [["--rule", "drop-table"], "--rule takes id=off|careful|dangerous, not 'drop-table'"],
    [["--max-warnings", "many"], "--max-warnings takes a whole number of careful findings, 0 or more, not 'many'"],
    [["--max-warnings=-1"], "--max-warnings takes a whole number of careful findings, 0 or more, not '-1'"],
  ])("%j exits 2 with one line naming the problem and pointing to --help", async (argv, message) => {
    const p = project(withRollbacks({ "migrations/001.sql": CLEAN_SQL }));
    const result = await lint(argv, p.dir);
    expect(result).toEqual({ output: "", stderr: `migsafe: ${message} (run 'migsafe --help' for usage)\n`, exitCode: 2 });
  });

  it("prints the help and the version on stdout with exit 0", async () => {
    const p = project();
    const help = await lint(["--help"], p.dir);
    expect(help.exitCode).toBe(0);
    for (const option of ["--format", "--rule", "--max-warnings", "--fix", "--debug", "--help", "--version", "Exit codes", "drop-table"]) {
      expect(help.output).toContain(option);
    }
    const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(await lint(["--version"], p.dir)).toEqual({ output: `${pkg.version}\n`, stderr: "", exitCode: 0 });
    expect((await lint(["-v"], p.dir)).output).toBe(`${pkg.version}\n`);
  });
});

describe("--rule", () => {
  it("turns a rule off, and the last setting for a rule wins", async () => {
    const p = project(withRollbacks({ "001_drop.sql": DROP_USERS }));
    expect(await lint(["--rule", "drop-table=off", "."], p.dir)).toMatchObject({ output: "✔ No problems found in 2 files\n", exitCode: 0 });
    const last = await lint(["--rule", "drop-table=off", "--rule", "drop-table=dangerous", "."], p.dir);
    expect(last.exitCode).toBe(1);
  });

  it("makes a careful rule dangerous", async () => {
    const careful = { ...dropTable, meta: { ...dropTable.meta, severity: "careful" as const } };
    const p = project(withRollbacks({ "001_drop.sql": DROP_USERS }));
    expect((await run(["."], { cwd: p.dir, env: {}, rules: [careful] })).exitCode).toBe(0);
    const result = await run(["--rule", "drop-table=dangerous", "."], { cwd: p.dir, env: {}, rules: [careful] });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain("1:1  dangerous  DROP TABLE users");
  });
});

describe("finding files", () => {
  it("expands folders to their **/*.sql in a stable sorted order, without duplicates, paths relative to the cwd", async () => {
    const p = project(
      withRollbacks({
        "migrations/b/002_drop.sql": "DROP TABLE IF EXISTS b;\n",
        "migrations/a/003_drop.sql": "DROP TABLE IF EXISTS a;\n",
        "migrations/001_drop.sql": "DROP TABLE IF EXISTS c;\n",
        "migrations/README.md": "DROP TABLE users;\n",
        "migrations/004_upper.SQL": "DROP TABLE IF EXISTS d;\n",
      }),
    );
    const result = await lint(["migrations/b", "migrations", "migrations/a/003_drop.sql"], p.dir);
    const headers = result.output.split("\n").filter((line) => line.startsWith("migrations"));
    expect(headers).toEqual(["migrations/001_drop.sql", "migrations/004_upper.SQL", "migrations/a/003_drop.sql", "migrations/b/002_drop.sql"]);
    expect(result.output).toContain("✖ 4 problems (4 dangerous, 0 careful)");

    const json = JSON.parse((await lint(["--format", "json", "migrations/b", "migrations"], p.dir)).output) as { filePath: string }[];
    expect(json.map((file) => file.filePath)).toEqual(
      [
        "migrations/001_drop.sql",
        "migrations/001_drop_rollback.sql",
        "migrations/004_upper.SQL",
        "migrations/a/003_drop.sql",
        "migrations/a/003_drop_rollback.sql",
        "migrations/b/002_drop.sql",
        "migrations/b/002_drop_rollback.sql",
      ].map((file) => p.path(file)),
    );
  });

  it("lints a file named explicitly whatever its extension, and expands quoted globs", async () => {
    const p = project({ "schema.txt": DROP_USERS, "db/one.sql": DROP_USERS, "db/one_rollback.sql": CLEAN_SQL, "db/two.pgsql": DROP_USERS });
    const explicit = await lint(["schema.txt"], p.dir);
    expect(explicit.output.split("\n")[0]).toBe("schema.txt");
    expect(explicit.exitCode).toBe(1);
    const glob = await lint(["--format", "json", "db/*.{sql,pgsql}"], p.dir);
    expect((JSON.parse(glob.output) as { filePath: string }[]).map((file) => file.filePath)).toEqual(
      ["db/one.sql", "db/one_rollback.sql", "db/two.pgsql"].map((file) => p.path(file)),
    );
  });

  it("with no argument, lints every usual migration folder that exists", async () => {
    const p = project(
      withRollbacks({
        "db/migrations/001.sql": CLEAN_SQL,
        "supabase/migrations/20240101_init.sql": CLEAN_SQL,
        "prisma/migrations/20240101_init/migration.sql": DROP_USERS,
        "other/ignored.sql": DROP_USERS,
      }),
    );
    const result = await lint(["--format", "json"], p.dir);
    expect((JSON.parse(result.output) as { filePath: string }[]).map((file) => file.filePath)).toEqual(
      [
        "db/migrations/001.sql",
        "db/migrations/001_rollback.sql",
        "prisma/migrations/20240101_init/migration.sql",
        "prisma/migrations/20240101_init/migration_rollback.sql",
        "supabase/migrations/20240101_init.sql",
        "supabase/migrations/20240101_init_rollback.sql",
      ].map((file) => p.path(file)),
    );
    expect(result.exitCode).toBe(1);
  });

  it("shows paths outside the cwd relative to it", async () => {
    const p = project(withRollbacks({ "sub/dir/.keep": "", "elsewhere/001.sql": DROP_USERS }));
    const result = await lint(["../../elsewhere"], p.path("sub", "dir"));
    expect(result.output.split("\n")[0]).toBe("../../elsewhere/001.sql");
  });
});

describe("stylish output", () => {
  it("matches the snapshot with colours off", async () => {
    const p = project(
      withRollbacks({
        "migrations/001_init.sql": CLEAN_SQL,
        "migrations/002_drop_legacy.sql": "-- The legacy tables are unused since v2.\nSELECT 1;\n\nDROP TABLE IF EXISTS legacy_users, legacy_orders CASCADE;\n",
        "migrations/003_batch.sql": "SELECT 1;\nDELETE FROM audit_log LIMIT 1000;\n",
        "migrations/004_drop_sessions.sql": DROP_USERS.replace("users", "sessions"),
      }),
    );
    const result = await lint(["--rule", "drop-table=dangerous", "migrations", "migrations/005_missing.sql"], p.dir);
    expect(result.exitCode).toBe(2);
    expect(result.output).not.toContain(ESC);
    expect(result.output).toMatchSnapshot();
  });

  it("uses colours on a terminal, never with NO_COLOR, and always with FORCE_COLOR", async () => {
    const p = project(withRollbacks({ "001_drop.sql": DROP_USERS }));
    const colored = async (env: Record<string, string>, isTTY: boolean) => (await lint(["."], p.dir, { env, isTTY })).output.includes(ESC);
    expect(await colored({}, true)).toBe(true);
    expect(await colored({}, false)).toBe(false);
    expect(await colored({ NO_COLOR: "1" }, true)).toBe(false);
    expect(await colored({ FORCE_COLOR: "1" }, false)).toBe(true);
    expect(await colored({ FORCE_COLOR: "1", NO_COLOR: "1" }, false)).toBe(false);
    expect(await colored({ FORCE_COLOR: "0" }, true)).toBe(false);
    expect(await colored({ TERM: "dumb" }, true)).toBe(false);
    // The text is the same with and without colours.
    const withColors = (await lint(["."], p.dir, { env: { FORCE_COLOR: "1" } })).output;
    // eslint-disable-next-line no-control-regex
    expect(withColors.replace(/\u001b\[\d+m/g, "")).toBe((await lint(["."], p.dir)).output);
  });

  it("decides colours from NO_COLOR, FORCE_COLOR, TERM and the terminal", () => {
    expect(useColors({}, true)).toBe(true);
    expect(useColors({ NO_COLOR: "" }, true)).toBe(true);
    expect(useColors({ FORCE_COLOR: "" }, false)).toBe(true);
    expect(useColors({ FORCE_COLOR: "false" }, true)).toBe(false);
  });

  it("escapes control characters in file names instead of writing them", async () => {
    const name = "evil\u001b[2J\u0007\u009bname\u202e.sql";
    const p = project(withRollbacks({ [`migrations/${name}`]: DROP_USERS }));
    const result = await lint(["migrations"], p.dir);
    expect(result.exitCode).toBe(1);
    // eslint-disable-next-line no-control-regex
    expect(result.output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(result.output).toContain("migrations/evil\\x1b[2J\\x07\\x9bname\\u202e.sql\n  1:1  dangerous");

    // JSON keeps the name exact while writing no raw C1 or bidi character.
    const json = await lint(["--format", "json", "migrations"], p.dir);
    expect(json.output).not.toMatch(/[\u009b\u202e]/);
    expect((JSON.parse(json.output) as { filePath: string }[])[0]!.filePath).toBe(p.path("migrations", name));
  });

  it("escapes control characters in messages", async () => {
    const p = project(withRollbacks({ "001.sql": "SELECT 1;\nSELECT \u001b 2;\n" }));
    const result = await lint(["001.sql"], p.dir);
    expect(result.exitCode).toBe(2);
    expect(result.output).toContain('2:8  error  syntax error at or near "\\x1b"');
    expect(result.output).not.toContain(ESC);
  });
});

describe("json output", () => {
  it("has ESLint's shape, with absolute paths, severities 2/1, fatal errors and their hint", async () => {
    const p = project(
      withRollbacks({
        "migrations/001_drop.sql": "SELECT 1;\nDROP TABLE IF EXISTS users;\n",
        "migrations/002_batch.sql": "DELETE FROM audit_log LIMIT 1000;\n",
        "migrations/003_drop.sql": DROP_USERS.replace("users", "orders"),
      }),
    );
    const result = await lint(["--format", "json", "--rule", "drop-table=dangerous", "migrations", "missing.sql"], p.dir);
    expect(result.exitCode).toBe(2);
    expect(result.output.endsWith("]\n")).toBe(true);
    expect(result.stderr).toBe(
      'migsafe: migrations/002_batch.sql:1:23: syntax error at or near "LIMIT"\nmigsafe: missing.sql: file not found\nmigsafe: 2 files could not be read or parsed\n',
    );
    const noMessages = { messages: [], errorCount: 0, fatalErrorCount: 0, warningCount: 0, fixableErrorCount: 0, fixableWarningCount: 0 };
    const dropped = (table: string, line: number, endColumn: number) => ({
      ruleId: "drop-table",
      severity: 2,
      message: `DROP TABLE ${table} deletes the table and its rows (ACCESS EXCLUSIVE)`,
      line,
      column: 1,
      endLine: line,
      endColumn,
      help: expect.stringContaining(`Rename it to ${table}_backup first`),
      explanation: expect.stringMatching(new RegExp(`^DROP TABLE ${table} deletes the table and all its rows for good, under an ACCESS EXCLUSIVE lock`)),
      docsUrl: "https://github.com/migsafe/migsafe/blob/main/docs/rules/drop-table.md",
    });
    expect(JSON.parse(result.output)).toEqual([
      {
        filePath: p.path("migrations/001_drop.sql"),
        messages: [dropped("users", 2, 27)],
        errorCount: 1,
        fatalErrorCount: 0,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        source: "SELECT 1;\nDROP TABLE IF EXISTS users;\n",
      },
      { filePath: p.path("migrations/001_drop_rollback.sql"), ...noMessages },
      {
        filePath: p.path("migrations/002_batch.sql"),
        messages: [
          {
            ruleId: null,
            fatal: true,
            severity: 2,
            message: 'syntax error at or near "LIMIT"',
            hint: "PostgreSQL's UPDATE and DELETE have no LIMIT: batch with `WHERE id IN (SELECT id FROM ... LIMIT n)` instead.",
            line: 1,
            column: 23,
            endLine: 1,
            endColumn: 33,
          },
        ],
        errorCount: 1,
        fatalErrorCount: 1,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        source: "DELETE FROM audit_log LIMIT 1000;\n",
      },
      { filePath: p.path("migrations/002_batch_rollback.sql"), ...noMessages },
      {
        filePath: p.path("migrations/003_drop.sql"),
        messages: [dropped("orders", 1, 28)],
        errorCount: 1,
        fatalErrorCount: 0,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        source: "DROP TABLE IF EXISTS orders;\n",
      },
      { filePath: p.path("migrations/003_drop_rollback.sql"), ...noMessages },
      {
        filePath: p.path("missing.sql"),
        messages: [{ ruleId: null, fatal: true, severity: 2, message: "file not found" }],
        errorCount: 1,
        fatalErrorCount: 1,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
      },
    ]);
  });

  it("counts careful findings as warnings (severity 1) and writes nothing but JSON", async () => {
    const p = project(withRollbacks({ "001.sql": DROP_USERS }));
    const result = await lint(["--format", "json", "--rule", "drop-table=careful", "--max-warnings", "0", "."], p.dir, { env: { FORCE_COLOR: "1" } });
    expect(result.exitCode).toBe(1);
    expect(result.output).not.toContain(ESC);
    const [file] = JSON.parse(result.output) as [{ messages: { severity: number }[]; errorCount: number; warningCount: number }];
    expect(file.messages.map((message) => message.severity)).toEqual([1]);
    expect(file).toMatchObject({ errorCount: 0, warningCount: 1 });
    expect(result.stderr).toBe("migsafe: too many careful findings (1, maximum 0)\n");
  });
});
