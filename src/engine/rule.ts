import type { Location, Range } from "../source/source-text.js";
import type { ParsedFile, Statement } from "../parser/types.js";
import type { Directive } from "./directives.js";
import type { FileFacts } from "./file-facts.js";

export type Severity = "dangerous" | "careful";

export type RuleCategory = "data-loss" | "locking" | "rewrite" | "reliability" | "compatibility" | "transactions" | "design";

export interface RuleMeta {
  /** Kebab-case id, the same as the rule's file name and docs page. */
  id: string;
  severity: Severity;
  /** One line: what the rule reports. */
  description: string;
  category: RuleCategory;
  /** True when findings can carry an automatic fix. */
  fixable?: boolean;
  /** True when the rule also checks statements run by DO blocks. */
  checksDoBlocks?: boolean;
  /** False for rules only the `strict` preset turns on (schema-design advice). Default: true. */
  recommended?: boolean;
  /** The PostgreSQL versions the rule's verdict depends on, as its docs explain (e.g. "< 11: any default rewrites"). */
  pgVersionNote?: string;
  /** Where the rule is documented, when not at docs/rules/<id>.md (migsafe verify's checks, documented in docs/verify.md). */
  docsUrl?: string;
}

/** What the project tells migsafe about how its migrations run. */
export interface LintSettings {
  /** The PostgreSQL major version migrations run on (default 14). */
  pgVersion: number;
  /** The migration runner wraps each file in a transaction (Prisma, Rails, Flyway, node-pg-migrate do). */
  assumeInTransaction: boolean;
  /** An inline ignore without a reason is itself a finding. */
  requireIgnoreReason: boolean;
}

export const DEFAULT_SETTINGS: LintSettings = { pgVersion: 14, assumeInTransaction: false, requireIgnoreReason: true };

export interface Fix {
  /** The range to replace; empty to insert at `range.start`. */
  range: Range;
  text: string;
}

export interface Report {
  /** What is wrong and why it is risky: the lock, the rewrite, the data lost. */
  message: string;
  /** The safe alternative. */
  help: string;
  /** Defaults to the statement being checked. */
  range?: Range;
  fix?: Fix;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  help: string;
  range: Range;
  loc: Location;
  docsUrl: string;
  fix?: Fix;
}

export interface RuleContext {
  readonly filePath: string;
  readonly parsed: ParsedFile;
  /** What the file (and, for a rollback, its forward migration) creates, in order. */
  readonly facts: FileFacts;
  readonly settings: LintSettings;
  /** The rule's options from the configuration (`rules: { id: [severity, options] }`), if any. */
  readonly options: unknown;
  /** The ids of the rules this run knows, on or off. */
  readonly ruleIds: ReadonlySet<string>;
  /** True when the statement runs inside a transaction: an explicit BEGIN block, or every file when the runner wraps it. */
  inTransaction(statement: Statement): boolean;
  report(report: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Called for each statement in file order (and for DO-block statements when `checksDoBlocks`). */
  checkStatement?(statement: Statement, context: RuleContext): void;
  /** Called once per file, after every statement was checked. */
  checkFile?(context: RuleContext): void;
  /** Called once per file after inline ignores were applied, with what each one suppressed. */
  checkDirectives?(directives: readonly Directive[], context: RuleContext): void;
}

export const DOCS_BASE_URL = "https://github.com/migsafe/migsafe/blob/main/docs/rules/";

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}${ruleId}.md`;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
