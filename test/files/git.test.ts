import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changedSince, GitError, readFromIndex, repositoryRoot, stagedFiles, type StagedFile } from "../../src/files/git.js";

const DANGEROUS = "DROP TABLE users;\n";
const SAFE = "SELECT 1;\n";

// Every repository lives under `base`; git is kept from the machine's settings
// (a global commit.gpgsign would break commits) and from any repository above it.
let base = "";
const savedEnv = { ...process.env };

beforeAll(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migsafe-git-")));
  for (const key of Object.keys(process.env)) if (key.startsWith("GIT_")) delete process.env[key];
  Object.assign(process.env, {
    GIT_CONFIG_GLOBAL: os.devNull,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CEILING_DIRECTORIES: base,
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
  });
});

afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  fs.rmSync(base, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

interface Repo {
  dir: string;
  path(relative: string): string;
  write(relative: string, content: string | Uint8Array): void;
  git(...args: string[]): string;
  commitAll(message: string): string;
}

function folder(): string {
  return fs.mkdtempSync(path.join(base, "dir-"));
}

function newRepo(dir = folder()): Repo {
  git(dir, "init", "-q", "-b", "main");
  return openRepo(dir);
}

function openRepo(dir: string): Repo {
  return {
    dir,
    path: (relative) => path.join(dir, relative),
    write(relative, content) {
      const file = path.join(dir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    },
    git: (...args) => git(dir, ...args),
    commitAll(message) {
      git(dir, "add", "--all");
      git(dir, "commit", "-q", "-m", message);
      return git(dir, "rev-parse", "HEAD").trim();
    },
  };
}

function errorOf(action: () => unknown): { isGitError: boolean; message: string } {
  try {
    action();
  } catch (error) {
    return { isGitError: error instanceof GitError, message: (error as Error).message };
  }
  throw new Error("expected an error");
}

const asText = (files: StagedFile[]) => files.map((file) => ({ path: file.path, text: file.bytes.toString("utf8") }));

describe("repositoryRoot", () => {
  it("is the top of the work tree from a folder below it", () => {
    const repo = newRepo();
    fs.mkdirSync(repo.path("db/migrations"), { recursive: true });
    expect(repositoryRoot(repo.path("db/migrations"))).toBe(repo.dir);
    expect(repositoryRoot(repo.dir)).toBe(repo.dir);
  });

  it("keeps the path through a symbolic link to the repository, so that paths match the command line's", () => {
    const repo = newRepo();
    fs.mkdirSync(repo.path("migrations"));
    const link = path.join(folder(), "linked");
    fs.symlinkSync(repo.dir, link);
    expect(repositoryRoot(path.join(link, "migrations"))).toBe(link);
  });

  it("falls back to git's real path when the link leads into a folder below the root", () => {
    const repo = newRepo();
    fs.mkdirSync(repo.path("migrations"));
    const link = path.join(folder(), "migrations-link");
    fs.symlinkSync(repo.path("migrations"), link);
    expect(repositoryRoot(link)).toBe(repo.dir);
  });

  it("is undefined outside a repository, inside .git and when git is missing", () => {
    expect(repositoryRoot(folder())).toBeUndefined();
    const repo = newRepo();
    expect(repositoryRoot(repo.path(".git"))).toBeUndefined();
    const savedPath = process.env.PATH;
    process.env.PATH = folder();
    try {
      expect(repositoryRoot(repo.dir)).toBeUndefined();
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe("changedSince", () => {
  /** main: 001 and 002; feature modifies 002 and adds 003; then main modifies 001 and adds 004. */
  function divergedRepo() {
    const repo = newRepo();
    repo.write("migrations/001_users.sql", "CREATE TABLE users (id int);\n");
    repo.write("migrations/002_orders.sql", "CREATE TABLE orders (id int);\n");
    repo.write("README.md", "# app\n");
    const root = repo.commitAll("init");
    repo.git("switch", "-q", "-c", "feature");
    repo.write("migrations/002_orders.sql", "CREATE TABLE orders (id bigint);\n");
    repo.write("migrations/003_drop.sql", DANGEROUS);
    repo.commitAll("feature");
    repo.git("switch", "-q", "main");
    repo.write("migrations/001_users.sql", "CREATE TABLE users (id bigint);\n");
    repo.write("migrations/004_main_only.sql", SAFE);
    repo.commitAll("main moves on");
    repo.git("switch", "-q", "feature");
    return { repo, root };
  }

  it("lists what the branch added or modified since the merge base, not what differs from main's tip", () => {
    const { repo, root } = divergedRepo();
    expect(changedSince("main", repo.dir)).toEqual({
      files: [repo.path("migrations/002_orders.sql"), repo.path("migrations/003_drop.sql")],
      mergeBase: root,
    });
  });

  it("accepts any commit-ish: a commit id, a tag, a relative ref", () => {
    const { repo, root } = divergedRepo();
    repo.git("tag", "v1", root);
    const expected = { files: [repo.path("migrations/002_orders.sql"), repo.path("migrations/003_drop.sql")], mergeBase: root };
    expect(changedSince(root, repo.dir)).toEqual(expected);
    expect(changedSince("v1", repo.dir)).toEqual(expected);
    expect(changedSince("feature~1", repo.dir)).toEqual(expected);
  });

  it("adds uncommitted edits, staged or not, and untracked files that are not ignored", () => {
    const { repo, root } = divergedRepo();
    repo.write("migrations/001_users.sql", "CREATE TABLE users (id int, name text);\n");
    repo.write("migrations/005_staged.sql", SAFE);
    repo.git("add", "migrations/005_staged.sql");
    repo.write("migrations/006_untracked.sql", SAFE);
    repo.write("migrations/nested/007_untracked.sql", SAFE);
    repo.write(".gitignore", "*.tmp.sql\n");
    repo.write("migrations/008_scratch.tmp.sql", SAFE);
    // git lists an untracked nested repository as "vendor/tool/", a folder, not a file to lint.
    fs.mkdirSync(repo.path("vendor/tool"), { recursive: true });
    const nested = newRepo(repo.path("vendor/tool"));
    nested.write("001.sql", SAFE);
    nested.commitAll("nested");
    expect(changedSince("main", repo.dir)).toEqual({
      files: [
        repo.path(".gitignore"),
        repo.path("migrations/001_users.sql"),
        repo.path("migrations/002_orders.sql"),
        repo.path("migrations/003_drop.sql"),
        repo.path("migrations/005_staged.sql"),
        repo.path("migrations/006_untracked.sql"),
        repo.path("migrations/nested/007_untracked.sql"),
      ],
      mergeBase: root,
    });
  });

  it("lists a renamed file under its new name and leaves out deleted ones, committed or not", () => {
    const repo = newRepo();
    repo.write("migrations/001_a.sql", "CREATE TABLE a (id int);\n");
    repo.write("migrations/002_b.sql", "CREATE TABLE b (id int);\n");
    repo.write("migrations/003_c.sql", "CREATE TABLE c (id int);\n");
    const root = repo.commitAll("init");
    repo.git("switch", "-q", "-c", "feature");
    repo.git("mv", "migrations/001_a.sql", "migrations/001_a_renamed.sql");
    repo.git("rm", "-q", "migrations/002_b.sql");
    repo.write("migrations/004_d.sql", SAFE);
    repo.commitAll("rename, delete, add");
    fs.rmSync(repo.path("migrations/003_c.sql"));
    fs.rmSync(repo.path("migrations/004_d.sql"));
    expect(changedSince("main", repo.dir)).toEqual({ files: [repo.path("migrations/001_a_renamed.sql")], mergeBase: root });
  });

  it("lists a copy as an added file even when the user's config reports copies (which --diff-filter=AMR would drop)", () => {
    const repo = newRepo();
    const table = "CREATE TABLE a (id int);\nCOMMENT ON TABLE a IS 'a';\n";
    repo.write("migrations/001_a.sql", table);
    const root = repo.commitAll("init");
    repo.git("config", "diff.renames", "copies");
    repo.write("migrations/002_copy.sql", table);
    repo.write("migrations/001_a.sql", `${table}SELECT 1;\n`);
    repo.commitAll("copy");
    expect(changedSince(root, repo.dir)).toEqual({ files: [repo.path("migrations/001_a.sql"), repo.path("migrations/002_copy.sql")], mergeBase: root });
  });

  it("keeps file names with spaces, accents, symbols, tabs, quotes, backslashes and newlines intact", () => {
    const repo = newRepo();
    repo.write("README.md", "# app\n");
    const root = repo.commitAll("init");
    const names = [
      "migrations/001 add users.sql",
      "migrations/002_café_ñ_✓_表.sql",
      "migrations/003_new\nline.sql",
      'migrations/004_tab\tand "quotes" and \\back.sql',
    ];
    for (const name of names.slice(0, 3)) repo.write(name, SAFE);
    repo.commitAll("odd names");
    repo.write(names[3]!, SAFE);
    expect(changedSince("main~1", repo.dir)).toEqual({
      files: [
        repo.path("migrations/001 add users.sql"),
        repo.path("migrations/002_café_ñ_✓_表.sql"),
        repo.path("migrations/003_new\nline.sql"),
        repo.path('migrations/004_tab\tand "quotes" and \\back.sql'),
      ],
      mergeBase: root,
    });
  });

  it("lists the whole repository's changes from a folder below the root, under the path the caller used", () => {
    const { repo, root } = divergedRepo();
    repo.write("other/009_elsewhere.sql", SAFE);
    const link = path.join(folder(), "linked");
    fs.symlinkSync(repo.dir, link);
    expect(changedSince("main", path.join(link, "migrations"))).toEqual({
      files: [path.join(link, "migrations/002_orders.sql"), path.join(link, "migrations/003_drop.sql"), path.join(link, "other/009_elsewhere.sql")],
      mergeBase: root,
    });
  });

  it("is empty when nothing changed", () => {
    const { repo } = divergedRepo();
    const head = repo.git("rev-parse", "HEAD").trim();
    expect(changedSince("HEAD", repo.dir)).toEqual({ files: [], mergeBase: head });
  });

  it("refuses an unknown ref, and one that git would read as an option", () => {
    const { repo } = divergedRepo();
    expect(errorOf(() => changedSince("origin/mian", repo.dir))).toEqual({
      isGitError: true,
      message: "unknown git ref 'origin/mian' for --changed-since",
    });
    expect(errorOf(() => changedSince("--all", repo.dir))).toEqual({ isGitError: true, message: "unknown git ref '--all' for --changed-since" });
    expect(errorOf(() => changedSince("", repo.dir))).toEqual({ isGitError: true, message: "unknown git ref '' for --changed-since" });
  });

  it("refuses a ref that names something other than a commit", () => {
    const { repo } = divergedRepo();
    const blob = repo.git("rev-parse", "HEAD:README.md").trim();
    expect(errorOf(() => changedSince(blob, repo.dir))).toEqual({ isGitError: true, message: `unknown git ref '${blob}' for --changed-since` });
  });

  it("says so outside a repository", () => {
    const dir = folder();
    expect(errorOf(() => changedSince("main", dir))).toEqual({
      isGitError: true,
      message: `--changed-since needs a git repository: ${dir} is not inside one`,
    });
  });

  it("passes on git's reason when it will not use the folder as a work tree", () => {
    const repo = newRepo();
    expect(errorOf(() => changedSince("main", repo.path(".git")))).toEqual({
      isGitError: true,
      message: `--changed-since needs a git repository: git cannot use ${repo.path(".git")}: this operation must be run in a work tree`,
    });
  });

  it("says when git is not installed", () => {
    const { repo } = divergedRepo();
    const savedPath = process.env.PATH;
    process.env.PATH = folder();
    try {
      expect(errorOf(() => changedSince("main", repo.dir))).toEqual({ isGitError: true, message: "git is not installed or not on the PATH" });
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it("says when HEAD has no commits yet", () => {
    const { repo } = divergedRepo();
    repo.git("switch", "-q", "--orphan", "fresh");
    expect(errorOf(() => changedSince("main", repo.dir))).toEqual({
      isGitError: true,
      message: "--changed-since needs a commit to compare with: HEAD has no commits yet",
    });
  });

  it("says when the histories are unrelated", () => {
    const { repo } = divergedRepo();
    repo.git("switch", "-q", "--orphan", "other");
    repo.write("other.sql", SAFE);
    repo.commitAll("unrelated");
    expect(errorOf(() => changedSince("main", repo.dir))).toEqual({
      isGitError: true,
      message: "'main' and HEAD have no common ancestor (unrelated histories), so --changed-since has no merge base to compare with",
    });
  });

  it("asks for more history in a shallow clone without the merge base, and works once it is fetched", () => {
    const origin = newRepo();
    origin.write("migrations/001_users.sql", "CREATE TABLE users (id int);\n");
    const root = origin.commitAll("init");
    origin.git("switch", "-q", "-c", "feature");
    origin.write("migrations/002_drop.sql", DANGEROUS);
    origin.commitAll("feature 1");
    origin.write("migrations/003_index.sql", "CREATE INDEX ON users (id);\n");
    origin.commitAll("feature 2");
    origin.git("switch", "-q", "main");
    origin.write("migrations/001_users.sql", "CREATE TABLE users (id bigint);\n");
    origin.commitAll("main moves on");

    const cloneDir = path.join(folder(), "clone");
    git(base, "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature", `file://${origin.dir}`, cloneDir);
    expect(errorOf(() => changedSince("origin/main", cloneDir))).toEqual({
      isGitError: true,
      message:
        "no merge base between 'origin/main' and HEAD in this shallow clone: fetch more history for --changed-since (fetch-depth: 0 in actions/checkout, or git fetch --unshallow)",
    });

    git(cloneDir, "fetch", "-q", "--unshallow");
    expect(changedSince("origin/main", cloneDir)).toEqual({
      files: [path.join(cloneDir, "migrations/002_drop.sql"), path.join(cloneDir, "migrations/003_index.sql")],
      mergeBase: root,
    });
  });
});

describe("stagedFiles", () => {
  it("reads the staged content, not the working tree's, in both directions", () => {
    const repo = newRepo();
    repo.write("README.md", "# app\n");
    repo.commitAll("init");
    repo.write("migrations/001_staged_dangerous.sql", DANGEROUS);
    repo.write("migrations/002_staged_safe.sql", SAFE);
    repo.git("add", "migrations");
    repo.write("migrations/001_staged_dangerous.sql", SAFE);
    repo.write("migrations/002_staged_safe.sql", DANGEROUS);
    expect(asText(stagedFiles(repo.dir))).toEqual([
      { path: repo.path("migrations/001_staged_dangerous.sql"), text: DANGEROUS },
      { path: repo.path("migrations/002_staged_safe.sql"), text: SAFE },
    ]);
  });

  it("lists files staged as added, modified or renamed, and nothing unstaged, deleted, linked or untracked", () => {
    const repo = newRepo();
    for (const name of ["modified", "unstaged", "deleted", "renamed"]) repo.write(`migrations/${name}.sql`, `-- ${name}\n`);
    repo.commitAll("init");
    repo.write("migrations/modified.sql", "-- modified, staged\n");
    repo.git("add", "migrations/modified.sql");
    repo.write("migrations/unstaged.sql", DANGEROUS);
    repo.git("rm", "-q", "migrations/deleted.sql");
    repo.git("mv", "migrations/renamed.sql", "migrations/renamed_new.sql");
    repo.write("migrations/executable.sql", SAFE);
    fs.chmodSync(repo.path("migrations/executable.sql"), 0o755);
    fs.symlinkSync("modified.sql", repo.path("migrations/link.sql"));
    repo.git("add", "migrations/executable.sql", "migrations/link.sql");
    repo.write("migrations/untracked.sql", DANGEROUS);
    expect(asText(stagedFiles(repo.dir))).toEqual([
      { path: repo.path("migrations/executable.sql"), text: SAFE },
      { path: repo.path("migrations/modified.sql"), text: "-- modified, staged\n" },
      { path: repo.path("migrations/renamed_new.sql"), text: "-- renamed\n" },
    ]);
  });

  it("keeps a staged file whose working copy was deleted since", () => {
    const repo = newRepo();
    repo.write("README.md", "# app\n");
    repo.commitAll("init");
    repo.write("migrations/001_gone.sql", DANGEROUS);
    repo.git("add", "migrations");
    fs.rmSync(repo.path("migrations/001_gone.sql"));
    expect(asText(stagedFiles(repo.dir))).toEqual([{ path: repo.path("migrations/001_gone.sql"), text: DANGEROUS }]);
  });

  it("returns the bytes as staged: a BOM, CRLF, invalid UTF-8 and NUL bytes untouched", () => {
    const repo = newRepo();
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x53, 0x45, 0x4c, 0x0d, 0x0a, 0xe9, 0x00, 0x0a]);
    repo.write("migrations/001_raw.sql", bytes);
    repo.git("add", "migrations");
    expect(stagedFiles(repo.dir)).toEqual([{ path: repo.path("migrations/001_raw.sql"), bytes }]);
  });

  it("works before the first commit, from a folder below the root, with odd file names", () => {
    const repo = newRepo();
    repo.write("migrations/001 add users.sql", SAFE);
    repo.write("migrations/002_café_✓_表.sql", DANGEROUS);
    repo.write("migrations/003_new\nline.sql", SAFE);
    repo.write('migrations/004_tab\tand "quotes" and \\back.sql', DANGEROUS);
    repo.git("add", "migrations");
    expect(asText(stagedFiles(repo.path("migrations")))).toEqual([
      { path: repo.path("migrations/001 add users.sql"), text: SAFE },
      { path: repo.path("migrations/002_café_✓_表.sql"), text: DANGEROUS },
      { path: repo.path("migrations/003_new\nline.sql"), text: SAFE },
      { path: repo.path('migrations/004_tab\tand "quotes" and \\back.sql'), text: DANGEROUS },
    ]);
  });

  it("reads the index named by GIT_INDEX_FILE, as a hook under `git commit <paths>` must", () => {
    const repo = newRepo();
    repo.write("README.md", "# app\n");
    repo.commitAll("init");
    repo.write("migrations/001_drop.sql", DANGEROUS);
    const otherIndex = path.join(folder(), "index");
    fs.copyFileSync(repo.path(".git/index"), otherIndex);
    const added = spawnSync("git", ["add", "migrations"], { cwd: repo.dir, env: { ...process.env, GIT_INDEX_FILE: otherIndex } });
    expect(added.status).toBe(0);
    expect(stagedFiles(repo.dir)).toEqual([]);
    process.env.GIT_INDEX_FILE = otherIndex;
    try {
      expect(asText(stagedFiles(repo.dir))).toEqual([{ path: repo.path("migrations/001_drop.sql"), text: DANGEROUS }]);
    } finally {
      delete process.env.GIT_INDEX_FILE;
    }
  });

  it("is empty when nothing is staged", () => {
    const repo = newRepo();
    repo.write("migrations/001_drop.sql", DANGEROUS);
    repo.commitAll("init");
    repo.write("migrations/001_drop.sql", SAFE);
    expect(stagedFiles(repo.dir)).toEqual([]);
  });

  it("says so outside a repository", () => {
    const dir = folder();
    expect(errorOf(() => stagedFiles(dir))).toEqual({ isGitError: true, message: `--staged needs a git repository: ${dir} is not inside one` });
  });
});

describe("readFromIndex", () => {
  it("reads the given files as staged and leaves out the ones the index does not hold as plain files", () => {
    const repo = newRepo();
    repo.write("migrations/001_up.sql", DANGEROUS);
    repo.write("migrations/001_down.sql", "-- committed rollback\n");
    repo.commitAll("init");
    repo.write("migrations/001_down.sql", "-- edited, not staged\n");
    repo.write("migrations/002_up.sql", SAFE);
    repo.write("migrations/002_down.sql", "-- staged rollback\n");
    repo.git("add", "migrations/002_up.sql", "migrations/002_down.sql");
    repo.write("migrations/002_down.sql", "-- edited after staging\n");
    repo.write("migrations/003_down.sql", "-- untracked\n");
    fs.symlinkSync("001_down.sql", repo.path("migrations/004_down.sql"));
    repo.git("add", "migrations/004_down.sql");

    const asked = ["001_down.sql", "002_down.sql", "003_down.sql", "004_down.sql", "005_missing.sql"].map((name) => repo.path(`migrations/${name}`));
    const read = readFromIndex(asked, repo.path("migrations"));
    expect([...read].map(([file, bytes]) => [file, bytes.toString("utf8")])).toEqual([
      [repo.path("migrations/001_down.sql"), "-- committed rollback\n"],
      [repo.path("migrations/002_down.sql"), "-- staged rollback\n"],
    ]);
  });

  it("is empty when asked for nothing", () => {
    const repo = newRepo();
    expect(readFromIndex([], repo.dir)).toEqual(new Map());
  });
});
