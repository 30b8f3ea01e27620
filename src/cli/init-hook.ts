import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { escapeControl } from "../formatters/escape.js";
import { displayPath } from "../formatters/stylish.js";
import type { HookTool } from "./args.js";
import { packageVersion } from "../version.js";

export interface InitHookOptions {
  /** The folder migsafe runs in: any folder of the git repository (or worktree). */
  cwd: string;
  /** Print this tool's snippet instead of writing the git hook. */
  print?: HookTool;
  /** Replace an existing pre-commit hook (it is kept as `pre-commit.migsafe-backup`). */
  force: boolean;
}

export interface InitHookResult {
  /** For stdout: what was written, or the snippet (alone, so that it can be redirected to a file). */
  output: string;
  /** For stderr: where the snippet goes, or why nothing was written. */
  stderr: string;
  exitCode: 0 | 2;
}

export const REPOSITORY_URL = "https://github.com/migsafe/migsafe";

/** What every hook runs: the project's own migsafe (never a download) on what is about to be committed. */
export const HOOK_COMMAND = "npx --no-install migsafe --staged";

export const GIT_HOOK_SCRIPT = `#!/bin/sh
# Written by \`migsafe init-hook\`: lints the staged migration files before each commit.
# git commit --no-verify skips it once.
exec ${HOOK_COMMAND}
`;

const BACKUP_SUFFIX = ".migsafe-backup";

/** `migsafe init-hook [--print <tool>] [--force]`. Never throws. */
export function initHook(options: InitHookOptions): InitHookResult {
  if (options.print) {
    const { snippet, where } = hookSnippet(options.print);
    return { output: snippet, stderr: `migsafe: ${where}\n`, exitCode: 0 };
  }
  try {
    return writeGitHook(options.cwd, options.force);
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error));
  }
}

export function hookSnippet(tool: HookTool): { snippet: string; where: string } {
  switch (tool) {
    case "husky":
      return { snippet: `${HOOK_COMMAND}\n`, where: "add this line to .husky/pre-commit" };
    case "lint-staged":
      // lint-staged passes the staged files and hides unstaged changes while it runs: plain migsafe lints them.
      return {
        snippet: json({ "lint-staged": { "*.sql": "migsafe" } }),
        where: "merge this into package.json; lint-staged runs it from your pre-commit hook (husky or simple-git-hooks)",
      };
    case "simple-git-hooks":
      return {
        snippet: json({ "simple-git-hooks": { "pre-commit": HOOK_COMMAND } }),
        where: "merge this into package.json, then run npx simple-git-hooks to install the hook",
      };
    case "pre-commit":
      return {
        snippet: `repos:\n  - repo: ${REPOSITORY_URL}\n    rev: v${packageVersion()}\n    hooks:\n      - id: migsafe\n`,
        where: "add this to .pre-commit-config.yaml, then run pre-commit install",
      };
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function writeGitHook(cwd: string, force: boolean): InitHookResult {
  const hooksDir = gitHooksDir(cwd);
  if (typeof hooksDir !== "string") return hooksDir;
  const hook = path.join(hooksDir, "pre-commit");
  const shown = escapeControl(displayPath(hook, cwd));

  // lstat, not exists: a symlinked (even dangling) hook belongs to someone else, and writing would follow the link.
  const existing = fs.lstatSync(hook, { throwIfNoEntry: false });
  if (existing?.isFile() && fs.readFileSync(hook, "utf8") === GIT_HOOK_SCRIPT) {
    fs.chmodSync(hook, 0o755);
    return { output: `${shown} already runs ${HOOK_COMMAND}\n`, stderr: "", exitCode: 0 };
  }
  let backup = "";
  if (existing) {
    if (!force) {
      return failure(
        `${shown} already exists; add '${HOOK_COMMAND}' to it, or run migsafe init-hook --force to replace it (the old hook is kept as pre-commit${BACKUP_SUFFIX})`,
      );
    }
    backup = hook + BACKUP_SUFFIX;
    fs.rmSync(backup, { recursive: true, force: true });
    fs.renameSync(hook, backup);
  }
  fs.mkdirSync(hooksDir, { recursive: true });
  fs.writeFileSync(hook, GIT_HOOK_SCRIPT);
  // Explicitly: a mode given to writeFileSync is reduced by the umask.
  fs.chmodSync(hook, 0o755);
  const saved = backup ? `the previous hook is kept as ${escapeControl(displayPath(backup, cwd))}\n` : "";
  return {
    output: `Wrote ${shown}: before each commit it runs ${HOOK_COMMAND} (install migsafe in the project; git commit --no-verify skips the hook once)\n${saved}`,
    stderr: "",
    exitCode: 0,
  };
}

/** The folder git runs hooks from: `.git/hooks`, the common one of a worktree, or core.hooksPath. */
function gitHooksDir(cwd: string): string | InitHookResult {
  let stdout: string;
  try {
    stdout = execFileSync("git", ["rev-parse", "--git-path", "hooks"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === "ENOENT") return failure("git was not found; init-hook needs it to find the hooks folder (or print a snippet with --print <tool>)");
    if (/not a git repository/i.test(stderr ?? "")) {
      return failure(`${cwd} is not in a git repository; run migsafe init-hook in your project, or print a snippet with --print <tool>`);
    }
    return failure(`git rev-parse --git-path hooks failed: ${(stderr ?? "").trim().split("\n")[0] || String(error)}`);
  }
  // Relative to cwd, or absolute (worktrees, an absolute core.hooksPath).
  return path.resolve(cwd, stdout.replace(/\r?\n$/, ""));
}

function failure(message: string): InitHookResult {
  return { output: "", stderr: `migsafe: ${escapeControl(message)}\n`, exitCode: 2 };
}
