import type { Range } from "../source/source-text.js";
import type { GivenSection, MigrationFacts } from "../facts/index.js";
import type { NodeKind, ParsedFile, Statement, StatementOf } from "../parser/types.js";
import type { Directive } from "./directives.js";
import type { Fix, Severity } from "./results.js";
import type { RunnerSettings } from "../runners/file-runner.js";

export type { FatalError, FileResult, Finding, Fix, Severity } from "./results.js";

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
  /** True when the rule's `visit` handlers are also called for the statements DO blocks run. */
  checksDoBlocks?: boolean;
  /** False for rules only the `strict` preset turns on (schema-design advice). Default: true. */
  recommended?: boolean;
  /** The PostgreSQL versions the rule's verdict depends on, as its docs explain (e.g. "< 11: any default rewrites"). */
  pgVersionNote?: string;
  /** Where the rule is documented, when not at docs/rules/<id>.md (migsafe verify's checks, documented in docs/verify.md). */
  docsUrl?: string;
}

/**
 * What the project tells migsafe about how its migrations run. `runner` and `assumeInTransaction` are
 * undefined when not set: the runner is then detected for each file (src/runners/).
 */
export interface LintSettings extends RunnerSettings {
  /** The PostgreSQL major version migrations run on (default 14). */
  pgVersion: number;
  /** An inline ignore without a reason is itself a finding. */
  requireIgnoreReason: boolean;
  /**
   * The database's standard_conforming_strings (true unless the database or role is configured with it off):
   * when false, '...' strings read backslash escapes from the start of every file.
   */
  standardConformingStrings: boolean;
  /**
   * The functions of a TS/JS migration that the runner calls, by direction, in the order it calls them:
   * each is a migration of its own (run separately, in a transaction of its own). Default `up` and `down`.
   */
  migrationFunctions: MigrationFunctions;
  /**
   * Databases other than PostgreSQL, by the names TS/JS migrations test for (`"sqlite"`, `"mysql"`, …):
   * their branches, the functions named for them and the folders named for them are not linted.
   */
  otherDatabases: readonly string[];
}

/** The migration functions of a TS/JS migration, by direction. */
export interface MigrationFunctions {
  readonly up: readonly string[];
  readonly down: readonly string[];
}


export interface Report {
  /**
   * One line, at most 100 characters: what happens, to which object, and the lock
   * (`DROP TABLE legacy_sessions deletes the table and its rows (ACCESS EXCLUSIVE)`).
   * A longer one is shortened (src/engine/wording.ts `fitLine`).
   */
  message: string;
  /** One line: the safe alternative, with the statement's real names. */
  help: string;
  /**
   * The longer why of this finding, in sentences: what breaks, what the lock blocks, the details
   * that depend on this statement. The rule's docs page carries the rest.
   */
  explanation?: string;
  /** Defaults to the statement being checked. */
  range?: Range;
  fix?: Fix;
}

/** A call of a TS/JS migration whose SQL migsafe could not read (it is built at run time): `not-checked` reports it. */
export interface UncheckedSql {
  /** Where the call is in the linted text (an empty range at its place). */
  range: Range;
  /** The call as written, shortened: `queryRunner.query(…)`. */
  call: string;
  /** Why the SQL could not be checked, as a clause: "its text comes from `buildSql(table)`". */
  reason: string;
}

/** What the engine knows of a text put together from the SQL of a TypeScript/JavaScript migration. */
export interface EmbeddedSql {
  /** One section per migration function (`up`, `down`, hooks), in the order they run: each a migration of its own. */
  sections: readonly GivenSection[];
  /** The line of the TS/JS file that a range of the text comes from. */
  lineOf(range: Range): number;
  /** The calls whose SQL could not be checked. */
  unchecked: readonly UncheckedSql[];
}

/** What a bug in a rule or a fact becomes: a finding at the statement, so that the file's other findings are still reported. */
export const INTERNAL_ERROR = "internal-error";

/**
 * What a rule sees of the file being linted. A context is made once per rule and run; its
 * `filePath`, `parsed` and `facts` are those of the file being checked when it is read.
 */
export interface RuleContext {
  readonly filePath: string;
  readonly parsed: ParsedFile;
  /** Everything known of the migration beyond one statement: transactions, history, locks, sections. */
  readonly facts: MigrationFacts;
  readonly settings: LintSettings;
  /** The rule's options from the configuration (`rules: { id: [severity, options] }`), if any. */
  readonly options: unknown;
  /** The ids of the rules this run knows, on or off. */
  readonly ruleIds: ReadonlySet<string>;
  /** For SQL extracted from a TS/JS migration: its sections, lines and unchecked calls; undefined for a SQL file. */
  readonly embedded: EmbeddedSql | undefined;
  /**
   * The line of the file the user sees where a range starts: what a message names ("at line 12").
   * For SQL extracted from a TS/JS migration, a line of the TS/JS file, not of the SQL put together.
   */
  lineOf(range: Range): number;
  report(report: Report): void;
}

/** A handler for statements of one kind: its statement's `node` is typed for that kind. */
export type StatementHandler<K extends NodeKind> = (statement: StatementOf<K>, context: RuleContext) => void;

/** Handlers by statement kind, as ESLint rules have handlers by node type. */
export type StatementVisitor = { [K in NodeKind]?: StatementHandler<K> };

export interface Rule {
  meta: RuleMeta;
  /**
   * Handlers by statement kind (`{ DropStmt(statement, context) {…} }`): the engine calls each one for
   * the statements of its kind, in the order they run, and for DO-block statements when `checksDoBlocks`.
   */
  visit?: StatementVisitor;
  /** Called once per file, after every statement was visited. */
  checkFile?(context: RuleContext): void;
  /** Called once per file after inline ignores were applied, with what each one suppressed. */
  checkDirectives?(directives: readonly Directive[], context: RuleContext): void;
}

/** One handler for several statement kinds. */
export function visitEach<K extends NodeKind>(kinds: readonly K[], handler: (statement: Statement & { kind: K }, context: RuleContext) => void): StatementVisitor {
  return Object.fromEntries(kinds.map((kind) => [kind, handler])) as StatementVisitor;
}

export const DOCS_BASE_URL = "https://github.com/migsafe/migsafe/blob/main/docs/rules/";

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}${ruleId}.md`;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
