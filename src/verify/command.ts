/**
 * `migsafe verify`: the command line of src/verify/verify.ts. It finds the migrations
 * as lint does, opens the database (PGlite in process, or a scratch database on the
 * server of --database-url / DATABASE_URL), runs them, and reports with lint's formatters.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { allRules } from "../../rules/index.js";
import { DEFAULT_FOLDERS, defaultFolders, findFiles } from "../files/find-files.js";
import { repositoryRoot } from "../files/git.js";
import { packageVersion } from "../version.js";
import { writeReport } from "../files/write-file.js";
import { ConfigError, ConfigFinder, loadConfigFile, type LoadedConfig } from "../config/load.js";
import { resolveConfig } from "../config/resolve.js";
import type { LintOptions } from "../engine/lint.js";
import { escapeControl } from "../formatters/escape.js";
import type { ReportContext } from "../formatters/format.js";
import { useColors } from "../formatters/colors.js";
import { FORMATS, FORMATTERS, type OutputFormat } from "../formatters/index.js";
import { exitCodeOf, plural, totalsOf } from "../formatters/messages.js";
import { displayPath } from "../formatters/stylish.js";
import { describeParseError } from "../parse-args-error.js";
import { loadParser } from "../parser/pg.js";
import { DEFAULT_TIMEOUT_MS, type VerifyDatabase } from "./database.js";
import type { ServerDatabaseOptions } from "./server-database.js";
import { selectMigrations, VERIFY_RULES, verifyMigrations } from "./verify.js";
import type { MigrationOrder } from "./order.js";
import { formatLockTable } from "./lock-table.js";
import { SCRIPT_EXTENSION } from "../embedded/lint-embedded.js";
import { isFile } from "../files/is-file.js";
import { MissingDependencyError } from "../optional-dependency.js";

export interface VerifyCommandOptions {
  /** Paths are resolved against, and shown relative to, this folder. Default: process.cwd(). */
  cwd?: string;
  /** DATABASE_URL, NO_COLOR, FORCE_COLOR, GITHUB_ACTIONS. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colours). Default: false. */
  isTTY?: boolean;
  /** A database to run in instead of opening one (tests share one PGlite); it is left open. */
  database?: VerifyDatabase;
  /** Whether SIGINT and SIGTERM stop the run (cancel the statement, drop the scratch database, report what was found). Default: true. */
  handleSignals?: boolean;
}

export interface VerifyCommandResult {
  output: string;
  stderr: string;
  /** 0: nothing dangerous; 1: dangerous findings; 2: verify could not run (arguments, database, unreadable files); 130/143: interrupted by SIGINT/SIGTERM. */
  exitCode: 0 | 1 | 2 | 130 | 143;
}

const OPTIONS = {
  "database-url": { type: "string" },
  seed: { type: "string" },
  rows: { type: "string" },
  rerun: { type: "boolean" },
  order: { type: "string" },
  timezone: { type: "string" },
  locks: { type: "boolean" },
  timeout: { type: "string" },
  "i-know-this-database-is-scratch": { type: "boolean" },
  format: { type: "string", short: "f" },
  "output-file": { type: "string", short: "o" },
  config: { type: "string", short: "c" },
  debug: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The most synthetic rows --rows gives a table: more only makes the run slow. */
const MAX_ROWS = 1_000_000;

/** The longest --timeout: a day. */
const MAX_TIMEOUT_SECONDS = 86_400;

/** The exit code of a run a signal stopped: 128 + the signal's number, as shells report it. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

const HELP_HINT = "run 'migsafe verify --help' for usage";

/**
 * Runs `migsafe verify` with the arguments that follow `verify` on the command line.
 * Never throws: every problem is a line on stderr and exit code 2.
 */
export async function verifyCommand(argv: readonly string[], options: VerifyCommandOptions = {}): Promise<VerifyCommandResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  let debug = argv.includes("--debug");
  let database: VerifyDatabase | undefined;
  let interrupted: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    // A second signal does not wait for the scratch database to be dropped.
    if (interrupted) process.exit(SIGNAL_EXIT_CODES[signal]);
    interrupted = signal;
    void database?.cancel();
  };
  const stopSignals = options.handleSignals === false ? () => undefined : listenForSignals(onSignal);
  try {
    let values: ReturnType<typeof parse>["values"];
    let positionals: string[];
    try {
      ({ values, positionals } = parse(argv));
    } catch (error) {
      return failure(`${describeParseError(error, Object.keys(OPTIONS))} (${HELP_HINT})`);
    }
    debug = values.debug ?? false;
    if (values.help) return { output: VERIFY_HELP, stderr: "", exitCode: 0 };

    const format = values.format;
    if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
      return failure(`unknown format '${format}' for --format (expected ${FORMATS.slice(0, -1).join(", ")} or ${FORMATS.at(-1)})`);
    }
    if (values["output-file"] === "") return failure("--output-file needs a file name");
    if (values.locks && format !== undefined && !["stylish", "compact", "json", "markdown"].includes(format)) {
      return failure(`--locks prints a table as text (stylish, compact), json or markdown, not ${format}`);
    }
    if (values.timezone !== undefined && !/^[A-Za-z0-9_+\-/:.]+$/.test(values.timezone)) return failure(`--timezone takes a time zone name (UTC, Europe/Paris, America/New_York), not '${values.timezone}'`);
    let rows = 0;
    if (values.rows !== undefined) {
      if (!/^\d+$/.test(values.rows.trim()) || Number(values.rows) > MAX_ROWS) {
        return failure(`--rows takes a whole number of rows from 0 to ${MAX_ROWS.toLocaleString("en")}, not '${values.rows}'`);
      }
      rows = Number(values.rows);
    }
    let timeoutMs = DEFAULT_TIMEOUT_MS;
    if (values.timeout !== undefined) {
      const seconds = Number(values.timeout.trim());
      if (!/^\d+(\.\d+)?$/.test(values.timeout.trim()) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
        return failure(`--timeout takes a number of seconds above 0 and up to ${MAX_TIMEOUT_SECONDS.toLocaleString("en")}, not '${values.timeout}'`);
      }
      timeoutMs = Math.round(seconds * 1000);
    }
    const url = values["database-url"] ?? (env.DATABASE_URL || undefined);
    if (values["database-url"] === "") return failure("--database-url needs a URL (postgres://user:password@host:port/database)");
    const announced: string[] = [];
    if (values["database-url"] === undefined && url) announced.push(`using DATABASE_URL from the environment: ${await serverOf(url)}`);

    let patterns = positionals;
    if (patterns.length === 0) {
      patterns = defaultFolders(cwd);
      if (patterns.length === 0) {
        return failure(`no migration folder found in ${cwd} (looked for ${DEFAULT_FOLDERS.map((folder) => `${folder}/`).join(", ")}); pass the folder or files to verify`);
      }
    }
    const order = values.order === undefined ? { kind: "runner" as const } : readOrder(values.order, cwd);
    if ("problem" in order) return failure(order.problem);
    const targets = await findFiles(patterns, cwd, { sorted: order.kind !== "as-given" });
    for (const target of targets) {
      const problem = target.error ?? (isFile(target.path) ? undefined : "no such file");
      if (problem) return failure(`${displayPath(target.path, cwd)}: ${problem}`);
    }

    const configured = configure(targets.map((target) => target.path), values.config === undefined ? undefined : path.resolve(cwd, values.config));
    if (!configured.ok) {
      const where = `${displayPath(configured.file, cwd)}${configured.line ? `:${configured.line}` : ""}`;
      return failure(`${where}: ${configured.message}`);
    }
    const files = configured.files;
    if (selectMigrations(files, configured.lintOptions).forward.length === 0) return failure(`no SQL migration to verify in ${patterns.join(", ")}`);

    let seed: { path: string; text: string } | undefined;
    if (values.seed !== undefined) {
      const seedPath = path.resolve(cwd, values.seed);
      try {
        seed = { path: values.seed, text: fs.readFileSync(seedPath, "utf8") };
      } catch (error) {
        return failure(`cannot read --seed ${values.seed}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }

    await loadParser();
    if (options.database) {
      database = options.database;
    } else {
      try {
        database = url
          ? await openServer(url, { allowNonEmpty: values["i-know-this-database-is-scratch"] ?? false, timeoutMs })
          : await openEmbedded(files, seed?.text, timeoutMs, env);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (url || error instanceof MissingDependencyError) return failure(...announced, message);
        return failure(...announced, `cannot start the embedded PostgreSQL (PGlite): ${message}`);
      }
    }
    announced.push(...(database.notices ?? []));

    let outcome: Awaited<ReturnType<typeof verifyMigrations>>;
    let closeProblem: string | undefined;
    try {
      outcome = await verifyMigrations({
        database,
        files,
        lintOptions: configured.lintOptions,
        reported: configured.reported,
        rows,
        rerun: values.rerun ?? false,
        order,
        show: (filePath) => displayPath(filePath, cwd),
        ...(values.timezone === undefined ? {} : { timezone: values.timezone }),
        ...(seed ? { seed } : {}),
        interrupted: () => interrupted,
      });
    } finally {
      if (!options.database) closeProblem = await closeDatabase(database);
    }
    if (!outcome.ok) return failure(...announced, outcome.message, ...(closeProblem ? [closeProblem] : []));

    const stderr: string[] = [...announced];
    if (debug && database.started) stderr.push(`debug: ${database.description} started ${database.started}`);
    if (debug) for (const note of new Set(outcome.notes)) stderr.push(`debug: ${note}`);
    stderr.push(...outcome.warnings);
    if (outcome.skipped.length > 0) {
      const names = outcome.skipped.map((file) => displayPath(file, cwd)).join(", ");
      stderr.push(`skipped ${plural(outcome.skipped.length, "file")} verify does not run (not SQL, a rollback file without its migration, a file its runner does not run, or a TS/JS migration whose SQL it does not spell out): ${names}`);
    }
    const knockOn = outcome.knockOn > 0 ? ` (${outcome.knockOn} of them on what an earlier failure, refused statement or migration verify could not run did not make: listed under it, --verbose)` : "";
    const didNotApply = outcome.failed > 0 ? `; ${outcome.failed} did not apply${knockOn}` : "";
    stderr.push(`verified ${plural(outcome.migrations, "migration")} on ${database.description}${rows > 0 ? ` with ${rows} rows per table` : ""}${didNotApply}`);
    if (outcome.stopped) {
      const notRun = outcome.stopped.notRun > 0 ? `; ${plural(outcome.stopped.notRun, "migration")} did not run` : "";
      const reason = interrupted ? `interrupted by ${interrupted}` : outcome.stopped.reason;
      stderr.push(`stopped: ${reason}${notRun}; the report has what was found until then`);
    }
    if (closeProblem) stderr.push(closeProblem);

    const formats: OutputFormat[] = format ? [format as OutputFormat] : env.GITHUB_ACTIONS === "true" ? ["stylish", "github"] : ["stylish"];
    const needsRepoRoot = formats.some((name) => name === "sarif" || name === "gitlab" || name === "github");
    const context: ReportContext = {
      cwd,
      repoRoot: (needsRepoRoot && repositoryRoot(cwd)) || cwd,
      colors: values["output-file"] === undefined && useColors(env, options.isTTY ?? false),
      rules: [...allRules, ...VERIFY_RULES],
      version: packageVersion(),
      verbose: values.verbose ?? false,
    };
    let output = values.locks
      ? formatLockTable(outcome.locks, format === "json" ? "json" : format === "markdown" ? "markdown" : "text", (file) => displayPath(file, cwd))
      : formats.map((name) => FORMATTERS[name](outcome.results, context)).join("");
    const totals = totalsOf(outcome.results);
    if (totals.fatalFiles > 0) stderr.push(`${plural(totals.fatalFiles, "file")} could not be read or parsed`);
    let exitCode: VerifyCommandResult["exitCode"] = exitCodeOf(totals);
    if (closeProblem) exitCode = 2;
    if (interrupted) exitCode = SIGNAL_EXIT_CODES[interrupted];

    if (values["output-file"] !== undefined) {
      const problem = writeReport(path.resolve(cwd, values["output-file"]), output);
      output = "";
      if (problem) {
        stderr.push(`cannot write --output-file ${values["output-file"]}: ${problem}`);
        exitCode = 2;
      }
    }
    return { output, stderr: stderr.map((line) => `migsafe: ${escapeControl(line)}\n`).join(""), exitCode };
  } catch (error) {
    const closeProblem = database && !options.database ? await closeDatabase(database) : undefined;
    const message = error instanceof Error ? error.message : String(error);
    const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : " (run with --debug for the stack trace)";
    const dropped = closeProblem ? `migsafe: ${escapeControl(closeProblem)}\n` : "";
    return { output: "", stderr: `migsafe: internal error: ${escapeControl(message)}${stack}\n${dropped}`, exitCode: 2 };
  } finally {
    stopSignals();
  }
}

/** Closes the database verify opened; the error, when the scratch database could not be dropped. */
async function closeDatabase(database: VerifyDatabase): Promise<string | undefined> {
  try {
    await database.close();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Calls `onSignal` on SIGINT and SIGTERM until the returned function is called. */
function listenForSignals(onSignal: (signal: StopSignal) => void): () => void {
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]).map((signal) => {
    const listener = () => onSignal(signal);
    process.on(signal, listener);
    return () => process.off(signal, listener);
  });
  return () => listeners.forEach((remove) => remove());
}

/** "host:port/database" of a URL, for the line that says which server DATABASE_URL named (never its password). */
async function serverOf(url: string): Promise<string> {
  const { describeServer } = await import("./server-database.js");
  return describeServer(url);
}

/** PGlite, with the contrib extensions the migrations and the seed create. */
async function openEmbedded(files: readonly string[], seed: string | undefined, timeoutMs: number, env: Readonly<Record<string, string | undefined>>): Promise<VerifyDatabase> {
  const { extensionsIn, openPgliteDatabase } = await import("./pglite-database.js");
  const texts = [...files.filter((file) => /\.sql$/i.test(file) || SCRIPT_EXTENSION.test(file)).map(readText), seed ?? ""];
  const restart = env.MIGSAFE_PGLITE_RESTART_MB;
  const restartGrowthMb = restart !== undefined && /^\d+$/.test(restart) ? Number(restart) : undefined;
  return openPgliteDatabase({ extensions: [...new Set(texts.flatMap(extensionsIn))], timeoutMs, env, ...(restartGrowthMb !== undefined ? { restartGrowthMb } : {}) });
}

function readText(filePath: string): string {
  try {
    return fs.readFileSync(filePath, "utf8");
  } catch {
    return "";
  }
}

/** The server adapter (and `pg`) load only when a URL is given. */
async function openServer(url: string, options: ServerDatabaseOptions): Promise<VerifyDatabase> {
  const { openServerDatabase } = await import("./server-database.js");
  return openServerDatabase(url, options);
}

type Configured =
  | {
      ok: true;
      /** The files to run: those the configuration's include/exclude accept. */
      files: string[];
      lintOptions: (filePath: string) => LintOptions;
      /** False for migrations before the configuration's startAfter: they run (later ones need their schema) but are not reported. */
      reported: (filePath: string) => boolean;
    }
  | { ok: false; message: string; file: string; line?: number };

/** Each file's configuration, as lint finds it: --config for all, or the nearest one. */
function configure(paths: readonly string[], configFile: string | undefined): Configured {
  const ids = new Set(allRules.map((rule) => rule.meta.id));
  try {
    const fixed = configFile === undefined ? undefined : loadConfigFile(configFile, ids);
    if (configFile !== undefined && !fixed) return { ok: false, message: 'package.json has no "migsafe" key', file: configFile };
    const finder = new ConfigFinder(ids);
    const byConfig = new Map<LoadedConfig | undefined, { lint: LintOptions; accepts: (file: string) => boolean; runs: (file: string) => boolean }>();
    const entryOf = (filePath: string) => {
      const loaded = fixed ?? finder.forFile(filePath);
      let entry = byConfig.get(loaded);
      if (!entry) {
        const resolved = resolveConfig(loaded, allRules);
        // startAfter only hides migrations: verify still runs them, since the later ones build on them.
        const runs = loaded?.config.startAfter ? resolveConfig({ ...loaded, config: { ...loaded.config, startAfter: undefined } }, allRules).accepts : resolved.accepts;
        entry = { lint: { rules: allRules, ...resolved.lint }, accepts: resolved.accepts, runs };
        byConfig.set(loaded, entry);
      }
      return entry;
    };
    const files = paths.filter((filePath) => entryOf(filePath).runs(filePath));
    return { ok: true, files, lintOptions: (filePath) => entryOf(filePath).lint, reported: (filePath) => entryOf(filePath).accepts(filePath) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, message: error.message, file: error.file, ...(error.line ? { line: error.line } : {}) };
    throw error;
  }
}

/** `--order`: `runner`, `as-given`, or a file listing the migrations one per line (relative to the file's folder; `#` starts a comment). */
function readOrder(value: string, cwd: string): MigrationOrder | { problem: string } {
  if (value === "runner") return { kind: "runner" };
  if (value === "as-given") return { kind: "as-given" };
  if (value === "") return { problem: "--order takes runner, as-given or a file that lists the migrations" };
  const listFile = path.resolve(cwd, value);
  let text: string;
  try {
    text = fs.readFileSync(listFile, "utf8");
  } catch (error) {
    return { problem: `cannot read --order ${value}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (--order takes runner, as-given or a file that lists the migrations)` };
  }
  const entries = text.split(/\r?\n/).map((line) => line.replace(/#.*/, "").trim()).filter((line) => line !== "");
  return { kind: "list", files: entries.map((entry) => path.resolve(path.dirname(listFile), entry)), source: value };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
}





/** Exit code 2, with one stderr line per message. */
function failure(...messages: string[]): VerifyCommandResult {
  return { output: "", stderr: messages.map((message) => `migsafe: ${escapeControl(message)}\n`).join(""), exitCode: 2 };
}

export const VERIFY_HELP = `Usage: migsafe verify [options] [folder|file ...]

Runs the migrations on a real PostgreSQL, in migration order, from an empty
database, and reports what PostgreSQL did, merged with lint's findings: errors
with their SQLSTATE, the locks each statement took on existing tables, the
tables it rewrote, whether the rollback restores the schema, and (--rerun)
whether the migration can run twice. Docs: docs/verify.md.

Arguments:
  folder            its forward migrations (**/*.sql; rollback files run as rollbacks)
  file              a migration
  (none)            the migration folders found in the current directory:
                    migrations/, db/migrations/, supabase/migrations/, prisma/migrations/

Options:
      --database-url <url>   run on this PostgreSQL server, in a scratch database
                             dropped afterwards (default: $DATABASE_URL; without
                             either, an embedded PostgreSQL 18 (PGlite) in process)
      --i-know-this-database-is-scratch
                             allow a server database that is not empty
      --seed <file>          SQL run before the first migration
      --rows <n>             before each migration, fill every table to n synthetic
                             rows, so that "table has rows" failures show (default 0)
      --rerun                apply each migration a second time (rolled back) to
                             check that it can run again
      --locks                print the lock table instead of the findings: each lock
                             a statement took on an existing table, held from
                             which line to which, what it blocks, whether the table
                             was rewritten (text; json and markdown with --format)
      --timezone <zone>      the session's time zone (default America/New_York, not
                             UTC: timestamp → timestamptz rewrites a table only
                             outside UTC, as in production in most zones)
      --order <how>          runner (default): the runner's order when migsafe knows
                             the runner, else by name, numbers and version folders
                             (v1.2 before v1.10) compared as numbers; as-given: the
                             order of the arguments; or a file listing the
                             migrations, one per line
      --timeout <seconds>    the longest a statement may run or wait for a lock
                             (default 60); on PGlite, a statement past it stops the run
  -f, --format <name>        stylish (default), json, sarif, github, gitlab, junit,
                             markdown or compact
  -o, --output-file <path>   write the report to this file instead of stdout
  -c, --config <file>        use this configuration for every file
      --verbose              print each finding's longer why under its help (what
                             PostgreSQL said in full, the failures that followed)
      --debug                print what verify could not check, and stack traces
  -h, --help                 show this help

Exit codes:
  0  nothing dangerous
  1  dangerous findings (a migration or rollback that PostgreSQL rejects, or lint's)
  2  verify could not run: bad arguments, the database, a file that cannot be read or parsed,
     or the scratch database could not be dropped
  130, 143  interrupted by SIGINT or SIGTERM: the running statement was cancelled, the
     scratch database dropped, and the findings so far reported
`;
