import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { useTempProjects } from "./fixtures/temp-project.js";

const project = useTempProjects();

/** A run's report written chunk by chunk, as the CLI writes it to stdout. */
async function streamed(argv: string[], cwd: string) {
  const chunks: string[] = [];
  const result = await run(argv, { cwd, env: {}, write: (chunk) => void chunks.push(chunk) });
  return { ...result, output: chunks.join(""), chunks: chunks.length };
}

describe("reports written as they are made", () => {
  // Enough files for worker threads (200 a thread), two configurations, unreadable and unparsable files among them.
  const files: Record<string, string> = { "legacy/migsafe.config.json": JSON.stringify({ rules: { "drop-table": "careful" } }) };
  for (let i = 0; i < 450; i++) {
    const name = String(i).padStart(4, "0");
    files[`${i % 3 === 0 ? "legacy" : "migrations"}/${name}.sql`] = i % 50 === 7 ? "SELEC 1;\n" : i % 5 === 0 ? "DROP TABLE users;\n" : "SELECT 1;\n";
  }

  it.each([["json"], ["compact"]])("gives exactly the %s report and exit code of a whole run, file by file", async (format) => {
    const p = project(files);
    const argv = ["--format", format, "migrations", "legacy", "missing.sql"];
    const whole = await run(argv, { cwd: p.dir, env: {} });
    const stream = await streamed(argv, p.dir);
    expect(stream.output).toBe(whole.output);
    expect([stream.stderr, stream.exitCode]).toEqual([whole.stderr, whole.exitCode]);
    expect(whole.exitCode).toBe(2);
    expect(stream.chunks).toBeGreaterThan(400);
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
    for (const argv of [["migrations"], ["--format", "sarif", "migrations"], ["--format", "json", "--fix-dry-run", "migrations"], ["--format", "json", "-o", "r.json", "migrations"]]) {
      expect((await streamed(argv, p.dir)).chunks).toBe(0);
    }
  });
});
