import type { Statement, ParsedFile } from "../parser/types.js";
import type { Location, Range } from "../source/source-text.js";
import { applyDirectives, findDirectives, type DirectiveScope } from "./directives.js";
import { FileFacts, type RollbackFacts } from "./file-facts.js";
import type { Placeholder } from "./placeholders.js";
import { DEFAULT_SETTINGS, docsUrl, type Finding, type LintSettings, type Rule, type RuleContext, type Severity } from "./rule.js";

export type RuleSetting = Severity | "off";

export interface LintOptions {
  /** The rules to run. */
  rules: readonly Rule[];
  /** Per-rule severity overrides; "off" disables a rule. */
  severities?: Readonly<Record<string, RuleSetting>>;
  /** Per-rule options, by rule id. */
  ruleOptions?: Readonly<Record<string, unknown>>;
  settings?: Partial<LintSettings>;
  /** Extra rollback file names, `{name}` standing for the forward migration's name without `.sql`. */
  rollbackPatterns?: readonly string[];
  /** Template syntax replaced before parsing (config `placeholders`): regular expression source → replacement. */
  placeholders?: readonly Placeholder[];
  /** The inline ignores the engine applies (default "all"); the ESLint plugin leaves `eslint-disable…` to ESLint. */
  directives?: DirectiveScope;
}

/** A problem that stopped part of a file from being checked: it could not be read or parsed. */
export interface FatalError {
  message: string;
  /** For a bug in migsafe (an exception while linting the file): its stack, printed with --debug. */
  stack?: string;
  hint?: string;
  range?: Range;
  loc?: Location;
}

export interface FileResult {
  filePath: string;
  findings: Finding[];
  errors: FatalError[];
  /** The text that was linted (BOM removed), for fixes and reporters; absent when the file could not be read. */
  text?: string;
  hasBom?: boolean;
  /** With --fix-dry-run: the text the fixes would write (ESLint's `output`). */
  fixedText?: string;
}

export function lintParsed(
  parsed: ParsedFile,
  filePath: string,
  rollback: RollbackFacts,
  forward: ParsedFile | undefined,
  options: LintOptions,
): FileResult {
  const facts = new FileFacts(parsed, rollback, forward);
  const settings: LintSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const inTransaction = (statement: Statement) => settings.assumeInTransaction || statement.transaction.inTransaction;
  const doBlockStatements = groupByParent(parsed.doBlockStatements);
  let findings: Finding[] = [];
  let current: Statement | undefined;
  const ruleIds = new Set(options.rules.map((rule) => rule.meta.id));

  const active = options.rules.flatMap((rule) => {
    const setting = options.severities?.[rule.meta.id] ?? rule.meta.severity;
    if (setting === "off") return [];
    const context: RuleContext = {
      filePath,
      parsed,
      facts,
      settings,
      options: options.ruleOptions?.[rule.meta.id],
      inTransaction,
      ruleIds,
      report(report) {
        const range = report.range ?? current?.range ?? { start: 0, end: 0 };
        findings.push({
          ruleId: rule.meta.id,
          severity: setting,
          message: report.message,
          help: report.help,
          range,
          loc: parsed.source.location(range),
          docsUrl: docsUrl(rule.meta.id),
          ...(report.fix ? { fix: report.fix } : {}),
        });
      },
    };
    return [{ rule, context }];
  });

  for (const { rule, context } of active) {
    if (rule.checkStatement) {
      for (const statement of parsed.statements) {
        current = statement;
        rule.checkStatement(statement, context);
        if (!rule.meta.checksDoBlocks || statement.kind !== "DoStmt") continue;
        for (const inner of doBlockStatements.get(statement) ?? []) {
          current = inner;
          rule.checkStatement(inner, context);
        }
      }
    }
    current = undefined;
    rule.checkFile?.(context);
  }

  const directives = findDirectives(parsed, options.directives);
  findings = applyDirectives(findings, directives);
  for (const { rule, context } of active) rule.checkDirectives?.(directives, context);

  findings.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end || a.ruleId.localeCompare(b.ruleId));
  const errors: FatalError[] = parsed.errors.map((error) => ({
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    range: error.range,
    loc: error.loc,
  }));
  return { filePath, findings, errors, text: parsed.source.text, hasBom: parsed.source.hasBom };
}

function groupByParent(statements: readonly Statement[]): Map<Statement, Statement[]> {
  const groups = new Map<Statement, Statement[]>();
  for (const statement of statements) {
    if (!statement.parent) continue;
    const group = groups.get(statement.parent) ?? [];
    group.push(statement);
    groups.set(statement.parent, group);
  }
  return groups;
}
