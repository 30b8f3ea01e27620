import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { useTempProjects } from "./fixtures/temp-project.js";

const project = useTempProjects();

/** A run's report written chunk by chunk, as the CLI writes it to stdout. */
async function streamed(argv: string[], cwd: string, isTTY = false) {
  const chunks: string[] = [];
  const result = await run(argv, { cwd, env: {}, isTTY, write: (chunk) => void chunks.push(chunk) });
  return { ...result, output: chunks.join(""), chunks: chunks.length };
}

describe("reports written as they are made", () => {
  // Enough files for worker threads (200 a thread), two configurations, unreadable and unparsable files among them.
  const files: Record<string, string> = { "legacy/migsafe.config.json": JSON.stringify({ rules: { "drop-table": "careful" } }) };
  for (let i = 0; i < 450; i++) {
    const name = String(i).padStart(4, "0");
    files[`${i % 3 === 0 ? "legacy" : "migrations"}/${name}.sql`] = i % 50 === 7 ? "SELEC 1;\n" : i % 5 === 0 ? "DROP TABLE users;\n" : "SELECT 1;\n";
  }

  it.each([
    ["json", false],
    ["compact", false],
    ["stylish", false],
    ["stylish", true],
  ])("gives exactly the %s report (colours: %s) and exit code of a whole run, file by file", async (format, isTTY) => {
    const p = project(files);
    const argv = ["--format", format, "migrations", "legacy", "missing.sql"];
    const whole = await run(argv, { cwd: p.dir, env: {}, isTTY });
    const stream = await streamed(argv, p.dir, isTTY);
    if (isTTY) expect(whole.output).toContain("\u001b[");
    expect(stream.output).toBe(whole.output);
    expect([stream.stderr, stream.exitCode]).toEqual([whole.stderr, whole.exitCode]);
    expect(whole.exitCode).toBe(2);
    // The summary per rule, counted file by file as they stream (legacy/ makes drop-table careful).
    if (format === "stylish") {
      // eslint-disable-next-line no-control-regex
      const plain = stream.output.replace(/\u001b\[\d+m/g, "");
      expect(plain).toMatch(/\n {2}60 {2}dangerous {2}drop-table {12}DROP TABLE .*\n(.*\n)* {2}30 {2}careful {4}drop-table {12}DROP TABLE .*\n90 files with findings of 451 linted\n\n✖ /);
    }
    // Files with nothing to say have no part in the stylish report.
    expect(stream.chunks).toBeGreaterThan(format === "stylish" ? 80 : 400);
  });

  it("writes the stylish summary alone when no file has a problem", async () => {
    const p = project({ "migrations/001.sql": "SELECT 1;\n", "migrations/001.down.sql": "SELECT 1;\n" });
    expect(await streamed(["migrations"], p.dir)).toEqual({ output: "✔ No problems found in 2 files\n", stderr: "", exitCode: 0, chunks: 1 });
  });

  it("writes an empty JSON list for no files, and nothing at all for a bad configuration", async () => {
    const empty = project({ "migrations/.keep": "" });
    expect(await streamed(["--format", "json", "migrations"], empty.dir)).toEqual({ output: "[]\n", stderr: "", exitCode: 0, chunks: 1 });
    const bad = project({ "migrations/001.sql": "SELECT 1;\n", "migsafe.config.json": "{ nope" });
    const result = await streamed(["--format", "json", "migrations"], bad.dir);
    expect([result.output, result.exitCode]).toEqual(["", 2]);
  });

  it("leaves formats that need every result, fixes and report files to the whole run", async () => {
    const p = project({ "migrations/001.sql": "DROP TABLE users;\n" });
    for (const argv of [["--format", "sarif", "migrations"], ["--fix-dry-run", "migrations"], ["--format", "json", "--fix-dry-run", "migrations"], ["--format", "json", "-o", "r.json", "migrations"]]) {
      expect((await streamed(argv, p.dir)).chunks).toBe(0);
    }
  });
});
