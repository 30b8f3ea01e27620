import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lint, lintText, MigsafeError, type LintReport } from "../src/index.js";
import { run } from "../src/cli/run.js";
import { useTempProjects } from "./cli/fixtures/temp-project.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const project = useTempProjects();

/** Findings as plain positions, comparable across front ends. */
function positions(results: LintReport["results"]) {
  return results.map((result) => ({
    file: path.relative(root, result.filePath),
    findings: result.findings.map((f) => `${f.ruleId}@${f.loc.start.line}:${f.loc.start.column}-${f.loc.end.line}:${f.loc.end.column}/${f.severity}`),
    errors: result.errors.map((e) => e.message),
  }));
}

describe("lint()", () => {
  it("reports what the CLI reports on the guide's migrations, with its exit code", async () => {
    const report = await lint(["fixtures/guide"], { cwd: root });
    const cli = await run(["--format", "json", "fixtures/guide"], { cwd: root, env: {} });
    const json = JSON.parse(cli.output) as { filePath: string; messages: { ruleId: string; line: number; column: number; endLine: number; endColumn: number; severity: number }[] }[];
    expect(
      positions(report.results).map(({ file, findings }) => ({ file, findings: findings.map((f) => f.replace(/\/(dangerous|careful)$/, (_, s: string) => `/${s === "dangerous" ? 2 : 1}`)) })),
    ).toEqual(
      json.map((file) => ({
        file: path.relative(root, file.filePath),
        findings: file.messages.map((m) => `${m.ruleId}@${m.line}:${m.column}-${m.endLine}:${m.endColumn}/${m.severity}`),
      })),
    );
    expect(report.exitCode).toBe(cli.exitCode);
    expect([report.dangerous, report.careful, report.filesWithErrors]).toEqual([
      report.results.flatMap((r) => r.findings).filter((f) => f.severity === "dangerous").length,
      report.results.flatMap((r) => r.findings).filter((f) => f.severity === "careful").length,
      0,
    ]);
    expect(report.dangerous).toBeGreaterThan(0);
  });

  it("gives each file its nearest configuration, and the same findings as lintText", async () => {
    const p = project({
      "migrations/001_drop.sql": "DROP TABLE users;\n",
      "migrations/001_drop_rollback.sql": "CREATE TABLE users (id bigint);\n",
      "legacy/migrations/001_drop.sql": "DROP TABLE users;\n",
      "legacy/migrations/001_drop_rollback.sql": "CREATE TABLE users (id bigint);\n",
      "legacy/migsafe.config.json": JSON.stringify({ rules: { "drop-table": "off" } }),
    });
    const report = await lint(["migrations", "legacy/migrations"], { cwd: p.dir });
    const ids = (file: string) => report.results.find((r) => r.filePath === p.path(file))!.findings.map((f) => f.ruleId);
    expect(ids("legacy/migrations/001_drop.sql")).not.toContain("drop-table");
    expect(ids("migrations/001_drop.sql")).toContain("drop-table");
    const single = await lintText(fs.readFileSync(p.path("migrations/001_drop.sql"), "utf8"), { filePath: p.path("migrations/001_drop.sql") });
    expect(single.findings).toEqual(report.results.find((r) => r.filePath === p.path("migrations/001_drop.sql"))!.findings);
    expect(report.exitCode).toBe(1);
  });

  it("throws a MigsafeError with one line for bad configuration or no migration folder", async () => {
    const p = project({ "migrations/001.sql": "SELECT 1;\n", "migsafe.config.json": '{ "rules": { "no-such-rule": "off" } }' });
    await expect(lint(["migrations"], { cwd: p.dir })).rejects.toThrow(new MigsafeError('migsafe.config.json: unknown rule "no-such-rule" in "rules"'));
    const empty = project();
    await expect(lint([], { cwd: empty.dir })).rejects.toBeInstanceOf(MigsafeError);
  });

  it("reports an unreadable file in its result, with exit code 2, never as an exception", async () => {
    const p = project({ "migrations/001.sql": "SELECT 1;\n" });
    const report = await lint(["migrations/001.sql", "migrations/missing.sql"], { cwd: p.dir });
    expect(report.results.map((r) => [path.basename(r.filePath), r.errors.map((e) => e.message)])).toEqual([
      ["001.sql", []],
      ["missing.sql", ["file not found"]],
    ]);
    expect([report.filesWithErrors, report.exitCode]).toEqual([1, 2]);
  });
});
