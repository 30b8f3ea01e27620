import { describe, expect, it } from "vitest";
import dropTable from "../../rules/drop-table.js";
import enumAddValue from "../../rules/enum-add-value-in-transaction.js";
import { allRules } from "../../rules/index.js";
import { run, type RunOptions } from "../../src/cli/run.js";
import { useColors } from "../../src/formatters/colors.js";
import { useTempProjects, withRollbacks } from "./fixtures/temp-project.js";

const project = useTempProjects();
const ESC = "\u001b";
const DROP = "DROP TABLE IF EXISTS users;\n";

function lint(argv: string[], cwd: string, options: Omit<RunOptions, "cwd"> = {}) {
  return run(argv, { env: {}, isTTY: false, rules: [dropTable], ...options, cwd });
}

/** Two files, each with a dangerous and a careful finding of drop-table (two configurations). */
function mixed() {
  return project(
    withRollbacks({
      "migrations/001_a.sql": DROP,
      "legacy/001_b.sql": DROP,
      "legacy/migsafe.config.json": JSON.stringify({ rules: { "drop-table": "careful" } }),
    }),
  );
}

describe("--quiet", () => {
  it("reports dangerous findings only, in every format, and says how many careful ones it hid", async () => {
    const p = mixed();
    const loud = await lint(["migrations", "legacy"], p.dir);
    expect(loud.output).toContain("careful");
    const quiet = await lint(["--quiet", "migrations", "legacy"], p.dir);
    expect(quiet.output).not.toContain("careful  DROP");
    expect(quiet.output).toContain("dangerous  DROP TABLE users");
    expect(quiet.output.endsWith("✖ 1 problem (1 dangerous, 0 careful; 1 careful finding hidden by --quiet)\n")).toBe(true);
    const json = JSON.parse((await lint(["-q", "--format", "json", "migrations", "legacy"], p.dir)).output) as { messages: { severity: number }[] }[];
    expect(json.flatMap((file) => file.messages.map((message) => message.severity))).toEqual([2]);
    const compact = await lint(["--quiet", "--format", "compact", "migrations", "legacy"], p.dir);
    expect(compact.output).not.toContain("careful");
  });

  it("leaves careful findings out of --max-warnings, as ESLint does", async () => {
    const p = mixed();
    expect((await lint(["--max-warnings", "0", "--rule", "drop-table=careful", "migrations", "legacy"], p.dir)).exitCode).toBe(1);
    const quiet = await lint(["--quiet", "--max-warnings", "0", "--rule", "drop-table=careful", "migrations", "legacy"], p.dir);
    expect(quiet).toEqual({ output: "✔ No problems found in 4 files (2 careful findings hidden by --quiet)\n", stderr: "", exitCode: 0 });
  });

  it("gives the same report streamed", async () => {
    const p = mixed();
    const chunks: string[] = [];
    const streamed = await lint(["--quiet", "migrations", "legacy"], p.dir, { write: (chunk) => void chunks.push(chunk) });
    const whole = await lint(["--quiet", "migrations", "legacy"], p.dir);
    expect([chunks.join(""), streamed.exitCode]).toEqual([whole.output, whole.exitCode]);
  });
});

describe("--color and --no-color", () => {
  it("override NO_COLOR, FORCE_COLOR and the terminal, the last one given winning", async () => {
    expect(useColors({ NO_COLOR: "1" }, true, true)).toBe(true);
    expect(useColors({ FORCE_COLOR: "1" }, true, false)).toBe(false);
    expect(useColors({}, true, undefined)).toBe(true);
    const p = mixed();
    expect((await lint(["--color", "migrations"], p.dir, { env: { NO_COLOR: "1" } })).output).toContain(ESC);
    expect((await lint(["--no-color", "migrations"], p.dir, { isTTY: true, env: { FORCE_COLOR: "1" } })).output).not.toContain(ESC);
    expect((await lint(["--no-color", "--color", "migrations"], p.dir)).output).toContain(ESC);
    expect((await lint(["--color", "--no-color", "migrations"], p.dir, { isTTY: true })).output).not.toContain(ESC);
  });
});

describe("code frames", () => {
  it("are shown on a terminal, not when piped or written to a file, and --code-frame / --no-code-frame decide", async () => {
    const p = mixed();
    const frame = "> 1 | DROP TABLE IF EXISTS users;";
    const strip = (text: string) => text.replace(new RegExp(`${ESC}\\[\\d+m`, "g"), "");
    expect(strip((await lint(["migrations"], p.dir, { isTTY: true })).output)).toContain(frame);
    expect((await lint(["migrations"], p.dir)).output).not.toContain(frame);
    expect((await lint(["--code-frame", "migrations"], p.dir)).output).toContain(`       ${frame}\n           | ^^^^^^^^^^^^^^^^^^^^^^^^^^\n`);
    expect(strip((await lint(["--no-code-frame", "migrations"], p.dir, { isTTY: true })).output)).not.toContain(frame);
    await lint(["-o", "report.txt", "migrations"], p.dir, { isTTY: true });
    expect(p.read("report.txt")).not.toContain(frame);
    expect(p.read("report.txt")).not.toContain(ESC);
  });
});

describe("--pg-version", () => {
  const files = withRollbacks({ "migrations/001_enum.sql": "BEGIN;\nALTER TYPE mood ADD VALUE 'sad';\nCOMMIT;\n" });

  it("overrides the configuration's pgVersion for every file", async () => {
    const p = project({ ...files, "migsafe.config.json": JSON.stringify({ pgVersion: 16 }) });
    const options = { rules: [enumAddValue] };
    // PostgreSQL before 12 refuses ALTER TYPE … ADD VALUE in a transaction block; 16 does not.
    expect((await lint(["migrations"], p.dir, options)).output).toBe("✔ No problems found in 2 files\n");
    const old = await lint(["--pg-version", "11", "migrations"], p.dir, options);
    expect(old.output).toContain("2:1  careful  ");
    expect(old.output).toContain("enum-add-value-in-transaction");
    const printed = JSON.parse((await lint(["--pg-version=11", "--print-config", "migrations/001_enum.sql"], p.dir)).output) as { settings: { pgVersion: number } };
    expect(printed.settings.pgVersion).toBe(11);
    const unchanged = JSON.parse((await lint(["--print-config", "migrations/001_enum.sql"], p.dir)).output) as { settings: { pgVersion: number } };
    expect(unchanged.settings.pgVersion).toBe(16);
  });

  it.each(["8", "100", "14.5", "fourteen", ""])("refuses %j in one line", async (value) => {
    const p = project(files);
    const result = await lint(["--pg-version", value, "migrations"], p.dir);
    expect(result).toEqual({
      output: "",
      stderr: `migsafe: --pg-version takes a PostgreSQL major version from 9 to 99, such as 14, not '${value}' (run 'migsafe --help' for usage)\n`,
      exitCode: 2,
    });
  });

  it("suggests the switch when misspelt", async () => {
    const result = await lint(["--pg-verion", "12"], project(files).dir);
    expect(result.stderr).toContain("--pg-version");
  });
});

describe("--list-rules --format json", () => {
  it("is a JSON array with each rule's id, severity, preset, category, description, fixable, docs URL and version note", async () => {
    const result = await run(["--list-rules", "--format", "json"], { env: {}, rules: allRules });
    expect(result.exitCode).toBe(0);
    const list = JSON.parse(result.output) as Record<string, unknown>[];
    expect(list.map((rule) => rule.id)).toEqual(allRules.map((rule) => rule.meta.id));
    for (const [i, entry] of list.entries()) {
      const meta = allRules[i]!.meta;
      const keys = ["id", "severity", "preset", "category", "description", "fixable", "docsUrl", ...(meta.pgVersionNote !== undefined ? ["pgVersionNote"] : [])];
      expect(Object.keys(entry)).toEqual(keys);
      expect(entry).toEqual({
        id: meta.id,
        severity: meta.severity,
        preset: meta.recommended === false ? "strict" : "recommended",
        category: meta.category,
        description: meta.description,
        fixable: meta.fixable === true,
        docsUrl: meta.docsUrl ?? `https://github.com/migsafe/migsafe/blob/main/docs/rules/${meta.id}.md`,
        ...(meta.pgVersionNote !== undefined ? { pgVersionNote: meta.pgVersionNote } : {}),
      });
    }
    expect(list.some((entry) => entry.preset === "strict")).toBe(true);
    expect(list.some((entry) => entry.fixable === true)).toBe(true);
    expect(list.some((entry) => typeof entry.pgVersionNote === "string")).toBe(true);
  });

  it("keeps the table for stylish, and refuses other formats", async () => {
    const table = await run(["--list-rules"], { env: {} });
    expect((await run(["--list-rules", "--format", "stylish"], { env: {} })).output).toBe(table.output);
    expect(table.output.startsWith("rule")).toBe(true);
    expect(await run(["--list-rules", "--format", "sarif"], { env: {} })).toEqual({
      output: "",
      stderr: "migsafe: --list-rules prints a table (stylish) or JSON (--format json), not --format sarif (run 'migsafe --help' for usage)\n",
      exitCode: 2,
    });
  });
});

describe("explain", () => {
  it("prints the docs page as plain text when piped, and styled for a terminal or with --color", async () => {
    const piped = await run(["explain", "drop-table"], { env: {} });
    expect(piped.exitCode).toBe(0);
    expect(piped.output).not.toContain(ESC);
    expect(piped.output).not.toMatch(/^#/m);
    expect(piped.output).not.toContain("**");
    expect(piped.output.startsWith("drop-table\n==========\n")).toBe(true);
    expect(piped.output).toContain("\n• Data loss: every row is gone for good");
    expect(piped.output).toContain("\n    DROP TABLE IF EXISTS legacy_sessions CASCADE;\n");
    expect(piped.output.endsWith("\nhttps://github.com/migsafe/migsafe/blob/main/docs/rules/drop-table.md\n")).toBe(true);
    const terminal = await run(["explain", "drop-table"], { env: {}, isTTY: true, columns: 60 });
    expect(terminal.output).toContain(`${ESC}[1m`);
    for (const line of terminal.output.replace(new RegExp(`${ESC}\\[\\d+m`, "g"), "").split("\n")) {
      // Code is left as written; a word longer than the line (a URL) has a line to itself.
      if (!line.startsWith("    ") && line.trim().includes(" ")) expect(line.length).toBeLessThanOrEqual(60);
    }
    expect((await run(["explain", "drop-table", "--color"], { env: {}, columns: 60 })).output).toBe(terminal.output);
    expect((await run(["explain", "drop-table", "--no-color"], { env: {}, isTTY: true })).output).toBe(piped.output);
  });
});

describe("--help", () => {
  it("names every new switch", async () => {
    const help = (await run(["--help"], { env: {} })).output;
    for (const flag of ["--quiet", "--color", "--no-color", "--code-frame", "--no-code-frame", "--pg-version", "--list-rules"]) expect(help).toContain(flag);
  });
});
