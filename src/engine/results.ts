/** What linting a file gives: findings, the problems that stopped parts of it from being checked, and the file's text. */
import type { Location, Range } from "../source/source-text.js";

export type Severity = "dangerous" | "careful";

export interface Fix {
  /** The range to replace; empty to insert at `range.start`. */
  range: Range;
  text: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** One line (at most 100 characters): what happens, to which object, under which lock. */
  message: string;
  /** One line: the safe alternative, with the statement's real names. */
  help: string;
  /** The longer why of this finding, when there is more to say than the docs page does (shown with --verbose, in JSON and SARIF). */
  explanation?: string;
  /** What migsafe verify observed on PostgreSQL for this finding: the locks taken and held, the rewrites. */
  evidence?: string;
  range: Range;
  loc: Location;
  docsUrl: string;
  fix?: Fix;
  /** For an `internal-error` finding: the rule that met the bug (ESLint reports it under that rule). */
  origin?: string;
  /** For an `internal-error` finding: the exception's stack, printed with --debug. */
  stack?: string;
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
  /** What migsafe left out of the check on purpose, and why (another database's branch of a TS/JS migration): printed with --debug. */
  notes?: Note[];
  /** Why the file was not linted: it is not a migration (dbmate's schema dump, a Sqitch verify script, …). */
  skipped?: string;
}

/** A part of a file left out of the check on purpose, for --debug. */
export interface Note {
  /** The line of the file where the part starts. */
  line: number;
  message: string;
}
