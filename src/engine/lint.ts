import { MigrationFacts, type FactFault, type RollbackInput, type SchemaBefore } from "../facts/index.js";
import type { ParsedFile, Statement } from "../parser/types.js";
import type { FileRunner } from "../runners/file-runner.js";
import type { Range } from "../source/source-text.js";
import { applyDirectives, findDirectives, type DirectiveScope } from "./directives.js";
import type { Placeholder } from "./placeholders.js";
import type { FatalError, FileResult, Finding, Severity } from "./results.js";
import { docsUrl, INTERNAL_ERROR, type EmbeddedSql, type LintSettings, type Report, type Rule, type RuleContext } from "./rule.js";
import { fitLine, HELP_LIMIT, MESSAGE_LIMIT } from "./wording.js";

export type { FatalError, FileResult } from "./results.js";

export type RuleSetting = Severity | "off";

export interface LintOptions {
  /** The rules to run. */
  rules: readonly Rule[];
  /** Per-rule severity overrides; "off" disables a rule. */
  severities?: Readonly<Record<string, RuleSetting>>;
  /** Per-rule options, by rule id. */
  ruleOptions?: Readonly<Record<string, unknown>>;
  /** How the migrations run: resolved and checked by config/settings.ts, the one place that gives them defaults. */
  settings: LintSettings;
  /** Extra rollback file names, `{name}` standing for the forward migration's name without `.sql`. */
  rollbackPatterns?: readonly string[];
  /** Template syntax replaced before parsing (config `placeholders`): regular expression source → replacement. */
  placeholders?: readonly Placeholder[];
  /** The inline ignores the engine applies (default "all"); the ESLint plugin leaves `eslint-disable…` to ESLint. */
  directives?: DirectiveScope;
  /**
   * The migrations of the change being linted (`--changed-since`, `--staged`), as absolute paths: a table an earlier
   * one of them created is not in production yet (see facts/schema-before.ts).
   */
  change?: readonly string[];
}

/**
 * Lints one parsed migration, run as `runner` says, with the linter for these options (made once per options object).
 * `embedded` describes a text put together from a TS/JS migration: its sections, its lines, what was not checked.
 */
export function lintParsed(parsed: ParsedFile, filePath: string, rollback: RollbackInput, runner: FileRunner, options: LintOptions, embedded?: EmbeddedSql, before?: SchemaBefore): FileResult {
  return linterFor(options).lint(parsed, filePath, rollback, runner, embedded, before);
}

const linters = new WeakMap<LintOptions, Linter>();

function linterFor(options: LintOptions): Linter {
  let linter = linters.get(options);
  if (!linter) linters.set(options, (linter = new Linter(options)));
  return linter;
}

type Handler = (statement: Statement, context: RuleContext) => void;

interface ActiveRule {
  rule: Rule;
  context: RunContext;
}

interface Visit {
  active: ActiveRule;
  handler: Handler;
}

/** The file being linted and what its rules found so far. */
interface FileRun {
  filePath: string;
  parsed: ParsedFile;
  facts: MigrationFacts;
  embedded: EmbeddedSql | undefined;
  findings: Finding[];
  /** The statement being visited, the default place of a report. */
  statement: Statement | undefined;
  /** The rule running, to name it when a fact it asked for meets a bug. */
  rule: Rule | undefined;
}

/** A rule's context for a whole run: reads the file being linted. */
class RunContext implements RuleContext {
  constructor(
    private readonly linter: Linter,
    private readonly rule: Rule,
    private readonly severity: Severity,
    readonly options: unknown,
  ) {}

  get filePath(): string {
    return this.linter.file.filePath;
  }

  get parsed(): ParsedFile {
    return this.linter.file.parsed;
  }

  get facts(): MigrationFacts {
    return this.linter.file.facts;
  }

  get settings(): LintSettings {
    return this.linter.settings;
  }

  get ruleIds(): ReadonlySet<string> {
    return this.linter.ruleIds;
  }

  get embedded(): EmbeddedSql | undefined {
    return this.linter.file.embedded;
  }

  lineOf(range: Range): number {
    const file = this.linter.file;
    return file.embedded ? file.embedded.lineOf(range) : file.parsed.source.location(range).start.line;
  }

  report(report: Report): void {
    const file = this.linter.file;
    const range = report.range ?? file.statement?.range ?? { start: 0, end: 0 };
    file.findings.push({
      ruleId: this.rule.meta.id,
      severity: this.severity,
      // SQL of a TS/JS migration: fitted once its holes show the file's expressions (lint-embedded.ts), or a placeholder could be cut.
      message: file.embedded ? report.message : fitLine(report.message, MESSAGE_LIMIT),
      help: file.embedded ? report.help : fitLine(report.help, HELP_LIMIT),
      ...(report.explanation ? { explanation: report.explanation } : {}),
      range,
      loc: file.parsed.source.location(range),
      docsUrl: docsUrl(this.rule.meta.id),
      ...(report.fix ? { fix: report.fix } : {}),
    });
  }
}

/**
 * Runs a set of rules over files. Rule contexts are made once; statements are dispatched by
 * kind to the rules that visit that kind. A bug in a rule, or in a fact a rule asks for,
 * becomes one `internal-error` finding at the statement, and every other finding still counts.
 */
class Linter {
  readonly settings: LintSettings;
  readonly ruleIds: ReadonlySet<string>;
  readonly #active: ActiveRule[] = [];
  /** Handlers by statement kind, in rule order. */
  readonly #visits = new Map<string, Visit[]>();
  #file: FileRun | undefined;

  constructor(private readonly options: LintOptions) {
    this.settings = options.settings;
    this.ruleIds = new Set(options.rules.map((rule) => rule.meta.id));
    for (const rule of options.rules) {
      const setting = options.severities?.[rule.meta.id] ?? rule.meta.severity;
      if (setting === "off") continue;
      const active = { rule, context: new RunContext(this, rule, setting, options.ruleOptions?.[rule.meta.id]) };
      this.#active.push(active);
      for (const [kind, handler] of Object.entries(rule.visit ?? {})) {
        const visits = this.#visits.get(kind);
        const visit = { active, handler: handler as Handler };
        if (visits) visits.push(visit);
        else this.#visits.set(kind, [visit]);
      }
    }
  }

  get file(): FileRun {
    if (!this.#file) throw new Error("a rule context was read outside of a lint");
    return this.#file;
  }

  lint(parsed: ParsedFile, filePath: string, rollback: RollbackInput, runner: FileRunner, embedded: EmbeddedSql | undefined, before: SchemaBefore | undefined): FileResult {
    const facts = new MigrationFacts(parsed, this.settings, rollback, runner, embedded?.sections, before);
    const file: FileRun = { filePath, parsed, facts, embedded, findings: [], statement: undefined, rule: undefined };
    const previous = this.#file;
    this.#file = file;
    const internalErrors: Finding[] = [];
    const faulted = new Set<string>();
    facts.onFault = (fault) => {
      const key = `${fault.fact}@${fault.statement.range.start}:${fault.statement.index}`;
      if (faulted.has(key)) return;
      faulted.add(key);
      internalErrors.push(factError(fault, file, parsed));
    };
    try {
      this.#visitStatements(file, internalErrors);
      for (const { rule, context } of this.#active) {
        if (!rule.checkFile) continue;
        this.#guarded(file, internalErrors, rule, undefined, () => rule.checkFile!(context));
      }
      const directives = findDirectives(parsed, this.options.directives);
      file.findings = applyDirectives(file.findings, directives);
      for (const { rule, context } of this.#active) {
        if (!rule.checkDirectives) continue;
        this.#guarded(file, internalErrors, rule, undefined, () => rule.checkDirectives!(directives, context));
      }
    } finally {
      this.#file = previous;
    }
    const findings = [...file.findings, ...internalErrors];
    findings.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end || a.ruleId.localeCompare(b.ruleId));
    const errors: FatalError[] = parsed.errors.map((error) => ({
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      range: error.range,
      loc: error.loc,
    }));
    return { filePath, findings, errors, text: parsed.source.text, hasBom: parsed.source.hasBom };
  }

  #visitStatements(file: FileRun, internalErrors: Finding[]): void {
    if (this.#visits.size === 0) return;
    const statements = file.parsed.doBlockStatements.length === 0 ? file.parsed.statements : file.facts.order.statements;
    for (const statement of statements) {
      const inDoBlock = statement.parent !== undefined;
      for (const { active, handler } of this.#visits.get(statement.kind) ?? []) {
        if (inDoBlock && !active.rule.meta.checksDoBlocks) continue;
        this.#guarded(file, internalErrors, active.rule, statement, () => handler(statement, active.context));
      }
    }
  }

  #guarded(file: FileRun, internalErrors: Finding[], rule: Rule, statement: Statement | undefined, check: () => void): void {
    file.statement = statement;
    file.rule = rule;
    try {
      check();
    } catch (error) {
      internalErrors.push(internalError(`rule ${rule.meta.id}`, rule.meta.id, statement?.range ?? { start: 0, end: 0 }, error, file.parsed));
    } finally {
      file.statement = undefined;
      file.rule = undefined;
    }
  }
}

function factError(fault: FactFault, file: FileRun, parsed: ParsedFile): Finding {
  const asker = file.rule?.meta.id;
  return internalError(`the ${fault.fact} facts${asker ? ` (asked by rule ${asker})` : ""}`, asker ?? INTERNAL_ERROR, fault.statement.range, fault.error, parsed);
}

function internalError(where: string, origin: string, range: Range, error: unknown, parsed: ParsedFile): Finding {
  const message = error instanceof Error ? error.message : String(error);
  return {
    ruleId: INTERNAL_ERROR,
    severity: "dangerous",
    message: `Internal error in ${where} at this statement: ${message}. This is a bug in migsafe: please report it.`,
    help: "The file's other findings are still reported, but this statement was not fully checked: review it by hand. Run with --debug for the stack trace.",
    range,
    loc: parsed.source.location(range),
    docsUrl: "https://github.com/migsafe/migsafe/issues",
    origin,
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  };
}
