import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { isFile } from "./is-file.js";
import { filePathOf, type FilePath } from "./raw-path.js";
import { compareText } from "./compare-text.js";

/** Why a git-based mode (--changed-since, --staged) cannot run, in one line for the user. */
export class GitError extends Error {
  override name = "GitError";
}

/** The folder at the top of the work tree that holds `cwd`; undefined outside a repository or when git cannot run. */
export function repositoryRoot(cwd: string): string | undefined {
  try {
    const found = locateRoot(cwd);
    return "root" in found ? found.root : undefined;
  } catch {
    return undefined;
  }
}

export interface ChangedFiles {
  /** Absolute paths (under the root as `cwd` spells it), sorted, of the files that exist on disk; a name that is not UTF-8 escaped (raw-path.ts). */
  files: string[];
  /** The bytes of each escaped path in `files`: what opens the file (absent when there is none). */
  rawPaths?: ReadonlyMap<string, Buffer>;
  /** The commit the files are compared with. */
  mergeBase: string;
}

/**
 * The files added or modified since the merge base of `ref` and HEAD, compared with
 * the working tree rather than with HEAD: in a pull-request job the two are the same,
 * and on a developer's machine the uncommitted edits (staged or not) are the ones
 * about to be pushed. Untracked files that .gitignore does not exclude count as added,
 * since a new migration is often not yet `git add`ed. Renames and copies count as an
 * added file under the new name (`--no-renames` keeps a user's diff.renames=copies
 * from hiding copies); deleted files, and whatever is no longer a file on disk
 * (submodules, nested repositories), are left out.
 */
export function changedSince(ref: string, cwd: string): ChangedFiles {
  const option = "--changed-since";
  const root = requireRoot(cwd, option);
  const unknownRef = new GitError(`unknown git ref '${ref}' for ${option}`);
  // A leading dash would be read as an option; no ref name starts with one.
  if (ref === "" || ref.startsWith("-")) throw unknownRef;
  const target = commitOf(ref, root);
  if (!target) throw unknownRef;
  if (!commitOf("HEAD", root)) throw new GitError(`${option} needs a commit to compare with: HEAD has no commits yet`);

  const mergeBase = findMergeBase(ref, target, root);
  const changed = nulFields(runGit(["diff", "--name-only", "-z", "--no-renames", "--diff-filter=AMR", mergeBase, "--"], root));
  const untracked = nulFields(runGit(["ls-files", "--others", "--exclude-standard", "-z"], root));
  const files = new Map<string, FilePath>();
  for (const relative of [...changed, ...untracked]) {
    const file = underRoot(root, relative);
    if (!files.has(file.path) && isFile(file.rawPath ?? file.path)) files.set(file.path, file);
  }
  const rawPaths = new Map([...files.values()].flatMap((file) => (file.rawPath ? [[file.path, file.rawPath] as const] : [])));
  return { files: [...files.keys()].sort(compareText), mergeBase, ...(rawPaths.size > 0 ? { rawPaths } : {}) };
}

/** A file as it stands in the index: what the next commit will contain. */
export interface StagedFile {
  /** Absolute path, under the root as `cwd` spells it. */
  path: string;
  /** The staged content, byte for byte (decode it with decodeMigration). */
  bytes: Buffer;
}

/**
 * The staged version of the files added, modified or renamed in the index (the new
 * name of a rename), sorted by path. Content comes from the index, not the working
 * tree, so it is what is about to be committed; GIT_INDEX_FILE is honoured, which is
 * the index a pre-commit hook must check under `git commit -a` or `git commit <paths>`.
 * Symbolic links and submodules are not files to lint and are left out.
 */
export function stagedFiles(cwd: string): StagedFile[] {
  const root = requireRoot(cwd, "--staged");
  const fields = nulFields(runGit(["diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--diff-filter=AMR", "--"], root));
  const entries: { relative: Buffer; blob: string }[] = [];
  // Each entry is ":<old mode> <new mode> <old blob> <new blob> <status>" then the path.
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, newMode, , newBlob] = fields[i]!.toString("latin1").slice(1).split(" ");
    if (isRegularFileMode(newMode) && newBlob) entries.push({ relative: fields[i + 1]!, blob: newBlob });
  }
  const contents = readBlobs(entries.map((entry) => entry.blob), root);
  // The content comes from the index: a name that is not UTF-8 is needed only to show it (escaped).
  return entries.map((entry, i) => ({ path: underRoot(root, entry.relative).path, bytes: contents[i]! })).sort((a, b) => compareText(a.path, b.path));
}

/**
 * The staged content of the given files (absolute paths), for reading what a staged
 * migration refers to, such as its rollback, as it will be committed. A file missing
 * from the index, or there as a link or submodule or with a merge conflict, is absent.
 */
export function readFromIndex(files: readonly string[], cwd: string): Map<string, Buffer> {
  const root = requireRoot(cwd, "--staged");
  const wanted = new Map(files.map((file) => [path.relative(root, path.resolve(cwd, file)).split(path.sep).join("/"), file]));
  const found: { file: string; blob: string }[] = [];
  // Each entry is "<mode> <blob> <stage>\t<path>"; stage 0 is a path without a merge conflict.
  for (const entry of nulFields(runGit(["ls-files", "--stage", "-z"], root))) {
    const match = /^(\d+) ([0-9a-f]+) 0\t(.*)$/s.exec(entry.toString("utf8"));
    if (!match || !isRegularFileMode(match[1])) continue;
    const file = wanted.get(match[3]!);
    if (file !== undefined) found.push({ file, blob: match[2]! });
  }
  const contents = readBlobs(found.map((entry) => entry.blob), root);
  return new Map(found.map((entry, i) => [entry.file, contents[i]!]));
}

function requireRoot(cwd: string, option: string): string {
  const found = locateRoot(cwd);
  if ("root" in found) return found.root;
  if (found.reason === undefined) throw new GitError(`${option} needs a git repository: ${path.resolve(cwd)} is not inside one`);
  throw new GitError(`${option} needs a git repository: git cannot use ${path.resolve(cwd)}: ${found.reason}`);
}

/**
 * The root as `cwd` spells it, so that the paths built on it match the ones found
 * from the command line: git gives the root with symbolic links resolved, which
 * differs when the repository is reached through a link (macOS's /tmp, a linked home).
 * `reason` is git's own explanation when it found a repository it refuses to use.
 */
function locateRoot(cwd: string): { root: string } | { reason?: string } {
  const result = git(["rev-parse", "--show-toplevel", "--show-cdup"], cwd);
  if (result.status !== 0) return /not a git repository/i.test(result.stderr) ? {} : { reason: gitReason(result.stderr) };
  // Two lines: the root (which may itself hold a newline) and "../" once per level below it.
  const output = result.stdout.toString("utf8").replace(/\n$/, "");
  const split = output.lastIndexOf("\n");
  const topLevel = path.resolve(output.slice(0, split));
  const asCwdSpellsIt = path.resolve(cwd, output.slice(split + 1));
  return { root: sameFile(asCwdSpellsIt, topLevel) ? asCwdSpellsIt : topLevel };
}

function commitOf(ref: string, root: string): string | undefined {
  const result = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], root);
  return result.status === 0 ? result.stdout.toString("utf8").trim() : undefined;
}

function findMergeBase(ref: string, target: string, root: string): string {
  const result = git(["merge-base", target, "HEAD"], root);
  if (result.status === 0) return result.stdout.toString("utf8").trim();
  // Status 1 without a message: the two commits share no history that git can see.
  if (result.status !== 1 || result.stderr.trim() !== "") throw failed(["merge-base", ref, "HEAD"], result);
  if (runGit(["rev-parse", "--is-shallow-repository"], root).toString("utf8").trim() === "true") {
    throw new GitError(
      `no merge base between '${ref}' and HEAD in this shallow clone: fetch more history for --changed-since (fetch-depth: 0 in actions/checkout, or git fetch --unshallow)`,
    );
  }
  throw new GitError(`'${ref}' and HEAD have no common ancestor (unrelated histories), so --changed-since has no merge base to compare with`);
}

/** The content of each blob, in the order given, from one `git cat-file --batch`. */
function readBlobs(blobs: readonly string[], root: string): Buffer[] {
  if (blobs.length === 0) return [];
  const output = runGit(["cat-file", "--batch"], root, `${blobs.join("\n")}\n`);
  const contents: Buffer[] = [];
  let offset = 0;
  for (const blob of blobs) {
    // Each object is "<name> <type> <size>\n<content>\n", or "<name> missing\n".
    const headerEnd = output.indexOf(10, offset);
    const header = output.subarray(offset, headerEnd).toString("utf8").split(" ");
    if (header[1] !== "blob" || header[2] === undefined) throw new GitError(`git cannot read the staged file content (object ${blob}: ${header.slice(1).join(" ")})`);
    const start = headerEnd + 1;
    const end = start + Number(header[2]);
    contents.push(output.subarray(start, end));
    offset = end + 1;
  }
  return contents;
}

function isRegularFileMode(mode: string | undefined): boolean {
  return mode === "100644" || mode === "100755";
}

interface GitResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Output is bounded only to catch a runaway process: a monorepo's index listing is tens of megabytes. */
const MAX_OUTPUT_BYTES = 1024 ** 3;

/**
 * Runs git in `cwd` without a shell. LC_ALL=C keeps its messages in English for the
 * checks on them; GIT_OPTIONAL_LOCKS=0 stops `git diff` from refreshing the index
 * behind the back of a git command running alongside (a commit running its hook).
 */
function git(args: readonly string[], cwd: string, input?: string): GitResult {
  const result = spawnSync("git", ["-C", cwd, ...args], {
    input,
    maxBuffer: MAX_OUTPUT_BYTES,
    windowsHide: true,
    env: { ...process.env, LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0", GIT_TERMINAL_PROMPT: "0" },
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new GitError(code === "ENOENT" ? "git is not installed or not on the PATH" : `cannot run git: ${result.error.message}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString("utf8") };
}

/** Runs git and returns its output, or throws with git's own message. */
function runGit(args: readonly string[], cwd: string, input?: string): Buffer {
  const result = git(args, cwd, input);
  if (result.status !== 0) throw failed(args, result);
  return result.stdout;
}

function failed(args: readonly string[], result: GitResult): GitError {
  const reason = gitReason(result.stderr) || `exit status ${result.status ?? "unknown (killed)"}`;
  return new GitError(`git ${args[0]} failed: ${reason}`);
}

/**
 * The fields of `-z` output, as bytes: git writes paths byte for byte (no quoting, any
 * byte but NUL), and a name that is not UTF-8 must not be decoded into another name.
 */
function nulFields(output: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  for (let start = 0; start < output.length; ) {
    const end = output.indexOf(0, start);
    fields.push(output.subarray(start, end < 0 ? output.length : end));
    start = end < 0 ? output.length : end + 1;
  }
  return fields;
}

/** A path git gave relative to the root, as an absolute path under the root as `cwd` spells it. */
function underRoot(root: string, relative: Buffer): FilePath {
  const prefix = path.resolve(root);
  return filePathOf(Buffer.concat([Buffer.from(prefix.endsWith(path.sep) ? prefix : prefix + path.sep), relative]));
}

/** Git's reason for failing: its "fatal:" line, which may follow warnings and precede advice. */
function gitReason(text: string): string {
  const lines = text.trim().split("\n");
  const reason = lines.find((line) => /^(fatal|error): /.test(line)) ?? lines[0] ?? "";
  return reason.replace(/^(fatal|error): /, "");
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

