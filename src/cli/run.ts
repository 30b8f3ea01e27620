import fs from "node:fs";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { lintSource } from "../engine/lint-source.js";
import { docsUrl } from "../engine/rule.js";
import { allRules } from "../../rules/index.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import type { Rule } from "../engine/rule.js";
import { useColors } from "../formatters/colors.js";
import { escapeControl, inertLineStart } from "../formatters/escape.js";
import type { ReportContext } from "../formatters/format.js";
import { FORMATTERS, type OutputFormat } from "../formatters/index.js";
import { exitCodeOf, plural, totalsOf, withoutCareful, type Totals } from "../formatters/messages.js";
import { formatCompact } from "../formatters/compact.js";
import { escapeJsonControl } from "../formatters/escape.js";
import { toJsonResults } from "../formatters/json.js";
import { displayPath, formatRuleSummary, formatStylishFile, formatStylishSummary, RuleTally } from "../formatters/stylish.js";
import { lintProject, type ProjectRequest } from "../project/lint-project.js";
import { helpText, parseCliArgs, type CliOptions } from "./args.js";
import { fixFiles, planFixes, type FixOutcome } from "./fix.js";
import { repositoryRoot } from "../files/git.js";
import { initHook } from "./init-hook.js";
import { printConfig } from "./print-config.js";
import { renderMarkdown } from "./render-markdown.js";
import { packageRoot, packageVersion } from "../version.js";
import { openReport, whyNotWritten, writeReport, type WritePolicy } from "../files/write-file.js";
import { removeTempFilesOnSignals } from "./signals.js";
import { appendStepSummary } from "./step-summary.js";

/** 130 and 143: interrupted by SIGINT or SIGTERM (migsafe verify). */
export type ExitCode = 0 | 1 | 2 | 130 | 143;

export interface RunOptions {
  /** Paths are resolved against, and shown relative to, this folder. Default: process.cwd(). */
  cwd?: string;
  /** Environment for NO_COLOR / FORCE_COLOR. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colours). Default: false. */
  isTTY?: boolean;
  /** The rules to run. Default: every rule migsafe ships. */
  rules?: readonly Rule[];
  /**
   * Where the report goes as it is made (the CLI passes stdout): with it, JSON and compact
   * reports are written file by file instead of returned in `output`, so that a run over
   * any number of files keeps no more than a few results in memory.
   */
  write?: (chunk: string) => void;
  /** The terminal's width in columns (the stylish summary and `explain` fit in it). Default: 100. */
  columns?: number;
  /** Reads standard input for --stdin. Default: process.stdin. */
  readStdin?: () => Promise<Uint8Array>;
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
    if (argv[0] === "verify") {
      const { verifyCommand } = await import("../verify/command.js");
      return await verifyCommand(argv.slice(1), { cwd, env, isTTY: runOptions.isTTY ?? false });
    }
    const parsed = parseCliArgs(argv, ruleIds);
    if (!parsed.ok) return failure(`${parsed.message} (${HELP_HINT})`);
    const options = parsed.options;
    debug = options.debug;
    if (options.help) return { output: helpText(ruleIds), stderr: "", exitCode: 0 };
    if (options.version) return { output: `${packageVersion()}\n`, stderr: "", exitCode: 0 };

    const isTTY = runOptions.isTTY ?? false;
    if (options.listRules) return { output: options.format === "json" ? listRulesJson(rules) : listRules(rules), stderr: "", exitCode: 0 };
    if (options.printConfig !== undefined) {
      const printed = printConfig({
        cwd,
        file: options.printConfig,
        config: options.config,
        rules,
        severities: options.severities,
        ...(options.pgVersion !== undefined ? { pgVersion: options.pgVersion } : {}),
      });
      return printed.ok ? { output: printed.output, stderr: "", exitCode: 0 } : failure(printed.message);
    }
    if (options.explain) {
      // Rendered for a terminal (bold headings, colours) when stdout is one or --color says so; plain text with the same layout otherwise.
      const styled = options.color ?? useColors(env, isTTY);
      return explainRule(options.explain, { colors: styled, width: runOptions.columns ?? DEFAULT_COLUMNS });
    }
    if (options.initHook) return initHook({ cwd, force: options.initHook.force, ...(options.initHook.print ? { print: options.initHook.print } : {}) });

    const formats = outputFormats(options, env);
    const request: ProjectRequest = {
      cwd,
      patterns: options.patterns,
      rules,
      defaultRules: runOptions.rules === undefined,
      severities: options.severities,
      ...(options.pgVersion !== undefined ? { pgVersion: options.pgVersion } : {}),
      ...(options.config !== undefined ? { config: options.config } : {}),
      ...(options.changedSince !== undefined ? { changedSince: options.changedSince } : {}),
      staged: options.staged,
      ...(options.stdin ? { stdin: { bytes: await (runOptions.readStdin ?? readProcessStdin)(), ...(options.stdinFilename !== undefined ? { filename: options.stdinFilename } : {}) } } : {}),
      cache: options.cache,
      // Only the JSON report and the fix modes show fixes: other runs may take a fixable file's findings from the cache.
      needsFixes: options.fix || options.fixDryRun || formats.includes("json"),
      env,
    };
    const streamed = streamedFormat(options, env);
    const toTerminal = options.outputFile === undefined;
    const display: Display = {
      colors: options.color ?? (toTerminal && useColors(env, isTTY)),
      codeFrame: options.codeFrame ?? (toTerminal && isTTY),
      columns: runOptions.columns ?? DEFAULT_COLUMNS,
    };
    if (streamed && options.outputFile !== undefined) return await streamToFile(request, streamed, options, display, writePolicyOf(cwd, options));
    if (streamed && runOptions.write) return await streamRun(request, streamed, options, { write: runOptions.write, ...display });
    const project = await lintProject(request);
    if (!project.ok) return failure(project.message);
    const { debugLog, optionsOf } = project;
    let results = project.results;
    const writePolicy = writePolicyOf(cwd, options);

    let outcomes: FixOutcome[] = [];
    let diffs = "";
    if (options.fix) {
      removeTempFilesOnSignals();
      outcomes = await fixFiles(results, optionsOf, { policy: writePolicy, unwritable: project.unwritable });
      // Fixing a migration can change what its rollback partner is checked against: re-lint everything.
      if (outcomes.some((outcome) => outcome.applied > 0)) results = await project.relint();
    } else if (options.fixDryRun) {
      ({ results, diffs } = dryRunFixes(results, optionsOf, cwd));
    }

    if (options.cache || options.outputFile !== undefined) removeTempFilesOnSignals();
    const cacheProblem = project.saveCache();
    // GitHub Actions names a file per step for a Markdown summary: the full report goes there beside the capped annotations.
    const stepSummary = formats.includes("github") ? env.GITHUB_STEP_SUMMARY || undefined : undefined;
    let hiddenCareful = 0;
    if (options.quiet) {
      results = results.map((result) => {
        const quiet = withoutCareful(result);
        hiddenCareful += quiet.hidden;
        return quiet.result;
      });
    }
    const result = report(results, outcomes, options, { ...display, formats, cwd, rules, stepSummary, hiddenCareful });
    if (diffs && formats[0] === "stylish") result.output = diffs + result.output;
    result.stderr = project.warnings.map((warning) => `migsafe: ${escapeControl(warning)}\n`).join("") + result.stderr;
    if (cacheProblem) result.stderr += `migsafe: ${escapeControl(cacheProblem)}\n`;
    if (options.debug) {
      const stacks = results.flatMap((r) =>
        [...r.errors, ...r.findings].flatMap((problem) => (problem.stack ? [`migsafe: ${displayPath(r.filePath, cwd)}${"loc" in problem && problem.loc ? `:${problem.loc.start.line}` : ""}: ${problem.stack}`] : [])),
      );
      // What was left out on purpose (another database's branch of a TS/JS migration), one line each.
      const notes = results.flatMap((r) => (r.notes ?? []).map((note) => `migsafe: debug: ${displayPath(r.filePath, cwd)}:${note.line}: ${escapeControl(note.message)}`));
      result.stderr = [...debugLog.map((line) => `migsafe: ${line}`), ...notes, ...stacks].map((line) => `${line}\n`).join("") + result.stderr;
    }
    if (options.outputFile !== undefined) {
      const written = writeReport(path.resolve(cwd, options.outputFile), result.output, writePolicy);
      result.output = "";
      if (written) return { ...result, stderr: result.stderr + cannotWriteOutput(options.outputFile, written), exitCode: 2 };
    }
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : ` (run with --debug for the stack trace)`;
    return { output: "", stderr: `migsafe: internal error: ${escapeControl(message)}${stack}\n`, exitCode: 2 };
  }
}

async function readProcessStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What the stylish report is shown on: colours, code frames, the terminal's width. */
interface Display {
  colors: boolean;
  codeFrame: boolean;
  columns: number;
}

/** The terminal width assumed when it is not known (output piped). */
const DEFAULT_COLUMNS = 100;

/** `--list-rules --format json`: every rule, one object each, in a JSON array. */
function listRulesJson(rules: readonly Rule[]): string {
  const list = rules.map(({ meta }) => ({
    id: meta.id,
    severity: meta.severity,
    preset: meta.recommended === false ? "strict" : "recommended",
    category: meta.category,
    description: meta.description,
    fixable: meta.fixable === true,
    docsUrl: meta.docsUrl ?? docsUrl(meta.id),
    ...(meta.pgVersionNote !== undefined ? { pgVersionNote: meta.pgVersionNote } : {}),
  }));
  return `${escapeJsonControl(JSON.stringify(list, null, 2))}\n`;
}

function listRules(rules: readonly Rule[]): string {
  const rows = rules.map((rule) => [rule.meta.id, rule.meta.severity, rule.meta.recommended === false ? "strict" : "recommended", rule.meta.description]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), ["rule", "severity", "preset"][column]!.length));
  const line = (row: string[]) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join("  ");
  return `${[line(["rule", "severity", "preset", "description"]), ...rows.map(line)].join("\n")}\n`;
}

function explainRule(id: string, style: { colors: boolean; width: number }): RunResult {
  const root = packageRoot();
  const page = root ? path.join(root.dir, "docs", "rules", `${id}.md`) : undefined;
  if (!page || !fs.existsSync(page)) return failure(`the docs page of ${id} is not installed; read it at ${docsUrl(id)}`);
  const text = renderMarkdown(fs.readFileSync(page, "utf8"), { ...style, baseUrl: docsUrl(id) });
  return { output: `${text}\n${docsUrl(id)}\n`, stderr: "", exitCode: 0 };
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
  // A context line starts with a space, which the CI runner trims before looking for a workflow command.
  const inert = (line: string) => inertLineStart(escapeControl(line), "\\x3a");
  return { results: remaining, diffs: diffs ? `${diffs.split("\n").map(inert).join("\n")}\n` : "" };
}

function report(
  results: FileResult[],
  outcomes: readonly FixOutcome[],
  options: CliOptions,
  display: Display & { formats: readonly OutputFormat[]; cwd: string; rules: readonly Rule[]; stepSummary: string | undefined; hiddenCareful: number },
): RunResult {
  const stderr: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.note) stderr.push(`migsafe: ${escapeControl(displayPath(outcome.filePath, display.cwd))}: ${escapeControl(outcome.note)}`);
  }
  const fixedFiles = outcomes.filter((outcome) => outcome.applied > 0);
  const fixed = { problems: fixedFiles.reduce((sum, outcome) => sum + outcome.applied, 0), files: fixedFiles.length };

  const needsRepoRoot = display.formats.some((format) => format === "sarif" || format === "gitlab" || format === "github");
  const context: ReportContext = {
    cwd: display.cwd,
    repoRoot: (needsRepoRoot && repositoryRoot(display.cwd)) || display.cwd,
    colors: display.colors,
    rules: display.rules,
    version: packageVersion(),
    fixed,
    verbose: options.verbose,
    codeFrame: display.codeFrame,
    columns: display.columns,
    hiddenCareful: display.hiddenCareful,
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    stepSummary: display.stepSummary !== undefined,
  };
  const output = display.formats.map((format) => FORMATTERS[format](results, context)).join("");
  const summaryProblem = display.stepSummary === undefined ? undefined : appendStepSummary(display.stepSummary, results, context);
  if (summaryProblem) stderr.push(`migsafe: ${escapeControl(summaryProblem)}`);

  const { stderr: problems, exitCode } = verdict(totalsOf(results), results, options, display.cwd);
  // A fix that could not be written is something asked for and not done.
  const unwritten = outcomes.some((outcome) => outcome.failed);
  return { output, stderr: [...stderr, ...problems].map((line) => `${line}\n`).join(""), exitCode: unwritten ? 2 : exitCode };
}

/** The exit code, and the stderr lines about the run's files: too many careful findings, and each file that could not be read or parsed. */
function verdict(totals: Totals, failing: readonly FileResult[], options: CliOptions, cwd: string): { stderr: string[]; exitCode: ExitCode } {
  const stderr: string[] = [];
  const tooManyWarnings = options.maxWarnings !== undefined && totals.careful > options.maxWarnings;
  if (tooManyWarnings) stderr.push(`migsafe: too many careful findings (${totals.careful}, maximum ${options.maxWarnings})`);
  // One line per file that could not be read or parsed, whatever the format: the report may be JSON or in a file.
  for (const result of failing) {
    const [first, ...more] = result.errors;
    if (!first) continue;
    const where = `${displayPath(result.filePath, cwd)}${first.loc ? `:${first.loc.start.line}:${first.loc.start.column}` : ""}`;
    stderr.push(`migsafe: ${escapeControl(where)}: ${escapeControl(first.message)}${more.length > 0 ? ` (and ${plural(more.length, "more error")})` : ""}`);
  }
  if (totals.fatalFiles > 0) stderr.push(`migsafe: ${plural(totals.fatalFiles, "file")} could not be read or parsed`);
  if (totals.internalErrors > 0) {
    stderr.push(`migsafe: ${plural(totals.internalErrors, "internal error")} (a bug in migsafe: please report it; --debug prints the stack trace); every other finding was still reported`);
  }
  return { stderr, exitCode: exitCodeOf(totals, tooManyWarnings) };
}

/** The formats written file by file as results arrive (to stdout or into --output-file), when nothing needs every result at once (fixes, --debug). */
function streamedFormat(options: CliOptions, env: Readonly<Record<string, string | undefined>>): StreamedFormat | undefined {
  if (options.fix || options.fixDryRun || options.debug) return undefined;
  const formats = outputFormats(options, env);
  return formats.length === 1 && (formats[0] === "json" || formats[0] === "compact" || formats[0] === "stylish") ? formats[0] : undefined;
}

type StreamedFormat = "json" | "compact" | "stylish";

/**
 * A run whose report is written as it is made: each file's part goes to `write` as
 * soon as that file and those before it are linted, and is then dropped, so memory
 * stays flat however many files there are. The report is the same as a whole one.
 */
async function streamRun(
  request: ProjectRequest,
  format: StreamedFormat,
  options: CliOptions,
  { write, ...display }: Display & { write: (chunk: string) => void },
): Promise<RunResult> {
  const totals: Totals = { dangerous: 0, careful: 0, fatalFiles: 0, internalErrors: 0, files: 0 };
  const failing: FileResult[] = [];
  const tally = new RuleTally();
  const context: ReportContext = {
    cwd: request.cwd,
    repoRoot: request.cwd,
    ...display,
    rules: request.rules ?? allRules,
    version: packageVersion(),
    verbose: options.verbose,
    hiddenCareful: 0,
  };
  const onResult = (linted: FileResult) => {
    let result = linted;
    if (options.quiet) {
      const quiet = withoutCareful(linted);
      context.hiddenCareful! += quiet.hidden;
      result = quiet.result;
    }
    if (format === "stylish") tally.add(result);
    const counted = totalsOf([result]);
    totals.dangerous += counted.dangerous;
    totals.careful += counted.careful;
    totals.fatalFiles += counted.fatalFiles;
    totals.internalErrors += counted.internalErrors;
    if (result.errors.length > 0) failing.push({ filePath: result.filePath, findings: [], errors: result.errors });
    if (format === "stylish") {
      const part = formatStylishFile(result, context);
      if (part) write(part);
    } else if (format === "compact") write(formatCompact([result], context));
    else write(`${totals.files === 0 ? "[" : ","}${escapeJsonControl(JSON.stringify(toJsonResults([result])[0]))}`);
    totals.files++;
  };
  const project = await lintProject({ ...request, onResult });
  if (!project.ok) return failure(project.message);
  if (options.cache) removeTempFilesOnSignals();
  const cacheProblem = project.saveCache();
  if (format === "json") write(totals.files === 0 ? "[]\n" : "]\n");
  if (format === "stylish") write(formatRuleSummary(tally, totals.files, context) + formatStylishSummary(totals, context));
  const { stderr, exitCode } = verdict(totals, failing, options, request.cwd);
  stderr.unshift(...project.warnings.map((warning) => `migsafe: ${escapeControl(warning)}`));
  if (cacheProblem) stderr.push(`migsafe: ${escapeControl(cacheProblem)}`);
  return { output: "", stderr: stderr.map((line) => `${line}\n`).join(""), exitCode };
}

/**
 * A streamed report into --output-file: the file is checked and opened before linting (a report that cannot be
 * written fails at once), written as results arrive, and renamed into place at the end; the old file stays until then.
 */
async function streamToFile(request: ProjectRequest, format: StreamedFormat, options: CliOptions, display: Display, policy: WritePolicy): Promise<RunResult> {
  const outputFile = options.outputFile!;
  removeTempFilesOnSignals();
  const file = openReport(path.resolve(request.cwd, outputFile), policy);
  if (typeof file === "string") return { output: "", stderr: cannotWriteOutput(outputFile, file), exitCode: 2 };
  let problem: string | undefined;
  let written = false;
  const write = (chunk: string) => {
    if (problem !== undefined) return;
    written = true;
    try {
      file.write(chunk);
    } catch (error) {
      problem = whyNotWritten(error);
    }
  };
  let result: RunResult;
  try {
    result = await streamRun(request, format, options, { write, ...display });
  } catch (error) {
    file.abort();
    throw error;
  }
  // The run failed before any report (a bad configuration, no files): the old report stays, as without streaming.
  if (!written && result.exitCode === 2) {
    file.abort();
    return result;
  }
  if (problem === undefined) {
    try {
      file.commit();
    } catch (error) {
      problem = whyNotWritten(error);
    }
  }
  if (problem === undefined) return result;
  file.abort();
  return { ...result, stderr: result.stderr + cannotWriteOutput(outputFile, problem), exitCode: 2 };
}

/** Where migsafe may write (fixes, --output-file); asks git for the repository, so only a run that writes asks. */
function writePolicyOf(cwd: string, options: CliOptions): WritePolicy {
  return { projectRoot: repositoryRoot(cwd) ?? cwd, outsideProject: options.writeOutsideProject };
}

/** The stderr line of a report that --output-file could not write. */
function cannotWriteOutput(outputFile: string, why: string): string {
  return `migsafe: cannot write --output-file ${escapeControl(outputFile)}: ${why}\n`;
}

/** --format, or by default stylish — followed, in GitHub Actions, by workflow commands that annotate the pull request. */
function outputFormats(options: CliOptions, env: Readonly<Record<string, string | undefined>>): OutputFormat[] {
  if (options.format) return [options.format];
  return env.GITHUB_ACTIONS === "true" ? ["stylish", "github"] : ["stylish"];
}


/** Exit 2 with one line on stderr; arguments echoed in it are escaped like file names. */
function failure(message: string): RunResult {
  return { output: "", stderr: `migsafe: ${escapeControl(message)}\n`, exitCode: 2 };
}

