import path from "node:path";
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
import { fixFiles, type FixOutcome } from "./fix.js";
import { lintPaths } from "./lint-parallel.js";
import { packageVersion } from "./version.js";

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

    let patterns = options.patterns;
    if (patterns.length === 0) {
      patterns = defaultFolders(cwd);
      if (patterns.length === 0) {
        return failure(`no migration folder found in ${cwd} (looked for ${DEFAULT_FOLDERS.map((f) => `${f}/`).join(", ")}); pass the files or folders to lint`);
      }
    }
    const targets = await findFiles(patterns, cwd);
    await loadParser();
    const lintOptions: LintOptions = { rules, severities: options.severities };
    const defaultRules = runOptions.rules === undefined;
    const debugLog: string[] = [];
    let results = await lintAll(targets, lintOptions, defaultRules, debugLog);

    let outcomes: FixOutcome[] = [];
    if (options.fix) {
      outcomes = fixFiles(results, lintOptions);
      // Fixing a migration can change what its rollback partner is checked against: re-lint everything.
      if (outcomes.some((outcome) => outcome.applied > 0)) results = await lintAll(targets, lintOptions, defaultRules, debugLog);
    }

    const result = report(results, outcomes, options, { cwd, colors: useColors(env, runOptions.isTTY ?? false) });
    if (options.debug) result.stderr = debugLog.map((line) => `migsafe: ${line}\n`).join("") + result.stderr;
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : ` (run with --debug for the stack trace)`;
    return { output: "", stderr: `migsafe: internal error: ${escapeControl(message)}${stack}\n`, exitCode: 2 };
  }
}

async function lintAll(targets: readonly Target[], options: LintOptions, defaultRules: boolean, debugLog: string[]): Promise<FileResult[]> {
  const readable = targets.filter((target) => !target.error).map((target) => target.path);
  const { results, filesPerThread } = await lintPaths(readable, options, defaultRules);
  debugLog.push(`debug: linted ${readable.length} files on ${filesPerThread.length} threads (${filesPerThread.join(" + ")})`);
  const linted = new Map(results.map((result) => [result.filePath, result]));
  return targets.map((target) => (target.error ? { filePath: target.path, findings: [], errors: [{ message: target.error }] } : linted.get(target.path)!));
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
