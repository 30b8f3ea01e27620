import fs from "node:fs";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { ConfigError, ConfigFinder, loadConfigFile, type LoadedConfig } from "../config/load.js";
import { resolveConfig, type ResolvedConfig } from "../config/resolve.js";
import { lintSource } from "../engine/lint-source.js";
import { docsUrl } from "../engine/rule.js";
import { allRules } from "../../rules/index.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import type { Rule } from "../engine/rule.js";
import { escapeControl } from "../formatters/escape.js";
import { formatJson } from "../formatters/json.js";
import { plural, totalsOf } from "../formatters/messages.js";
import { displayPath, formatStylish } from "../formatters/stylish.js";
import { loadParser } from "../parser/pg.js";
import { helpText, parseCliArgs, type CliOptions } from "./args.js";
import { DEFAULT_FOLDERS, defaultFolders, findFiles, type Target } from "./find-files.js";
import { fixFiles, planFixes, type FixOutcome } from "./fix.js";
import { lintPaths } from "./lint-parallel.js";
import { packageRoot, packageVersion } from "./version.js";

export type ExitCode = 0 | 1 | 2;

export interface RunOptions {
  /** Paths are resolved against, and shown relative to, this folder. Default: process.cwd(). */
  cwd?: string;
  /** Environment for NO_COLOR / FORCE_COLOR. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colours). Default: false. */
  isTTY?: boolean;
  /** The rules to run. Default: every rule migsafe ships. */
  rules?: readonly Rule[];
}

export interface RunResult {
  /** For stdout: the report, the help or the version. */
  output: string;
  /** For stderr: one line per problem with the run itself; empty when there is none. */
  stderr: string;
  exitCode: ExitCode;
}

const HELP_HINT = "run 'migsafe --help' for usage";

/** Runs migsafe on a command line (without `node` and the script). Never throws. */
export async function run(argv: readonly string[], runOptions: RunOptions = {}): Promise<RunResult> {
  const cwd = path.resolve(runOptions.cwd ?? process.cwd());
  const env = runOptions.env ?? process.env;
  const rules = runOptions.rules ?? allRules;
  const ruleIds = rules.map((rule) => rule.meta.id);
  let debug = argv.includes("--debug");
  try {
    const parsed = parseCliArgs(argv, ruleIds);
    if (!parsed.ok) return failure(`${parsed.message} (${HELP_HINT})`);
    const options = parsed.options;
    debug = options.debug;
    if (options.help) return { output: helpText(ruleIds), stderr: "", exitCode: 0 };
    if (options.version) return { output: `${packageVersion()}\n`, stderr: "", exitCode: 0 };

    if (options.listRules) return { output: listRules(rules), stderr: "", exitCode: 0 };
    if (options.explain) return explainRule(options.explain);

    let patterns = options.patterns;
    if (patterns.length === 0) {
      patterns = defaultFolders(cwd);
      if (patterns.length === 0) {
        return failure(`no migration folder found in ${cwd} (looked for ${DEFAULT_FOLDERS.map((f) => `${f}/`).join(", ")}); pass the files or folders to lint`);
      }
    }
    const found = await findFiles(patterns, cwd);
    let jobs: Job[];
    try {
      jobs = planJobs(found, rules, options, cwd);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const where = `${displayPath(error.file, cwd)}${error.line ? `:${error.line}` : ""}`;
      return failure(`${escapeControl(where)}: ${escapeControl(error.message)}`);
    }
    await loadParser();
    const defaultRules = runOptions.rules === undefined;
    const debugLog: string[] = [];
    let results = await lintAll(jobs, defaultRules, debugLog);
    const optionsOf = (filePath: string) => jobs.find((job) => job.target.path === filePath)!.options;

    let outcomes: FixOutcome[] = [];
    let diffs = "";
    if (options.fix) {
      outcomes = fixFiles(results, optionsOf);
      // Fixing a migration can change what its rollback partner is checked against: re-lint everything.
      if (outcomes.some((outcome) => outcome.applied > 0)) results = await lintAll(jobs, defaultRules, debugLog);
    } else if (options.fixDryRun) {
      ({ results, diffs } = dryRunFixes(results, optionsOf, cwd));
    }

    const result = report(results, outcomes, options, { cwd, colors: useColors(env, runOptions.isTTY ?? false) });
    if (diffs && options.format === "stylish") result.output = diffs + result.output;
    if (options.debug) result.stderr = debugLog.map((line) => `migsafe: ${line}\n`).join("") + result.stderr;
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : ` (run with --debug for the stack trace)`;
    return { output: "", stderr: `migsafe: internal error: ${escapeControl(message)}${stack}\n`, exitCode: 2 };
  }
}

/** A file to lint and the options its configuration gives it. */
interface Job {
  target: Target;
  options: LintOptions;
}

/**
 * Finds each file's configuration (the nearest one, or --config for all), drops the
 * files it leaves out (include, exclude, startAfter), and gives the others their options.
 */
function planJobs(targets: readonly Target[], rules: readonly Rule[], options: CliOptions, cwd: string): Job[] {
  const ids = new Set(rules.map((rule) => rule.meta.id));
  const fixed = options.config === undefined ? undefined : loadConfigFile(path.resolve(cwd, options.config), ids);
  if (options.config !== undefined && !fixed) throw new ConfigError("package.json has no \"migsafe\" key", path.resolve(cwd, options.config));
  const finder = new ConfigFinder(ids);
  const resolved = new Map<LoadedConfig | undefined, { config: ResolvedConfig; options: LintOptions }>();
  const jobs: Job[] = [];
  for (const target of targets) {
    const loaded = fixed ?? finder.forFile(target.path);
    let entry = resolved.get(loaded);
    if (!entry) {
      const config = resolveConfig(loaded, rules, options.severities);
      entry = { config, options: { rules, ...config.lint } };
      resolved.set(loaded, entry);
    }
    if (target.error || entry.config.accepts(target.path)) jobs.push({ target, options: entry.options });
  }
  return jobs;
}

async function lintAll(jobs: readonly Job[], defaultRules: boolean, debugLog: string[]): Promise<FileResult[]> {
  const groups = new Map<LintOptions, string[]>();
  for (const job of jobs) {
    if (job.target.error) continue;
    groups.set(job.options, [...(groups.get(job.options) ?? []), job.target.path]);
  }
  const linted = new Map<string, FileResult>();
  for (const [options, paths] of groups) {
    const { results, filesPerThread } = await lintPaths(paths, options, defaultRules);
    debugLog.push(`debug: linted ${paths.length} files on ${filesPerThread.length} threads (${filesPerThread.join(" + ")})`);
    for (const result of results) linted.set(result.filePath, result);
  }
  return jobs.map(({ target }) => (target.error ? { filePath: target.path, findings: [], errors: [{ message: target.error }] } : linted.get(target.path)!));
}

function listRules(rules: readonly Rule[]): string {
  const rows = rules.map((rule) => [rule.meta.id, rule.meta.severity, rule.meta.recommended === false ? "strict" : "recommended", rule.meta.description]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), ["rule", "severity", "preset"][column]!.length));
  const line = (row: string[]) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join("  ");
  return `${[line(["rule", "severity", "preset", "description"]), ...rows.map(line)].join("\n")}\n`;
}

function explainRule(id: string): RunResult {
  const root = packageRoot();
  const page = root ? path.join(root.dir, "docs", "rules", `${id}.md`) : undefined;
  if (!page || !fs.existsSync(page)) return failure(`the docs page of ${id} is not installed; read it at ${docsUrl(id)}`);
  return { output: `${fs.readFileSync(page, "utf8").trimEnd()}\n\n${docsUrl(id)}\n`, stderr: "", exitCode: 0 };
}

/** --fix-dry-run: the fixes as a unified diff, and what would remain after them. */
function dryRunFixes(results: FileResult[], optionsOf: (filePath: string) => LintOptions, cwd: string): { results: FileResult[]; diffs: string } {
  let diffs = "";
  const remaining = results.map((result) => {
    const plan = planFixes(result, optionsOf(result.filePath));
    if (plan.kind !== "fixed" || result.text === undefined) return result;
    const name = displayPath(result.filePath, cwd);
    diffs += createTwoFilesPatch(name, name, result.text, plan.text, undefined, undefined, { context: 2 }).replace(/^=+\n/m, "");
    return { ...lintSource(plan.text, result.filePath, optionsOf(result.filePath)), fixedText: plan.text };
  });
  return { results: remaining, diffs: diffs ? `${diffs.split("\n").map(escapeControl).join("\n")}\n` : "" };
}

function report(
  results: FileResult[],
  outcomes: readonly FixOutcome[],
  options: CliOptions,
  display: { cwd: string; colors: boolean },
): RunResult {
  const stderr: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.note) stderr.push(`migsafe: ${escapeControl(displayPath(outcome.filePath, display.cwd))}: ${escapeControl(outcome.note)}`);
  }
  const fixedFiles = outcomes.filter((outcome) => outcome.applied > 0);
  const fixed = { problems: fixedFiles.reduce((sum, outcome) => sum + outcome.applied, 0), files: fixedFiles.length };

  const output = options.format === "json" ? formatJson(results) : formatStylish(results, { ...display, fixed });

  const totals = totalsOf(results);
  const tooManyWarnings = options.maxWarnings !== undefined && totals.careful > options.maxWarnings;
  if (tooManyWarnings) stderr.push(`migsafe: too many careful findings (${totals.careful}, maximum ${options.maxWarnings})`);
  if (totals.fatalFiles > 0) stderr.push(`migsafe: ${plural(totals.fatalFiles, "file")} could not be read or parsed`);

  const exitCode: ExitCode = totals.fatalFiles > 0 ? 2 : totals.dangerous > 0 || tooManyWarnings ? 1 : 0;
  return { output, stderr: stderr.map((line) => `${line}\n`).join(""), exitCode };
}

/** Exit 2 with one line on stderr; arguments echoed in it are escaped like file names. */
function failure(message: string): RunResult {
  return { output: "", stderr: `migsafe: ${escapeControl(message)}\n`, exitCode: 2 };
}

/**
 * Colours when stdout is a terminal, unless NO_COLOR is set (https://no-color.org);
 * FORCE_COLOR forces them on (or off with 0/false), as in Node.
 */
export function useColors(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  return isTTY && env.TERM !== "dumb";
}
