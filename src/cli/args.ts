import { parseArgs } from "node:util";
import type { RuleSetting } from "../engine/lint.js";
import { DOCS_BASE_URL } from "../engine/rule.js";
import { FORMATS, type OutputFormat } from "../formatters/index.js";
import { DEFAULT_MARKDOWN_MAX_BYTES, MIN_MARKDOWN_MAX_BYTES } from "../formatters/markdown.js";
import { didYouMean } from "../did-you-mean.js";
import { describeParseError } from "../parse-args-error.js";

/** The hook managers `migsafe init-hook --print <tool>` prints a snippet for. */
export const HOOK_TOOLS = ["husky", "lint-staged", "simple-git-hooks", "pre-commit"] as const;
export type HookTool = (typeof HOOK_TOOLS)[number];
const SETTINGS: readonly RuleSetting[] = ["off", "careful", "dangerous"];

export interface CliOptions {
  /** Files, folders and globs to lint; empty means the usual migration folders. */
  patterns: string[];
  /** Undefined when not given: stylish, plus GitHub annotations when run in GitHub Actions. */
  format: OutputFormat | undefined;
  /** Write the report here (atomically) instead of to stdout. */
  outputFile: string | undefined;
  /** Lint only migration files added, modified or renamed since the merge base with this git ref. */
  changedSince: string | undefined;
  /** Lint the staged version of staged files. */
  staged: boolean;
  /** Lint the text on standard input, named `stdinFilename` (for its configuration, rollback partner and report). */
  stdin: boolean;
  stdinFilename: string | undefined;
  /** Reuse the results of files whose content, configuration and migsafe version did not change. */
  cache: boolean;
  /** `migsafe init-hook`: install a git pre-commit hook, or print the snippet for a hook manager. */
  initHook: { print: HookTool | undefined; force: boolean } | undefined;
  /** Severity overrides from `--rule id=setting`, the last one for a rule winning. */
  severities: Record<string, RuleSetting>;
  /** Careful findings allowed before the exit code is 1; undefined means no limit. */
  maxWarnings: number | undefined;
  /** The markdown report's size limit in bytes; undefined means the formatter's default. */
  maxBytes: number | undefined;
  fix: boolean;
  /** Print the fixes as a diff instead of writing them. */
  fixDryRun: boolean;
  /** Let --fix and --output-file write through a symbolic link that leads outside the project. */
  writeOutsideProject: boolean;
  /** A configuration file used for every file, instead of the one found by walking up. */
  config: string | undefined;
  /** `--print-config <file>`: print the configuration in force for this file, its runner and why, instead of linting. */
  printConfig: string | undefined;
  listRules: boolean;
  /** `migsafe explain <rule-id>`: the rule whose docs page to print. */
  explain: string | undefined;
  /** Each finding's longer why under its help (stylish). */
  verbose: boolean;
  /** --quiet: report dangerous findings and fatal errors only; careful findings are dropped (and do not count for --max-warnings). */
  quiet: boolean;
  /** --color / --no-color (the last one given wins); undefined: NO_COLOR, FORCE_COLOR and the terminal decide. */
  color: boolean | undefined;
  /** --code-frame / --no-code-frame (the last one given wins); undefined: on when the stylish report goes to a terminal. */
  codeFrame: boolean | undefined;
  /** --pg-version: the PostgreSQL major version for every file, over each configuration's pgVersion. */
  pgVersion: number | undefined;
  debug: boolean;
  help: boolean;
  version: boolean;
}

export type ParsedArgs = { ok: true; options: CliOptions } | { ok: false; message: string };

const OPTIONS = {
  format: { type: "string", short: "f" },
  "output-file": { type: "string", short: "o" },
  "changed-since": { type: "string" },
  staged: { type: "boolean" },
  stdin: { type: "boolean" },
  "stdin-filename": { type: "string" },
  cache: { type: "boolean" },
  print: { type: "string" },
  force: { type: "boolean" },
  rule: { type: "string", multiple: true },
  "max-warnings": { type: "string" },
  "max-bytes": { type: "string" },
  fix: { type: "boolean" },
  "fix-dry-run": { type: "boolean" },
  "write-outside-project": { type: "boolean" },
  config: { type: "string", short: "c" },
  "print-config": { type: "string" },
  "list-rules": { type: "boolean" },
  verbose: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  color: { type: "boolean" },
  "no-color": { type: "boolean" },
  "code-frame": { type: "boolean" },
  "no-code-frame": { type: "boolean" },
  "pg-version": { type: "string" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/**
 * Parses the command line. `ruleIds` are the rules `--rule` may name. Errors come
 * back as a one-line message (without the `migsafe:` prefix or the --help hint).
 */
export function parseCliArgs(argv: readonly string[], ruleIds: readonly string[]): ParsedArgs {
  let values: ReturnType<typeof parse>["values"];
  let positionals: string[];
  let tokens: ReturnType<typeof parse>["tokens"];
  try {
    ({ values, positionals, tokens } = parse(argv));
  } catch (error) {
    return { ok: false, message: describeParseError(error, Object.keys(OPTIONS)) };
  }

  const format = values.format;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
    return { ok: false, message: `unknown format '${format}' for --format (expected ${FORMATS.slice(0, -1).join(", ")} or ${FORMATS.at(-1)})` };
  }
  if (values["output-file"] === "") return { ok: false, message: "--output-file needs a file name" };

  let maxWarnings: number | undefined;
  const rawMax = values["max-warnings"];
  if (rawMax !== undefined) {
    if (!/^\d+$/.test(rawMax.trim()) || !Number.isSafeInteger(Number(rawMax))) {
      return { ok: false, message: `--max-warnings takes a whole number of careful findings, 0 or more, not '${rawMax}'` };
    }
    maxWarnings = Number(rawMax);
  }

  let maxBytes: number | undefined;
  const rawMaxBytes = values["max-bytes"];
  if (rawMaxBytes !== undefined) {
    if (format !== "markdown") return { ok: false, message: "--max-bytes limits the markdown report: use it with --format markdown" };
    maxBytes = Number(rawMaxBytes);
    if (!/^\d+$/.test(rawMaxBytes.trim()) || !Number.isSafeInteger(maxBytes) || maxBytes < MIN_MARKDOWN_MAX_BYTES) {
      return { ok: false, message: `--max-bytes takes a whole number of bytes, ${MIN_MARKDOWN_MAX_BYTES} or more, not '${rawMaxBytes}'` };
    }
  }

  let pgVersion: number | undefined;
  const rawPgVersion = values["pg-version"];
  if (rawPgVersion !== undefined) {
    pgVersion = Number(rawPgVersion);
    if (!/^\d+$/.test(rawPgVersion.trim()) || pgVersion < 9 || pgVersion > 99) {
      return { ok: false, message: `--pg-version takes a PostgreSQL major version from 9 to 99, such as 14, not '${rawPgVersion}'` };
    }
  }

  const severities: Record<string, RuleSetting> = {};
  for (const spec of values.rule ?? []) {
    const match = /^\s*([^=\s]+)\s*=\s*(\S*)\s*$/.exec(spec);
    if (!match) return { ok: false, message: `--rule takes id=off|careful|dangerous, not '${spec}'` };
    const id = match[1]!;
    const setting = match[2]!;
    if (!ruleIds.includes(id)) return { ok: false, message: `unknown rule '${id}' in --rule ${spec}${didYouMean(id, ruleIds)}` };
    if (!(SETTINGS as readonly string[]).includes(setting)) {
      return { ok: false, message: `unknown setting '${setting}' for rule '${id}' in --rule ${spec} (expected ${SETTINGS.join(", ")})` };
    }
    severities[id] = setting as RuleSetting;
  }

  let explain: string | undefined;
  if (positionals[0] === "explain") {
    explain = positionals[1];
    if (explain === undefined || positionals.length > 2) return { ok: false, message: "explain takes one rule id: migsafe explain <rule-id>" };
    if (!ruleIds.includes(explain)) return { ok: false, message: `unknown rule '${explain}'${didYouMean(explain, ruleIds) || " (migsafe --list-rules lists them)"}` };
  }
  if (values["list-rules"] && format !== undefined && format !== "stylish" && format !== "json") {
    return { ok: false, message: `--list-rules prints a table (stylish) or JSON (--format json), not --format ${format}` };
  }
  if (values.fix && values["fix-dry-run"]) return { ok: false, message: "--fix and --fix-dry-run cannot be used together" };

  const sources = [values.stdin && "--stdin", values.staged && "--staged", values["changed-since"] !== undefined && "--changed-since"].filter(Boolean);
  if (sources.length > 1) return { ok: false, message: `${sources.join(" and ")} cannot be used together` };
  if (values["stdin-filename"] !== undefined && !values.stdin) return { ok: false, message: "--stdin-filename needs --stdin" };
  if (values.stdin && positionals.length > 0) return { ok: false, message: "--stdin lints standard input: pass no file names (name it with --stdin-filename)" };
  if (values.fix && (values.stdin || values.staged)) {
    return { ok: false, message: `--fix writes files: it cannot be used with ${values.stdin ? "--stdin" : "--staged"} (use --fix-dry-run to see the fixes)` };
  }

  const printConfig = values["print-config"];
  if (printConfig !== undefined && (printConfig === "" || positionals.length > 0)) return { ok: false, message: "--print-config takes one file: migsafe --print-config <file>" };

  let initHook: CliOptions["initHook"];
  if (positionals[0] === "init-hook") {
    if (positionals.length > 1) return { ok: false, message: "init-hook takes no file names: migsafe init-hook [--print <tool>] [--force]" };
    const print = values.print;
    if (print !== undefined && !(HOOK_TOOLS as readonly string[]).includes(print)) {
      return { ok: false, message: `unknown tool '${print}' for --print (expected ${HOOK_TOOLS.join(", ")})` };
    }
    initHook = { print: print as HookTool | undefined, force: values.force ?? false };
  } else if (values.print !== undefined || values.force) {
    return { ok: false, message: `${values.print !== undefined ? "--print" : "--force"} belongs to init-hook: migsafe init-hook [--print <tool>] [--force]` };
  }

  return {
    ok: true,
    options: {
      patterns: explain || initHook ? [] : positionals,
      format: format as OutputFormat | undefined,
      outputFile: values["output-file"],
      changedSince: values["changed-since"],
      staged: values.staged ?? false,
      stdin: values.stdin ?? false,
      stdinFilename: values["stdin-filename"],
      cache: values.cache ?? false,
      initHook,
      severities,
      maxWarnings,
      maxBytes,
      fix: values.fix ?? false,
      fixDryRun: values["fix-dry-run"] ?? false,
      writeOutsideProject: values["write-outside-project"] ?? false,
      config: values.config,
      printConfig,
      listRules: values["list-rules"] ?? false,
      explain,
      verbose: values.verbose ?? false,
      quiet: values.quiet ?? false,
      color: lastSwitch(tokens, "color"),
      codeFrame: lastSwitch(tokens, "code-frame"),
      pgVersion,
      debug: values.debug ?? false,
      help: values.help ?? false,
      version: values.version ?? false,
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
}

/** `--name` (true) or `--no-name` (false), whichever comes last on the command line; undefined when neither does. */
function lastSwitch(tokens: ReturnType<typeof parse>["tokens"], name: string): boolean | undefined {
  let value: boolean | undefined;
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    if (token.name === name) value = true;
    else if (token.name === `no-${name}`) value = false;
  }
  return value;
}

export function helpText(ruleIds: readonly string[]): string {
  return `Usage: migsafe [options] [file|folder|glob ...]
       migsafe explain <rule-id>
       migsafe verify [folder|file ...]   (run the migrations on PostgreSQL: migsafe verify --help)
       migsafe init-hook [--print husky|lint-staged|simple-git-hooks|pre-commit] [--force]

Static safety linter for PostgreSQL migrations: reports statements that lock,
rewrite or lose data, and suggests the safe alternative.

Arguments:
  file              linted whatever its extension
  folder            every **/*.sql file inside it
  glob              quoted pattern, e.g. "db/**/*.sql"
  (none)            the migration folders found in the current directory:
                    migrations/, db/migrations/, supabase/migrations/, prisma/migrations/

Options:
  -f, --format <name>       output format: stylish (default), json, sarif, github,
                            gitlab, junit, markdown or compact; in GitHub Actions the
                            default is stylish plus github annotations
  -o, --output-file <path>  write the report to this file instead of stdout
      --changed-since <ref> lint only the migrations added or changed since the merge
                            base with this git ref (e.g. origin/main)
      --staged              lint what is staged for commit (read from the git index)
      --stdin               lint standard input; --stdin-filename <name> names it
      --cache               skip files whose content, configuration and migsafe
                            version did not change (node_modules/.cache/migsafe)
      --rule <id=setting>   set a rule to off, careful or dangerous; repeatable
      --max-warnings <n>    exit 1 when there are more than n careful findings
      --max-bytes <n>       keep --format markdown within n bytes (default ${DEFAULT_MARKDOWN_MAX_BYTES}, a
                            GitHub comment's limit; at least ${MIN_MARKDOWN_MAX_BYTES}) by summarising
  -c, --config <file>       use this configuration for every file (default: the nearest
                            migsafe.config.json, .migsaferc.json or package.json#migsafe)
      --print-config <file> print the configuration in force for this file as JSON: its
                            settings, the migration runner detected and why, rules
      --fix                 apply automatic fixes, rewrite the files, report what remains
      --fix-dry-run         print the fixes as a diff; change no file
      --write-outside-project  let --fix and --output-file write through symbolic
                            links that lead outside the project (refused by default)
      --pg-version <n>      the PostgreSQL major version the migrations run on, for
                            every file, over the configuration's pgVersion (9 to 99)
      --list-rules          list every rule: id, default severity, preset, description
                            (with --format json: a JSON array, with category, fixable, docs)
  -q, --quiet               report only dangerous findings and errors: careful findings
                            are left out of every format and of --max-warnings
      --verbose             print each finding's longer why and docs link under its help
      --code-frame, --no-code-frame
                            show (or not) the source lines under each finding in the
                            stylish report (default: when stdout is a terminal)
      --color, --no-color   force colours on or off (default: when stdout is a terminal)
      --debug               print stack traces of internal errors
  -h, --help                show this help
  -v, --version             show the version

Exit codes:
  0  no dangerous findings (careful findings alone pass unless --max-warnings is exceeded)
  1  dangerous findings, or more careful findings than --max-warnings allows
  2  a file could not be read or parsed, bad arguments, or an internal error

Colours are used when the output is a terminal; NO_COLOR turns them off, FORCE_COLOR forces them,
and --color / --no-color override all three.

Rules (docs: ${DOCS_BASE_URL}):
${wrap(ruleIds.length > 0 ? ruleIds.join(", ") : "(none)", 78, "  ")}
`;
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}
