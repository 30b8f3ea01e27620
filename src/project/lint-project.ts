import fs from "node:fs";
import path from "node:path";
import { changedSince, GitError, readFromIndex, stagedFiles } from "../files/git.js";
import { DEFAULT_FOLDERS, defaultFolders, fileSelector, findFiles, type Target } from "../files/find-files.js";
import { streamPaths } from "./lint-parallel.js";
import type { KeptReplays } from "../engine/folder-history.js";
import { cacheSecret } from "../files/cache-secret.js";
import { ResultCache } from "./result-cache.js";
import { activeRecorder } from "../files/fs-recorder.js";
import { packageVersion } from "../version.js";
import { ConfigError, ConfigFinder, loadConfigFile, type LoadedConfig } from "../config/load.js";
import { resolveConfig, type ResolvedConfig } from "../config/resolve.js";
import { createRunDiskAccess, type FileAccess } from "../engine/lint-source.js";
import { lintBytes } from "../embedded/lint-file.js";
import type { FileResult, LintOptions, RuleSetting } from "../engine/lint.js";
import { decodeMigration, MAX_MIGRATION_BYTES, readMigration } from "../engine/read-migration.js";
import type { Rule } from "../engine/rule.js";
import { loadParser } from "../parser/pg.js";
import { displayPath } from "../formatters/stylish.js";
import { allRules } from "../../rules/index.js";

/** What to lint, as the command line (or an API caller) asks for it. */
export interface ProjectRequest {
  /** Paths are resolved against this folder. */
  cwd: string;
  /** Files, folders and globs; empty or absent means the usual migration folders. */
  patterns?: readonly string[];
  /** The rules to run (default: all of migsafe's). */
  rules?: readonly Rule[];
  /** migsafe's own rules, which worker threads can load (default: true when `rules` is absent). */
  defaultRules?: boolean;
  /** Severity overrides by rule id, over every configuration. */
  severities?: Readonly<Record<string, RuleSetting>>;
  /** The PostgreSQL major version for every file (--pg-version), over each configuration's pgVersion. */
  pgVersion?: number;
  /** One configuration file for every file, instead of the nearest one. */
  config?: string;
  /** Only the files added, modified or renamed since the merge base with this git ref. */
  changedSince?: string;
  /** The staged version of the staged files. */
  staged?: boolean;
  /** Lint these bytes (standard input) as the file `filename` (default `<stdin>`). */
  stdin?: { bytes: Uint8Array; filename?: string };
  /** Reuse results from node_modules/.cache/migsafe. */
  cache?: boolean;
  /**
   * Whether the results must carry their fixes (--fix, --fix-dry-run, a JSON report, the API): a cached result
   * whose fixes were left out is then linted again. Default true.
   */
  needsFixes?: boolean;
  /** Where MIGSAFE_CACHE_SECRET, HOME and XDG_CONFIG_HOME are read (the cache secret); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Receives each file's result in path order as soon as it is ready; `results` then stays empty (nothing is kept). */
  onResult?: (result: FileResult) => void;
}

export type ProjectLint =
  | {
      ok: true;
      /** One result per file, in path order. */
      results: FileResult[];
      /** The options a file was linted with (its configuration's). */
      optionsOf(filePath: string): LintOptions;
      /** Why --fix cannot write a file it linted (its name is not UTF-8), or undefined. */
      unwritable(filePath: string): string | undefined;
      /** Lints the same files again (after --fix changed some). */
      relint(): Promise<FileResult[]>;
      /** Writes the cache, if any; returns a one-line problem, or undefined. */
      saveCache(): string | undefined;
      /** Lines for --debug. */
      debugLog: string[];
      /** One-line warnings for stderr (a cache that could not be used). */
      warnings: string[];
    }
  | { ok: false; message: string };

/**
 * Lints a project's migrations: finds the files (patterns, default folders, git or
 * standard input), gives each the configuration nearest to it, leaves out what that
 * configuration excludes, and lints them on every core. The CLI and the `lint()` API
 * both run this. Bad configuration and git problems come back as `ok: false`.
 */
export async function lintProject(request: ProjectRequest): Promise<ProjectLint> {
  const cwd = path.resolve(request.cwd);
  const rules = request.rules ?? allRules;
  // Without the cache every file is parsed: start compiling the WebAssembly while the files are found. With it, the
  // parser is loaded only when a file misses the cache (lintAll).
  if (!request.cache) loadParser().catch(() => undefined);
  const selected = await selectFiles(request, cwd);
  if (!selected.ok) return selected;
  let jobs: Job[];
  try {
    jobs = planJobs(selected.targets, rules, request, cwd, selected.contents);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, message: `${displayPath(error.file, cwd)}${error.line ? `:${error.line}` : ""}: ${error.message}` };
  }
  const cache = request.cache ? openCache(cwd, request.env ?? process.env) : { warnings: [] };
  const lintRun: LintRun = {
    cwd,
    skipped: new Set(),
    defaultRules: request.defaultRules ?? request.rules === undefined,
    debugLog: [],
    contents: selected.contents,
    ...(request.staged ? { readIndex: (filePath: string) => readFromIndex([filePath], cwd).get(filePath) } : {}),
    cache: cache.cache,
    needsFixes: request.needsFixes ?? true,
  };
  const options = new Map(jobs.map((job) => [job.target.path, job.options]));
  return {
    ok: true,
    results: await lintAll(jobs, lintRun, request.onResult),
    optionsOf: (filePath) => options.get(filePath)!,
    unwritable: (filePath) => (selected.rawNamed.has(filePath) ? "its name is not valid UTF-8: rename the file to fix it" : undefined),
    relint: () => lintAll(jobs, lintRun),
    saveCache() {
      const cache = lintRun.cache;
      if (!cache) return undefined;
      lintRun.debugLog.push(`debug: cache ${displayPath(cache.file, cwd)}: ${cache.hits} files from the cache, ${cache.misses} linted`);
      const problem = cache.save();
      // A warning about the cache is this run's, not the next one's: the run is not replayed.
      if (problem) activeRecorder()?.unrepeatable("the cache could not be written");
      return problem && `cannot write the cache ${displayPath(cache.file, cwd)} (${problem}); the next run lints every file`;
    },
    debugLog: lintRun.debugLog,
    warnings: cache.warnings,
  };
}

/** The project's result cache, and a warning when it cannot be used (it is then linted without, or from empty). */
function openCache(cwd: string, env: Readonly<Record<string, string | undefined>>): { cache?: ResultCache; warnings: string[] } {
  const secret = cacheSecret(env);
  if (!secret.ok) activeRecorder()?.unrepeatable("no cache secret");
  if (!secret.ok) return { warnings: [`--cache is off for this run: ${secret.problem}`] };
  const { cache, warning, partial } = ResultCache.load(cwd, packageVersion(), secret.secret);
  if (warning) activeRecorder()?.unrepeatable("the cache was not used");
  const discarded = partial
    ? `the cache ${displayPath(cache.file, cwd)} is used without the entries appended to it last, which fail their check (${warning}): their files are linted, and the cache rewritten`
    : `the cache ${displayPath(cache.file, cwd)} is not used (${warning}): every file is linted, and the cache written anew`;
  return { cache, warnings: warning ? [discarded] : [] };
}

/** A file to lint and the options its configuration gives it. */
interface Job {
  target: Target;
  options: LintOptions;
}

/** What every lint pass of a run shares. */
interface LintRun {
  cwd: string;
  /** The files found not to be migrations, each said once with --debug. */
  skipped: Set<string>;
  /** migsafe's own rules, which worker threads can load. */
  defaultRules: boolean;
  debugLog: string[];
  /** Files whose content comes from elsewhere than the disk (standard input, the git index). */
  contents: ReadonlyMap<string, Uint8Array>;
  /** With --staged: reads a file that is not staged (a rollback partner) as the index has it, which may differ from the disk. */
  readIndex?: (filePath: string) => Uint8Array | undefined;
  cache: ResultCache | undefined;
  /** The results must carry their fixes (ProjectRequest.needsFixes). */
  needsFixes: boolean;
}

type Selection = { ok: true; targets: Target[]; contents: Map<string, Uint8Array>; rawNamed: Set<string> } | { ok: false; message: string };

/**
 * The files to lint: standard input, the staged files, the files changed since a git
 * ref (each narrowed to what the patterns, or the default folders, select), or what
 * the patterns name.
 */
async function selectFiles(request: ProjectRequest, cwd: string): Promise<Selection> {
  const contents = new Map<string, Uint8Array>();
  if (request.stdin) {
    const filePath = path.resolve(cwd, request.stdin.filename ?? STDIN_NAME);
    contents.set(filePath, request.stdin.bytes);
    return { ok: true, targets: [{ path: filePath }], contents, rawNamed: new Set() };
  }
  const fromGit = request.staged === true || request.changedSince !== undefined;
  let patterns = request.patterns ?? [];
  if (patterns.length === 0) {
    patterns = defaultFolders(cwd);
    // Git names the files: without a migration folder, every migration under cwd is a candidate.
    if (patterns.length === 0 && fromGit) patterns = [cwd];
    if (patterns.length === 0) {
      return {
        ok: false,
        message: `no migration folder found in ${cwd} (looked for ${DEFAULT_FOLDERS.map((f) => `${f}/`).join(", ")}); pass the files or folders to lint`,
      };
    }
  }
  const rawNamed = new Set<string>();
  if (!fromGit) return { ok: true, targets: readRawNamed(await findFiles(patterns, cwd), contents, rawNamed), contents, rawNamed };
  try {
    const selects = await fileSelector(patterns, cwd);
    let targets: Target[];
    if (request.staged) {
      const staged = stagedFiles(cwd).filter((file) => selects(file.path));
      for (const file of staged) contents.set(file.path, file.bytes);
      targets = staged.map((file) => ({ path: file.path }));
    } else {
      const changed = changedSince(request.changedSince!, cwd);
      const selected = changed.files.filter(selects).map((file) => ({ path: file, ...(changed.rawPaths?.has(file) ? { rawPath: changed.rawPaths.get(file)! } : {}) }));
      targets = readRawNamed(selected, contents, rawNamed);
    }
    return { ok: true, targets: targets.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), contents, rawNamed };
  } catch (error) {
    if (error instanceof GitError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * Reads the files whose names are not UTF-8 by their bytes into `contents`, where they are
 * linted from, under their escaped names (no string path opens them); one that cannot be
 * read gets its reason as an error.
 */
function readRawNamed(targets: Target[], contents: Map<string, Uint8Array>, rawNamed: Set<string>): Target[] {
  return targets.map((target) => {
    if (!target.rawPath) return target;
    rawNamed.add(target.path);
    const read = readMigration(target.rawPath);
    if (!read.ok) return { path: target.path, error: read.message };
    contents.set(target.path, Buffer.from(read.text, "utf8"));
    return { path: target.path };
  });
}

/** The name standard input gets without --stdin-filename. */
const STDIN_NAME = "<stdin>";

/**
 * Finds each file's configuration (the nearest one, or --config for all), drops the
 * files it leaves out (include, exclude, startAfter), and gives the others their options.
 */
function planJobs(targets: readonly Target[], rules: readonly Rule[], request: ProjectRequest, cwd: string, contents: ReadonlyMap<string, Uint8Array>): Job[] {
  const ids = new Set(rules.map((rule) => rule.meta.id));
  const fixed = request.config === undefined ? undefined : loadConfigFile(path.resolve(cwd, request.config), ids);
  if (request.config !== undefined && !fixed) throw new ConfigError("package.json has no \"migsafe\" key", path.resolve(cwd, request.config));
  const finder = new ConfigFinder(ids);
  // Git names the files of one change: a table an earlier one of them creates is not in production yet.
  const change = request.staged === true || request.changedSince !== undefined ? targets.map((target) => target.path) : undefined;
  const resolved = new Map<LoadedConfig | undefined, { config: ResolvedConfig; options: LintOptions }>();
  const jobs: Job[] = [];
  for (const target of targets) {
    const loaded = fixed ?? finder.forFile(target.path);
    let entry = resolved.get(loaded);
    if (!entry) {
      const config = resolveConfig(loaded, rules, request.severities ?? {}, request.pgVersion);
      entry = { config, options: { rules, ...config.lint, ...(change ? { change } : {}) } };
      resolved.set(loaded, entry);
    }
    // Standard input without a name is linted whatever include/exclude say: there is no path to match.
    const unnamed = contents.has(target.path) && request.stdin !== undefined && request.stdin.filename === undefined;
    if (target.error || unnamed || entry.config.accepts(target.path)) jobs.push({ target, options: entry.options });
  }
  return jobs;
}

/**
 * Lints the jobs. Without `onResult`, returns their results in job order; with it,
 * hands each result to it in job order as soon as it and those before it are ready,
 * keeps none, and returns an empty list (what a large run streams to its report).
 */
async function lintAll(jobs: readonly Job[], lintRun: LintRun, onResult?: (result: FileResult) => void): Promise<FileResult[]> {
  const files = accessWith(lintRun.contents, lintRun.readIndex, lintRun.cache?.replays);
  const all: FileResult[] = [];
  const inOrder = onResult ? new InOrder(onResult) : undefined;
  const place = (index: number, result: FileResult) => {
    if (result.skipped && !lintRun.skipped.has(result.filePath)) {
      lintRun.skipped.add(result.filePath);
      lintRun.debugLog.push(`debug: ${displayPath(result.filePath, lintRun.cwd)} is not a migration, not linted: ${result.skipped}`);
    }
    if (inOrder) inOrder.put(index, result);
    else all[index] = result;
  };
  const keys = new Map<number, string>();
  const fromContents: { index: number; bytes: Uint8Array; job: Job }[] = [];
  const groups = new Map<LintOptions, number[]>();
  jobs.forEach((job, index) => {
    const filePath = job.target.path;
    if (job.target.error) return place(index, { filePath, findings: [], errors: [{ message: job.target.error }] });
    const bytes = lintRun.contents.get(filePath) ?? (lintRun.cache ? readMigrationBytes(filePath) : undefined);
    if (lintRun.cache && bytes && bytes.length <= MAX_MIGRATION_BYTES) {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
      const key = lintRun.cache.keyOf(filePath, bytes, text, job.options, files);
      const cached = lintRun.cache.get(filePath, key, text, lintRun.needsFixes);
      if (cached) return place(index, cached);
      keys.set(index, key);
    }
    if (lintRun.contents.has(filePath)) return fromContents.push({ index, bytes: bytes!, job });
    const group = groups.get(job.options);
    if (group) group.push(index);
    else groups.set(job.options, [index]);
  });
  function cacheAndReturn(index: number, result: FileResult): FileResult {
    const key = keys.get(index);
    if (key !== undefined) lintRun.cache!.set(result.filePath, key, result);
    return result;
  }
  // Only now, and only when a file must be linted: a run whose files all come from the cache loads no WebAssembly.
  if (fromContents.length > 0 || groups.size > 0) await loadParser();
  for (const { index, bytes, job } of fromContents) place(index, cacheAndReturn(index, lintBytes(bytes, job.target.path, job.options, files)));
  for (const [options, indexes] of groups) {
    const paths = indexes.map((index) => jobs[index]!.target.path);
    const filesPerThread = await streamPaths(paths, options, lintRun.defaultRules, (i, result) => place(indexes[i]!, cacheAndReturn(indexes[i]!, result)), files);
    lintRun.debugLog.push(`debug: linted ${paths.length} files on ${filesPerThread.length} threads (${filesPerThread.join(" + ")})`);
  }
  if (lintRun.cache) files.histories?.keepReplays(files);
  for (const { folder, migrations } of files.histories?.restored ?? []) lintRun.debugLog.push(`debug: ${displayPath(folder, lintRun.cwd)}: the replay of its first ${migrations} migrations taken from the cache`);
  return all;
}

/** Hands results on in index order (0, 1, 2, …), holding those that arrive early. */
class InOrder {
  private next = 0;
  private readonly early = new Map<number, FileResult>();
  constructor(private readonly emit: (result: FileResult) => void) {}

  put(index: number, result: FileResult): void {
    this.early.set(index, result);
    for (let ready = this.early.get(this.next); ready; ready = this.early.get(this.next)) {
      this.early.delete(this.next++);
      this.emit(ready);
    }
  }
}

/** The run's disk, with the files whose content came from elsewhere seen as that content. */
function accessWith(contents: ReadonlyMap<string, Uint8Array>, readIndex?: (filePath: string) => Uint8Array | undefined, kept?: KeptReplays): FileAccess {
  const disk = createRunDiskAccess(kept);
  if (contents.size === 0) return disk;
  return {
    ...disk,
    exists: (filePath) => contents.has(filePath) || disk.exists(filePath),
    read: (filePath) => {
      const bytes = contents.get(filePath) ?? readIndex?.(filePath);
      if (bytes === undefined) return disk.read(filePath);
      const decoded = decodeMigration(bytes);
      return decoded.ok ? decoded.text : undefined;
    },
  };
}

/** A file's bytes for its cache key; undefined when it cannot be read or is too large to lint (it is then linted, which says why). */
function readMigrationBytes(filePath: string): Buffer | undefined {
  try {
    // Checked before reading: a planted huge file must not be read whole.
    if (fs.statSync(filePath).size > MAX_MIGRATION_BYTES) return undefined;
    return fs.readFileSync(filePath);
  } catch {
    return undefined;
  }
}

