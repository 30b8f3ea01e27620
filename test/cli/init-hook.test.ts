import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HOOK_TOOLS, type HookTool } from "../../src/cli/args.js";
import { GIT_HOOK_SCRIPT, initHook } from "../../src/cli/init-hook.js";
import { useTempProjects } from "./fixtures/temp-project.js";

const project = useTempProjects();
const version = (JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

const WROTE = "before each commit it runs npx --no-install migsafe --staged (install migsafe in the project; git commit --no-verify skips the hook once)";

// The user's own git configuration (a global core.hooksPath, say) must not decide where hooks go here.
beforeEach(() => {
  const emptyConfig = project().write("gitconfig", "");
  vi.stubEnv("GIT_CONFIG_GLOBAL", emptyConfig);
  vi.stubEnv("GIT_CONFIG_NOSYSTEM", "1");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A temp project that is a git repository with one commit, so that worktrees can be added. */
function repository() {
  const p = project({ "README.md": "# app\n" });
  git(p.dir, "init", "-q", "-b", "main");
  git(p.dir, "add", "README.md");
  git(p.dir, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "init");
  return p;
}

function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

describe("migsafe init-hook", () => {
  it("writes an executable .git/hooks/pre-commit that runs migsafe on the staged files", () => {
    const p = repository();
    expect(initHook({ cwd: p.dir, force: false })).toEqual({
      output: `Wrote .git/hooks/pre-commit: ${WROTE}\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(p.read(".git/hooks/pre-commit")).toBe(
      "#!/bin/sh\n" +
        "# Written by `migsafe init-hook`: lints the staged migration files before each commit.\n" +
        "# git commit --no-verify skips it once.\n" +
        "exec npx --no-install migsafe --staged\n",
    );
    expect(modeOf(p.path(".git/hooks/pre-commit"))).toBe(0o755);
  });

  it("writes a hook git runs on commit, from the top of the work tree, and whose failure refuses the commit", () => {
    const p = repository();
    initHook({ cwd: p.dir, force: false });
    // A stand-in npx that records how it was called and fails, as migsafe does on a dangerous finding.
    const log = p.path("npx.log");
    p.write("bin/npx", '#!/bin/sh\necho "$PWD $*" > "$NPX_LOG"\nexit 1\n');
    fs.chmodSync(p.path("bin/npx"), 0o755);
    p.write("migrations/001_drop.sql", "DROP TABLE users;\n");
    git(p.dir, "add", "migrations");
    const commit = spawnSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "drop"], {
      cwd: p.path("migrations"),
      encoding: "utf8",
      env: { ...process.env, PATH: `${p.path("bin")}${path.delimiter}${process.env.PATH}`, NPX_LOG: log },
    });
    expect(commit.status).toBe(1);
    expect(fs.readFileSync(log, "utf8")).toBe(`${p.dir} --no-install migsafe --staged\n`);
    expect(git(p.dir, "rev-list", "--count", "HEAD")).toBe("1\n");
  });

  it("never overwrites an existing hook without --force", () => {
    const p = repository();
    p.write(".git/hooks/pre-commit", "#!/bin/sh\nnpm test\n");
    expect(initHook({ cwd: p.dir, force: false })).toEqual({
      output: "",
      stderr:
        "migsafe: .git/hooks/pre-commit already exists; add 'npx --no-install migsafe --staged' to it, " +
        "or run migsafe init-hook --force to replace it (the old hook is kept as pre-commit.migsafe-backup)\n",
      exitCode: 2,
    });
    expect(p.read(".git/hooks/pre-commit")).toBe("#!/bin/sh\nnpm test\n");
    expect(fs.existsSync(p.path(".git/hooks/pre-commit.migsafe-backup"))).toBe(false);
  });

  it("replaces an existing hook with --force, keeping the old one as pre-commit.migsafe-backup", () => {
    const p = repository();
    p.write(".git/hooks/pre-commit", "#!/bin/sh\nnpm test\n");
    p.write(".git/hooks/pre-commit.migsafe-backup", "an older backup\n");
    expect(initHook({ cwd: p.dir, force: true })).toEqual({
      output: `Wrote .git/hooks/pre-commit: ${WROTE}\nthe previous hook is kept as .git/hooks/pre-commit.migsafe-backup\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(p.read(".git/hooks/pre-commit")).toBe(GIT_HOOK_SCRIPT);
    expect(modeOf(p.path(".git/hooks/pre-commit"))).toBe(0o755);
    expect(p.read(".git/hooks/pre-commit.migsafe-backup")).toBe("#!/bin/sh\nnpm test\n");
  });

  it("succeeds without --force and without a backup when the hook is already migsafe's", () => {
    const p = repository();
    initHook({ cwd: p.dir, force: false });
    fs.chmodSync(p.path(".git/hooks/pre-commit"), 0o644);
    expect(initHook({ cwd: p.dir, force: false })).toEqual({
      output: ".git/hooks/pre-commit already runs npx --no-install migsafe --staged\n",
      stderr: "",
      exitCode: 0,
    });
    expect(modeOf(p.path(".git/hooks/pre-commit"))).toBe(0o755);
    expect(fs.existsSync(p.path(".git/hooks/pre-commit.migsafe-backup"))).toBe(false);
  });

  it("treats a symlinked hook as someone else's: refuses it, and with --force moves the link aside without writing through it", () => {
    const p = repository();
    const target = p.write("scripts/hook.sh", "#!/bin/sh\nmake check\n");
    fs.symlinkSync(target, p.path(".git/hooks/pre-commit"));
    expect(initHook({ cwd: p.dir, force: false }).exitCode).toBe(2);
    expect(initHook({ cwd: p.dir, force: true }).exitCode).toBe(0);
    expect(p.read("scripts/hook.sh")).toBe("#!/bin/sh\nmake check\n");
    expect(fs.readlinkSync(p.path(".git/hooks/pre-commit.migsafe-backup"))).toBe(target);
    expect(fs.lstatSync(p.path(".git/hooks/pre-commit")).isFile()).toBe(true);
    expect(p.read(".git/hooks/pre-commit")).toBe(GIT_HOOK_SCRIPT);
  });

  it("writes to core.hooksPath, creating the folder, and shows the path relative to where it runs", () => {
    const p = repository();
    git(p.dir, "config", "core.hooksPath", ".githooks");
    fs.mkdirSync(p.path("db"));
    expect(initHook({ cwd: p.path("db"), force: false })).toEqual({
      output: `Wrote ../.githooks/pre-commit: ${WROTE}\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(p.read(".githooks/pre-commit")).toBe(GIT_HOOK_SCRIPT);
    expect(modeOf(p.path(".githooks/pre-commit"))).toBe(0o755);
    expect(fs.existsSync(p.path(".git/hooks/pre-commit"))).toBe(false);
  });

  it("writes the hook of a linked worktree where git runs it: the main repository's hooks folder", () => {
    const p = repository();
    const worktree = p.path("wt");
    git(p.dir, "worktree", "add", "-q", worktree);
    expect(initHook({ cwd: worktree, force: false })).toEqual({
      output: `Wrote ../.git/hooks/pre-commit: ${WROTE}\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(p.read(".git/hooks/pre-commit")).toBe(GIT_HOOK_SCRIPT);
  });

  it("fails with exit code 2 outside a git repository", () => {
    const p = project();
    expect(initHook({ cwd: p.dir, force: false })).toEqual({
      output: "",
      stderr: `migsafe: ${p.dir} is not in a git repository; run migsafe init-hook in your project, or print a snippet with --print <tool>\n`,
      exitCode: 2,
    });
    expect(fs.readdirSync(p.dir)).toEqual([]);
  });
});

describe("migsafe init-hook --print", () => {
  const snippets: Record<HookTool, { output: string; stderr: string }> = {
    husky: {
      output: "npx --no-install migsafe --staged\n",
      stderr: "migsafe: add this line to .husky/pre-commit\n",
    },
    "lint-staged": {
      output: '{\n  "lint-staged": {\n    "*.sql": "migsafe"\n  }\n}\n',
      stderr: "migsafe: merge this into package.json; lint-staged runs it from your pre-commit hook (husky or simple-git-hooks)\n",
    },
    "simple-git-hooks": {
      output: '{\n  "simple-git-hooks": {\n    "pre-commit": "npx --no-install migsafe --staged"\n  }\n}\n',
      stderr: "migsafe: merge this into package.json, then run npx simple-git-hooks to install the hook\n",
    },
    "pre-commit": {
      output: `repos:\n  - repo: https://github.com/migsafe/migsafe\n    rev: v${version}\n    hooks:\n      - id: migsafe\n`,
      stderr: "migsafe: add this to .pre-commit-config.yaml, then run pre-commit install\n",
    },
  };

  it("has a snippet for every tool", () => {
    expect(Object.keys(snippets).sort()).toEqual([...HOOK_TOOLS].sort());
  });

  it.each(HOOK_TOOLS)("prints the %s snippet alone on stdout and writes nothing, even in a repository", (tool) => {
    const p = repository();
    const before = fs.readdirSync(p.path(".git/hooks")).sort();
    expect(initHook({ cwd: p.dir, print: tool, force: false })).toEqual({ ...snippets[tool], exitCode: 0 });
    expect(fs.readdirSync(p.path(".git/hooks")).sort()).toEqual(before);
    expect(fs.readdirSync(p.dir).sort()).toEqual([".git", "README.md"]);
  });

  it("prints a snippet outside a git repository too", () => {
    const p = project();
    expect(initHook({ cwd: p.dir, print: "husky", force: false })).toEqual({ ...snippets.husky, exitCode: 0 });
  });

  it("prints valid JSON for the package.json snippets", () => {
    expect(JSON.parse(snippets["lint-staged"].output)).toEqual({ "lint-staged": { "*.sql": "migsafe" } });
    expect(JSON.parse(snippets["simple-git-hooks"].output)).toEqual({ "simple-git-hooks": { "pre-commit": "npx --no-install migsafe --staged" } });
  });
});
