import { describe, expect, it } from "vitest";
import { useTempProjects } from "../cli/fixtures/temp-project.js";
import { migsafe } from "./state-cli.js";

const project = useTempProjects();

/** File names a pull request can add: one silences every later annotation, one forges a passing one. */
const HOSTILE_NAMES = ["::stop-commands::pwn.sql", "::error file=README,line=1::Looks good.sql", "  ::warning::indented.sql"];

/** Lines the GitHub Actions runner would read as workflow commands (it trims leading white space). */
function commandLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/).filter((line) => /^[\s\u0085]*::/.test(line));
}

/** An annotation migsafe wrote: `::error` or `::warning`, then escaped properties, then `::`. */
const OWN_ANNOTATION = /^::(error|warning) file=[^,:]*(,(line|col|endLine|endColumn)=\d+)*,title=migsafe(\/[a-z-]+)?::/;

describe("CI output: file names cannot become workflow commands", () => {
  function hostileProject() {
    const files: Record<string, string> = { "package.json": "{}" };
    for (const name of HOSTILE_NAMES) files[name] = "DROP TABLE users;\n";
    // An identifier whose line break would put a command at the start of a line of a multi-line report.
    files["identifier.sql"] = 'DROP TABLE "x\n::error file=README,line=1::Looks good";\n';
    return project(files);
  }

  it("the default report in GitHub Actions writes no command but migsafe's own annotations", () => {
    const p = hostileProject();
    const run = migsafe(["."], p.dir, { env: { GITHUB_ACTIONS: "true" } });
    expect(run.status).toBe(1);
    const commands = commandLines(run.stdout);
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line).toMatch(OWN_ANNOTATION);
    // Every hostile file is still reported, under a name that points to the same file.
    expect(run.stdout).toContain("./::stop-commands::pwn.sql");
    expect(run.stdout).toContain("./::error file=README,line=1::Looks good.sql");
  });

  it.each(["stylish", "compact", "markdown", "junit"])("--format %s writes no line that reads as a workflow command", (format) => {
    const p = hostileProject();
    const run = migsafe(["--format", format, "."], p.dir, { env: { GITHUB_ACTIONS: "true" } });
    expect(run.status).toBe(1);
    expect(commandLines(run.stdout)).toEqual([]);
    expect(commandLines(run.stderr)).toEqual([]);
  });

  it("--fix-dry-run's diff shows a migration's own `::` lines inert", () => {
    const p = project({ "package.json": "{}", "migrations/001.sql": "/*\n::error file=README,line=1::Looks good\n*/\nCREATE INDEX i ON t (c);\n" });
    const run = migsafe(["--fix-dry-run", "migrations"], p.dir, { env: { GITHUB_ACTIONS: "true" } });
    expect(run.stdout).toContain("\\x3a:error file=README");
    for (const line of commandLines(run.stdout)) expect(line).toMatch(OWN_ANNOTATION);
  });

  it("the github format escapes the names in its properties and data", () => {
    const p = hostileProject();
    const run = migsafe(["--format", "github", "."], p.dir);
    for (const line of commandLines(run.stdout)) expect(line).toMatch(OWN_ANNOTATION);
    expect(run.stdout).toContain("file=%3A%3Astop-commands%3A%3Apwn.sql,");
    expect(run.stdout).toContain("file=%3A%3Aerror file=README%2Cline=1%3A%3ALooks good.sql,");
  });

  it("GitLab's Markdown body shows identifiers as text", () => {
    const p = project({ "package.json": "{}", "migrations/001.sql": 'DROP TABLE "<img src=x onerror=alert(1)>";\n' });
    const run = migsafe(["--format", "gitlab", "migrations"], p.dir);
    const issues = JSON.parse(run.stdout) as { description: string; content?: { body: string } }[];
    const bodies = issues.flatMap((issue) => (issue.content ? [issue.content.body] : []));
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(body).not.toContain("<img");
  });
});
