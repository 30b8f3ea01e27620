import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import dropTable from "../../rules/drop-table.js";
import { run } from "../../src/cli/run.js";
import { useTempProjects, type TempProject } from "./fixtures/temp-project.js";

// The CLI side of --changed-since and --staged; src/files/git.ts has its own tests for git's corner cases.
const project = useTempProjects();
const rules = [dropTable];
const DROP = "DROP TABLE users;\n";

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.test",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.test",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

function git(p: TempProject, ...args: string[]): string {
  return execFileSync("git", args, { cwd: p.dir, env: gitEnv, encoding: "utf8" });
}

function repository(files: Record<string, string>): TempProject {
  const p = project(files);
  git(p, "init", "-q", "-b", "main");
  git(p, "add", "-A");
  git(p, "commit", "-q", "-m", "history");
  return p;
}

async function lintedFiles(p: TempProject, ...argv: string[]) {
  const result = await run(["--format", "compact", ...argv], { cwd: p.dir, env: {}, rules });
  return { ...result, lines: result.output.split("\n").filter(Boolean) };
}

describe("--changed-since", () => {
  it("lints only the migrations added or modified on the branch, not the history", async () => {
    const p = repository({ "migrations/001_old.sql": DROP, "migrations/002_old.sql": "SELECT 1;\n", "docs/notes.sql": DROP });
    git(p, "checkout", "-q", "-b", "feature");
    p.write("migrations/003_new.sql", "DROP TABLE orders;\n");
    p.write("migrations/002_old.sql", "SELECT 1;\nDROP TABLE accounts;\n");
    p.write("docs/notes.sql", "DROP TABLE notes;\n");
    git(p, "add", "-A");
    git(p, "commit", "-q", "-m", "feature");
    const result = await lintedFiles(p, "--changed-since", "main");
    expect(result.lines.map((line) => line.split(" ").slice(0, 3).join(" "))).toEqual([
      "migrations/002_old.sql:2:1: dangerous drop-table",
      "migrations/003_new.sql:1:1: dangerous drop-table",
    ]);
    expect(result.exitCode).toBe(1);
  });

  it("narrows to the paths given", async () => {
    const p = repository({ "db/a/001.sql": "SELECT 1;\n" });
    git(p, "checkout", "-q", "-b", "feature");
    p.write("db/a/002.sql", DROP);
    p.write("db/b/002.sql", DROP);
    const result = await lintedFiles(p, "--changed-since", "main", "db/b");
    expect(result.lines).toEqual([expect.stringMatching(/^db\/b\/002.sql:1:1: dangerous drop-table /)]);
  });

  it("passes when the branch changes no migration", async () => {
    const p = repository({ "migrations/001.sql": DROP });
    const result = await run(["--changed-since", "main"], { cwd: p.dir, env: {}, rules });
    expect(result).toEqual({ output: "✔ No problems found in 0 files\n", stderr: "", exitCode: 0 });
  });

  it("exits 2 with one line for an unknown ref or outside a repository", async () => {
    const p = repository({ "migrations/001.sql": DROP });
    const unknown = await run(["--changed-since", "origin/mian"], { cwd: p.dir, env: {}, rules });
    expect(unknown).toEqual({ output: "", stderr: expect.stringMatching(/^migsafe: unknown git ref 'origin\/mian'[^\n]*\n$/) as unknown, exitCode: 2 });
    const outside = project({ "migrations/001.sql": DROP });
    const result = await run(["--changed-since", "main"], { cwd: outside.dir, env: { GIT_CEILING_DIRECTORIES: outside.dir }, rules });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^migsafe: --changed-since needs a git repository[^\n]*\n$/);
  });
});

describe("--staged", () => {
  it("lints what is staged, not the working tree", async () => {
    const p = repository({ "migrations/001.sql": "SELECT 1;\n" });
    p.write("migrations/002_drop.sql", DROP);
    git(p, "add", "migrations/002_drop.sql");
    p.write("migrations/002_drop.sql", "SELECT 1;\n"); // fixed in the working tree, not staged
    p.write("migrations/003_unstaged.sql", DROP);
    const staged = await lintedFiles(p, "--staged");
    expect(staged.lines).toEqual([expect.stringMatching(/^migrations\/002_drop.sql:1:1: dangerous drop-table /)]);
    expect(staged.exitCode).toBe(1);

    git(p, "add", "migrations/002_drop.sql");
    expect(await run(["--staged"], { cwd: p.dir, env: {}, rules })).toEqual({ output: "✔ No problems found in 1 file\n", stderr: "", exitCode: 0 });
  });

  it("checks a staged rollback against its forward migration as the index has it, not as the working tree does", async () => {
    const p = repository({ "migrations/001_users.sql": "CREATE TABLE users (id bigint);\n" });
    p.write("migrations/001_users.sql", "CREATE TABLE accounts (id bigint);\n"); // edited, not staged
    p.write("migrations/001_users_rollback.sql", DROP);
    git(p, "add", "migrations/001_users_rollback.sql");
    // The working tree's forward migration no longer creates users: dropping it is reported.
    expect((await lintedFiles(p, "migrations/001_users_rollback.sql")).lines).toEqual([expect.stringMatching(/^migrations\/001_users_rollback.sql:1:1: dangerous drop-table /)]);
    // What is being committed undoes the staged forward migration: nothing to report.
    expect(await run(["--staged"], { cwd: p.dir, env: {}, rules })).toEqual({ output: "✔ No problems found in 1 file\n", stderr: "", exitCode: 0 });
  });

  it("reports a staged file that is not UTF-8 as that file's error", async () => {
    const p = repository({ "migrations/001.sql": "SELECT 1;\n" });
    p.write("migrations/002.sql", Uint8Array.from([0x41, 0xff]));
    git(p, "add", "-A");
    const result = await lintedFiles(p, "--staged");
    expect(result.lines).toEqual(["migrations/002.sql:1:1: error parse-error not valid UTF-8: save the migration as UTF-8"]);
    expect(result.exitCode).toBe(2);
  });
});
