import fs from "node:fs";
import { describe, expect, it, vi } from "vitest";
import dropTable from "../../rules/drop-table.js";
import requireRollback from "../../rules/require-rollback.js";
import { run, type RunOptions } from "../../src/cli/run.js";
import { AtomicFile } from "../../src/files/write-file.js";
import { useTempProjects } from "./fixtures/temp-project.js";

const project = useTempProjects();
const rules = [dropTable, requireRollback];

function lint(argv: string[], cwd: string, options: Omit<RunOptions, "cwd"> = {}) {
  return run(argv, { env: {}, isTTY: false, rules, ...options, cwd });
}

const stdin = (text: string | Uint8Array) => ({ readStdin: () => Promise.resolve(typeof text === "string" ? Buffer.from(text) : text) });

describe("--stdin", () => {
  it("lints standard input under the name --stdin-filename gives, with its rollback partner and configuration", async () => {
    const p = project({
      "migrations/007_drop.sql": "-- on disk: not what is linted\n",
      "migrations/migsafe.config.json": JSON.stringify({ rules: { "drop-table": "careful" } }),
    });
    const result = await lint(["--stdin", "--stdin-filename", "migrations/007_drop.sql", "--format", "compact"], p.dir, stdin("SELECT 1;\nDROP TABLE users;\n"));
    expect(result.stderr).toBe("");
    expect(result.output).toBe(
      [
        "migrations/007_drop.sql:1:1: careful require-rollback 007_drop.sql has no rollback: no 007_drop_rollback.sql, rollback comment or down section",
        "migrations/007_drop.sql:2:1: careful drop-table DROP TABLE users deletes the table and its rows (ACCESS EXCLUSIVE)",
        "",
      ].join("\n"),
    );
    expect(result.exitCode).toBe(0);
    p.write("migrations/007_drop_rollback.sql", "CREATE TABLE users (id bigint);\n");
    const paired = await lint(["--stdin", "--stdin-filename", "migrations/007_drop.sql", "--format", "json"], p.dir, stdin("DROP TABLE users;\n"));
    const [file] = JSON.parse(paired.output) as { filePath: string; messages: { ruleId: string }[]; source: string }[];
    expect(file!.filePath).toBe(p.path("migrations/007_drop.sql"));
    expect(file!.messages.map((message) => message.ruleId)).toEqual(["drop-table"]);
    expect(file!.source).toBe("DROP TABLE users;\n");
  });

  it("names unnamed input <stdin>", async () => {
    const p = project();
    const result = await lint(["--stdin", "--rule", "require-rollback=off", "--format", "compact"], p.dir, stdin("DROP TABLE users;"));
    expect(result.output).toBe("<stdin>:1:1: dangerous drop-table DROP TABLE users deletes the table and its rows (ACCESS EXCLUSIVE)\n");
    expect(result.exitCode).toBe(1);
  });

  it("reports input that is not UTF-8 as an error of <stdin>", async () => {
    const p = project();
    const result = await lint(["--stdin", "--format", "compact"], p.dir, stdin(Uint8Array.from([0x53, 0x0a, 0xff])));
    expect(result.output).toBe("<stdin>:2:1: error parse-error not valid UTF-8: save the migration as UTF-8\n");
    expect(result.exitCode).toBe(2);
  });

  it("leaves out input whose name the configuration excludes", async () => {
    const p = project({ "migsafe.config.json": JSON.stringify({ exclude: ["legacy/**"] }) });
    const result = await lint(["--stdin", "--stdin-filename", "legacy/001.sql"], p.dir, stdin("DROP TABLE users;"));
    expect(result).toEqual({ output: "✔ No problems found in 0 files\n", stderr: "", exitCode: 0 });
  });

  it.each([
    [["--stdin", "a.sql"], "--stdin lints standard input: pass no file names (name it with --stdin-filename)"],
    [["--stdin-filename", "a.sql"], "--stdin-filename needs --stdin"],
    [["--stdin", "--staged"], "--stdin and --staged cannot be used together"],
    [["--stdin", "--fix"], "--fix writes files: it cannot be used with --stdin (use --fix-dry-run to see the fixes)"],
    [["--staged", "--changed-since", "main"], "--staged and --changed-since cannot be used together"],
  ])("refuses %j", async (argv, message) => {
    const result = await lint(argv, project().dir, stdin(""));
    expect(result).toEqual({ output: "", stderr: `migsafe: ${message} (run 'migsafe --help' for usage)\n`, exitCode: 2 });
  });
});

describe("--output-file", () => {
  it("writes the report to the file, not stdout, and keeps the exit code", async () => {
    const p = project({ "migrations/001.sql": "DROP TABLE users;\n" });
    const result = await lint(["--format", "json", "--output-file", "reports/migsafe.json", "--rule", "require-rollback=off", "migrations"], p.dir);
    expect(result).toEqual({ output: "", stderr: "", exitCode: 1 });
    // The folder is created, as ESLint does.
    const report = JSON.parse(p.read("reports/migsafe.json")) as { messages: { ruleId: string }[] }[];
    expect(report[0]!.messages.map((message) => message.ruleId)).toEqual(["drop-table"]);
  });

  it("writes no colours into the file, even when stdout is a terminal", async () => {
    const p = project({ "migrations/001.sql": "DROP TABLE users;\n" });
    await lint(["-o", "report.txt", "migrations"], p.dir, { isTTY: true, env: { FORCE_COLOR: "1" } });
    expect(p.read("report.txt")).not.toContain("\u001b[");
    expect(p.read("report.txt")).toContain("dangerous  DROP TABLE users");
  });

  it("replaces an existing report atomically, leaving no temporary file", async () => {
    const p = project({ "migrations/001.sql": "SELECT 1;\n", "report.txt": "old report\n" });
    await lint(["-o", "report.txt", "--rule", "require-rollback=off", "migrations"], p.dir);
    expect(p.read("report.txt")).toBe("✔ No problems found in 1 file\n");
    expect(fs.readdirSync(p.dir).sort()).toEqual(["migrations", "report.txt"]);
  });

  it.each(["json", "compact", "stylish"])("writes the %s report as it is made, byte for byte what stdout gets", async (format) => {
    const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`migrations/${String(i).padStart(3, "0")}.sql`, i % 3 === 0 ? "DROP TABLE users;\n" : "SELECT 1;\n"]));
    const p = project(files);
    const chunks: string[] = [];
    const onStdout = await lint(["--format", format, "migrations"], p.dir, { write: (chunk) => chunks.push(chunk) });
    const writes = vi.spyOn(AtomicFile.prototype, "write");
    try {
      const toFile = await lint(["--format", format, "-o", "report.out", "migrations"], p.dir);
      expect(toFile).toEqual({ output: "", stderr: onStdout.stderr, exitCode: onStdout.exitCode });
      expect(p.read("report.out")).toBe(chunks.join("") + onStdout.output);
      // In parts, file by file: a report of any size is never held whole.
      expect(writes.mock.calls.length).toBeGreaterThan(3);
    } finally {
      writes.mockRestore();
    }
  });

  it("keeps the old report when the run fails before linting (a bad configuration)", async () => {
    const p = project({ "migrations/001.sql": "SELECT 1;\n", "report.json": "old report\n", "migsafe.config.json": "{ not json" });
    const result = await lint(["--format", "json", "-o", "report.json", "migrations"], p.dir);
    expect(result.exitCode).toBe(2);
    expect(p.read("report.json")).toBe("old report\n");
    expect(fs.readdirSync(p.dir).sort()).toEqual(["migrations", "migsafe.config.json", "report.json"]);
  });

  it("exits 2 with one line when the report cannot be written", async () => {
    const p = project({ "migrations/001.sql": "SELECT 1;\n", "reports/.keep": "" });
    const result = await lint(["-o", "reports", "migrations"], p.dir);
    expect(result).toEqual({ output: "", stderr: "migsafe: cannot write --output-file reports: it is a folder\n", exitCode: 2 });
  });
});

describe("in GitHub Actions", () => {
  it("prints stylish output followed by workflow commands when no format is given", async () => {
    const p = project({ "migrations/001.sql": "DROP TABLE users;\n" });
    const result = await lint(["--rule", "require-rollback=off", "migrations"], p.dir, { env: { GITHUB_ACTIONS: "true" } });
    const lines = result.output.split("\n");
    expect(lines[0]).toBe("migrations/001.sql");
    expect(lines.filter((line) => line.startsWith("::"))).toEqual([
      expect.stringMatching(/^::error file=migrations\/001.sql,line=1,col=1,endLine=1,endColumn=17,title=migsafe\/drop-table::DROP TABLE users deletes /),
    ]);
    expect(result.exitCode).toBe(1);
  });

  it("prints only the format asked for", async () => {
    const p = project({ "migrations/001.sql": "DROP TABLE users;\n" });
    const result = await lint(["--format", "json", "migrations"], p.dir, { env: { GITHUB_ACTIONS: "true" } });
    expect(() => JSON.parse(result.output) as unknown).not.toThrow();
  });
});
