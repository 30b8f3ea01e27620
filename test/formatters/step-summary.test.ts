import fs from "node:fs";
import { describe, expect, it } from "vitest";
import dropTable from "../../rules/drop-table.js";
import { run } from "../../src/cli/run.js";
import { STEP_SUMMARY_MAX_BYTES } from "../../src/cli/step-summary.js";
import { useTempProjects, withRollbacks } from "../cli/fixtures/temp-project.js";

const project = useTempProjects();
const rules = [dropTable];

/** `count` migrations that each drop a table (with rollbacks, so drop-table is the only finding). */
function drops(count: number): Record<string, string | Uint8Array> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`migrations/${String(i).padStart(3, "0")}_drop.sql`] = `DROP TABLE legacy_${i};\n`;
  return withRollbacks(files);
}

function lint(argv: string[], cwd: string, env: Record<string, string> = {}) {
  return run(argv, { env, isTTY: false, rules, cwd });
}

describe("--max-bytes", () => {
  it("keeps --format markdown within the limit", async () => {
    const p = project(drops(30));
    const full = await lint(["--format", "markdown", "--max-bytes", "1000000", "migrations"], p.dir);
    expect(full.output.split("| dangerous |")).toHaveLength(31);
    const limited = await lint(["--format", "markdown", "--max-bytes", "4000", "migrations"], p.dir);
    expect(limited.exitCode).toBe(1);
    expect(Buffer.byteLength(limited.output)).toBeLessThanOrEqual(4000);
    expect(limited.output).toMatch(/\n\*\*\d+ more findings\*\* are not shown here \(\d+ dangerous or fatal\)/);
  });

  it.each([
    [["--max-bytes", "4000"], "--max-bytes limits the markdown report: use it with --format markdown"],
    [["--format", "json", "--max-bytes", "4000"], "--max-bytes limits the markdown report: use it with --format markdown"],
    [["--format", "markdown", "--max-bytes", "3999"], "--max-bytes takes a whole number of bytes, 4000 or more, not '3999'"],
    [["--format", "markdown", "--max-bytes", "64k"], "--max-bytes takes a whole number of bytes, 4000 or more, not '64k'"],
  ])("%j exits 2 naming the problem", async (argv, message) => {
    const p = project(drops(1));
    expect(await lint([...argv, "migrations"], p.dir)).toEqual({ output: "", stderr: `migsafe: ${message} (run 'migsafe --help' for usage)\n`, exitCode: 2 });
  });
});

describe("$GITHUB_STEP_SUMMARY", () => {
  it("gets the full markdown report beside the capped annotations, after what the step wrote before", async () => {
    const p = project(drops(12));
    const summary = p.path("summary.md");
    fs.writeFileSync(summary, "# Earlier step output\n");
    const result = await lint(["--format", "github", "migrations"], p.dir, { GITHUB_STEP_SUMMARY: summary });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("");
    const lines = result.output.trimEnd().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe(
      "::notice title=migsafe::2 more findings are not annotated (2 dangerous or fatal): GitHub shows 10 error and 10 warning annotations per step; the job summary has the full report.",
    );
    const markdown = await lint(["--format", "markdown", "migrations"], p.dir);
    expect(fs.readFileSync(summary, "utf8")).toBe(`# Earlier step output\n\n${markdown.output}`);
  });

  it("is written in GitHub Actions' default output too, and not without the github format", async () => {
    const p = project(drops(1));
    const summary = p.path("summary.md");
    await lint(["--format", "json", "migrations"], p.dir, { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary });
    expect(fs.existsSync(summary)).toBe(false);
    await lint(["migrations"], p.dir, { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary });
    expect(fs.readFileSync(summary, "utf8")).toMatch(/^<!-- migsafe-report -->\n\n## 🛑 migsafe: 1 dangerous finding in 1 of 2 migrations\n/);
  });

  it("is summarised to the room left within GitHub's 1 MiB, and skipped with a warning when there is none", async () => {
    const p = project(drops(30));
    const summary = p.path("summary.md");
    const earlier = "x".repeat(STEP_SUMMARY_MAX_BYTES - 5000);
    fs.writeFileSync(summary, earlier);
    await lint(["--format", "github", "migrations"], p.dir, { GITHUB_STEP_SUMMARY: summary });
    const written = fs.readFileSync(summary, "utf8");
    expect(Buffer.byteLength(written)).toBeLessThanOrEqual(STEP_SUMMARY_MAX_BYTES);
    expect(written.slice(earlier.length)).toMatch(/^\n<!-- migsafe-report -->\n[^]*This report is summarised to fit in 4,999 bytes/);

    const full = p.path("full.md");
    fs.writeFileSync(full, "x".repeat(STEP_SUMMARY_MAX_BYTES - 100));
    const result = await lint(["--format", "github", "migrations"], p.dir, { GITHUB_STEP_SUMMARY: full });
    expect(result.stderr).toBe(`migsafe: no room left in the step summary for the report (${STEP_SUMMARY_MAX_BYTES - 100} of ${STEP_SUMMARY_MAX_BYTES} bytes used)\n`);
    expect(fs.statSync(full).size).toBe(STEP_SUMMARY_MAX_BYTES - 100);
  });
});
