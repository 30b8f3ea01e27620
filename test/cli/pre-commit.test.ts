import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import picomatch from "picomatch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";

// The real pre-commit (Debian's package; .ci/run installs it) runs migsafe from this repository, as users' configs do.
// pre-commit clones the hook repository at a commit, so the hook source is a snapshot of the working tree in a
// temporary repository: the hook as the next commit would ship it (in CI, a clean clone, that is HEAD).

const repositoryRoot = path.resolve(fileURLToPath(import.meta.url), "../../..");
const preCommitInstalled = spawnSync("pre-commit", ["--version"]).status === 0;
// Installing the hook's environment runs npm install (with the build) and npm pack in the snapshot: ≈40 s here.
const INSTALL_TIMEOUT = 10 * 60_000;
const COMMIT_TIMEOUT = 2 * 60_000;

/** pre-commit's status line for a hook when there is no terminal: the name, dots, the status, 79 columns in all. */
function statusLine(status: "Passed" | "Failed"): string {
  return `${"migsafe".padEnd(79 - status.length, ".")}${status}\n`;
}

const title = preCommitInstalled ? "the pre-commit hook" : "the pre-commit hook (skipped: pre-commit is not installed; apt-get install pre-commit)";

// Locally the test may be skipped; in CI a missing pre-commit is a failure, since .ci/run installs it.
describe.skipIf(!preCommitInstalled && !process.env.CI)(title, () => {
  let work: string;
  let project: string;
  let env: NodeJS.ProcessEnv;

  function exec(command: string, args: string[], cwd = project) {
    return spawnSync(command, args, { cwd, env, encoding: "utf8" });
  }

  function git(cwd: string, ...args: string[]): string {
    const result = exec("git", args, cwd);
    if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed:\n${result.stderr}`);
    return result.stdout;
  }

  function write(relative: string, content: string): void {
    fs.mkdirSync(path.dirname(path.join(project, relative)), { recursive: true });
    fs.writeFileSync(path.join(project, relative), content);
  }

  beforeAll(() => {
    if (!preCommitInstalled) throw new Error("pre-commit is not installed: .ci/run installs it with apt-get (apt-get install pre-commit)");
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-pre-commit-")));
    fs.writeFileSync(path.join(work, "gitconfig"), "");
    env = hermeticEnv(work);

    const hookSource = path.join(work, "hook-source");
    snapshotWorkingTree(hookSource);
    git(hookSource, "init", "-q", "-b", "main");
    git(hookSource, "add", "-A");
    git(hookSource, "commit", "-q", "-m", "snapshot of the working tree");
    const rev = git(hookSource, "rev-parse", "HEAD").trim();

    project = path.join(work, "project");
    fs.mkdirSync(project);
    git(project, "init", "-q", "-b", "main");
    write(".pre-commit-config.yaml", `repos:\n  - repo: ${hookSource}\n    rev: ${rev}\n    hooks:\n      - id: migsafe\n`);
    git(project, "add", ".pre-commit-config.yaml");

    const install = exec("pre-commit", ["install"]);
    expect(install.stdout).toBe("pre-commit installed at .git/hooks/pre-commit\n");
    expect(install.status).toBe(0);
    // Once here, so that each commit's output is the hook's alone.
    const installHooks = exec("pre-commit", ["install-hooks"]);
    if (installHooks.status !== 0) throw new Error(`pre-commit install-hooks failed:\n${installHooks.stdout}${installHooks.stderr}`);
  }, INSTALL_TIMEOUT);

  afterEach(() => {
    if (!project) return;
    git(project, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "migrations");
    fs.rmSync(path.join(project, "migrations"), { recursive: true, force: true });
  });

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it(
    "refuses a commit that adds a dangerous migration and prints migsafe's report",
    async () => {
      write("migrations/001_drop.sql", "DROP TABLE users;\n");
      git(project, "add", "migrations/001_drop.sql");
      const commitsBefore = git(project, "rev-list", "--all", "--count");

      const commit = exec("git", ["commit", "-q", "-m", "drop users"]);

      const report = await run(["migrations/001_drop.sql"], { cwd: project, env: {}, isTTY: false });
      expect(report.output).toContain("migrations/001_drop.sql\n  1:1  dangerous  DROP TABLE users deletes the table and its rows (ACCESS EXCLUSIVE)");
      expect(report.output).toMatch(/ drop-table\n/);
      // git runs the hook with its output on stderr; pre-commit shows the hook's whole output when it fails.
      expect(commit.stderr).toBe(`${statusLine("Failed")}- hook id: migsafe\n- exit code: 1\n\n${report.output}\n`);
      expect(commit.stdout).toBe("");
      expect(commit.status).toBe(1);
      expect(git(project, "rev-list", "--all", "--count")).toBe(commitsBefore);
    },
    COMMIT_TIMEOUT,
  );

  it(
    "lets a commit with a safe migration and its rollback through",
    () => {
      write("migrations/002_accounts.sql", "SET lock_timeout = '5s';\nCREATE TABLE IF NOT EXISTS accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\n");
      write("migrations/002_accounts_rollback.sql", "SET lock_timeout = '5s';\nDROP TABLE IF EXISTS accounts;\n");
      write("notes.txt", "not SQL: pre-commit does not pass it to migsafe\n");
      git(project, "add", "migrations", "notes.txt");

      const commit = exec("git", ["commit", "-q", "-m", "accounts"]);

      expect(commit.stderr).toBe(statusLine("Passed"));
      expect(commit.stdout).toBe("");
      expect(commit.status).toBe(0);
      expect(git(project, "ls-tree", "-r", "--name-only", "HEAD")).toBe(
        ".pre-commit-config.yaml\nmigrations/002_accounts.sql\nmigrations/002_accounts_rollback.sql\nnotes.txt\n",
      );
    },
    COMMIT_TIMEOUT,
  );
});

/**
 * The environment of git and pre-commit: no user or system git configuration (a global core.hooksPath makes
 * pre-commit install refuse), a commit identity, pre-commit's cache in the temp folder, no colours, and none of
 * the npm_* variables `npm test` sets, which would reach the npm pre-commit runs in the hook repository.
 */
function hermeticEnv(work: string): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !name.startsWith("npm_") && !name.startsWith("GIT_") && !name.startsWith("PRE_COMMIT") && name !== "FORCE_COLOR",
  );
  return {
    ...Object.fromEntries(inherited),
    GIT_CONFIG_GLOBAL: path.join(work, "gitconfig"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "migsafe test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "migsafe test",
    GIT_COMMITTER_EMAIL: "test@example.com",
    PRE_COMMIT_HOME: path.join(work, "pre-commit-home"),
    PRE_COMMIT_COLOR: "never",
    NO_COLOR: "1",
  };
}

/** Copies what a commit of the working tree would hold: every file but .git and what .gitignore ignores. */
function snapshotWorkingTree(destination: string): void {
  const ignored = gitignoreMatcher(path.join(repositoryRoot, ".gitignore"));
  fs.cpSync(repositoryRoot, destination, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(repositoryRoot, source).split(path.sep).join("/");
      return relative === "" || (relative !== ".git" && !ignored(relative));
    },
  });
}

/** The .gitignore patterns this repository uses: names (`dist/`, `*.log`) at any depth, or paths from the root. */
function gitignoreMatcher(file: string): (relative: string) => boolean {
  const patterns = fs
    .readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const unsupported = patterns.find((pattern) => pattern.startsWith("!"));
  if (unsupported) throw new Error(`snapshotWorkingTree does not handle the negated .gitignore pattern ${unsupported}`);
  const globs = patterns.map((pattern) => pattern.replace(/\/$/, "")).map((pattern) => (pattern.includes("/") ? pattern.replace(/^\//, "") : `**/${pattern}`));
  return picomatch(globs, { dot: true });
}
