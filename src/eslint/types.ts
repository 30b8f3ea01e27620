/** The syntax tree the ESLint language gives rules: the file, its statements, its comments. */
import type { SourceLocation } from "@eslint/core";
import type { Statement } from "../parser/types.js";
import type { RunnerName } from "../runners/profiles.js";

export interface SqlNodeBase {
  type: string;
  /** String indices into the text ESLint lints (without a BOM). */
  range: [number, number];
  loc: SourceLocation;
}

/** One statement; `type` is libpg-query's node type, e.g. "AlterTableStmt". */
export interface SqlStatementNode extends SqlNodeBase {
  /** migsafe's parsed statement (its AST, tokens and transaction context). */
  statement: Statement;
  /** For a DO statement: the statements its PL/pgSQL body runs. */
  body: SqlStatementNode[];
}

export interface SqlComment extends SqlNodeBase {
  type: "LineComment" | "BlockComment";
  /** The body without `--` or the block delimiters. */
  value: string;
}

/** The root: named "SqlMigration", not "Program", so JavaScript rules never take it for theirs. */
export interface SqlMigration extends SqlNodeBase {
  type: "SqlMigration";
  body: SqlStatementNode[];
  comments: SqlComment[];
}

export type SqlNode = SqlMigration | SqlStatementNode;

/** `languageOptions` for `language: "migsafe/sql"`: what the CLI reads from its configuration file. */
export interface SqlLanguageOptions {
  [key: string]: unknown;
  /** The PostgreSQL major version migrations run on (default 14). */
  pgVersion?: number;
  /** The migration runner, instead of the one detected for each file ("none": nothing wraps a file). */
  runner?: RunnerName | "none";
  /** The migration runner wraps each file in a transaction (true) or does not (false), whatever runner is detected. */
  assumeInTransaction?: boolean;
  /** A `-- migsafe-ignore` without a reason is itself a finding (default true). */
  requireIgnoreReason?: boolean;
  /** Extra rollback file names, `{name}` standing for the forward migration's name without `.sql`. */
  rollbackPatterns?: string[];
  /** The functions of a TS/JS migration the runner calls, by direction. */
  migrationFunctions?: { up: string[]; down: string[] };
  /** Databases whose branches, functions and folders in TS/JS migrations are skipped. */
  otherDatabases?: string[];
}
