/**
 * migsafe's public API: lint PostgreSQL migrations from code. docs/api.md documents it.
 *
 *   import { lint, lintText } from "migsafe";
 *   const report = await lint(["db/migrations"], { cwd: repoRoot });
 *   const result = await lintText("DROP TABLE users;", { filePath: "migrations/007_drop.sql" });
 */
import { allRules } from "../rules/index.js";
import { DEFAULT_SETTINGS, settingsOptions } from "./config/settings.js";
import { createRunDiskAccess, diskAccess, lintSource, type FileAccess } from "./engine/lint-source.js";
import { lintFile } from "./embedded/lint-file.js";
import type { FileResult, LintOptions, RuleSetting } from "./engine/lint.js";
import type { Rule } from "./engine/rule.js";
import { loadParser } from "./parser/pg.js";
import { exitCodeOf, totalsOf } from "./formatters/messages.js";
import { lintProject } from "./project/lint-project.js";

export interface LintApiOptions {
  /** Rules to run (all of migsafe's by default). */
  rules?: readonly Rule[];
  /** Severity overrides by rule id; "off" disables a rule. */
  severities?: Readonly<Record<string, RuleSetting>>;
  /** How rollback partners are found and read (the disk by default). */
  files?: FileAccess;
}

export interface LintProjectOptions {
  /** Paths are resolved against this folder, and configuration is looked up from the files up (default: process.cwd()). */
  cwd?: string;
  /** Rules to run (all of migsafe's by default). */
  rules?: readonly Rule[];
  /** Severity overrides by rule id, over every configuration file; "off" disables a rule. */
  severities?: Readonly<Record<string, RuleSetting>>;
  /** One configuration file for every file, instead of the nearest migsafe.config.json / .migsaferc.json / package.json#migsafe. */
  config?: string;
  /** Only the migrations added, modified or renamed since the merge base with this git ref. */
  changedSince?: string;
  /** The staged version of the staged migrations. */
  staged?: boolean;
  /** Reuse results from node_modules/.cache/migsafe when nothing they depend on changed. */
  cache?: boolean;
}

export interface LintReport {
  /** One result per file, sorted by path. */
  results: FileResult[];
  dangerous: number;
  careful: number;
  /** Files that could not be read or parsed (each has `errors`). */
  filesWithErrors: number;
  /** What the CLI would exit with: 0 nothing dangerous, 1 dangerous findings, 2 a file could not be read or parsed. */
  exitCode: 0 | 1 | 2;
}

/**
 * Lints a project's migrations as the CLI does: files, folders and globs (none: the
 * migration folders found in `cwd`), each file with its nearest configuration, on every
 * core. Throws a `MigsafeError` with a one-line message for bad configuration, an unknown
 * git ref or no migration folder.
 */
export async function lint(patterns: readonly string[] = [], options: LintProjectOptions = {}): Promise<LintReport> {
  const project = await lintProject({ ...options, cwd: options.cwd ?? process.cwd(), patterns });
  if (!project.ok) throw new MigsafeError(project.message);
  project.saveCache();
  const totals = totalsOf(project.results);
  return {
    results: project.results,
    dangerous: totals.dangerous,
    careful: totals.careful,
    filesWithErrors: totals.fatalFiles,
    exitCode: exitCodeOf(totals),
  };
}

/** A problem with the request itself (configuration, git, paths), not with a migration. */
export class MigsafeError extends Error {
  override name = "MigsafeError";
}

/** Lints migration text; `filePath` names the file (and so its rollback partner). */
export async function lintText(text: string, options: LintApiOptions & { filePath?: string } = {}): Promise<FileResult> {
  await loadParser();
  return lintSource(text, options.filePath ?? "<text>.sql", apiLintOptions(options), options.files ?? diskAccess);
}

/** Reads and lints migration files; unreadable files come back with a fatal error, never as an exception. */
export async function lintFiles(filePaths: readonly string[], options: LintApiOptions = {}): Promise<FileResult[]> {
  await loadParser();
  const lintOptions = apiLintOptions(options);
  const files = options.files ?? createRunDiskAccess();
  return filePaths.map((filePath) => lintFile(filePath, lintOptions, files));
}

/** lintText and lintFiles read no configuration: migsafe's default settings. */
function apiLintOptions(options: LintApiOptions): LintOptions {
  return { rules: options.rules ?? allRules, severities: options.severities, ...settingsOptions(DEFAULT_SETTINGS) };
}

export { allRules, loadParser };
export { parseFile } from "./parser/parse-file.js";
export { defineRule, docsUrl } from "./engine/rule.js";
export type { Finding, Fix, Rule, RuleCategory, RuleContext, RuleMeta, Severity } from "./engine/rule.js";
export type { FatalError, FileResult, RuleSetting } from "./engine/lint.js";
export type { FileAccess } from "./engine/lint-source.js";
export type { Comment, ParsedFile, Statement, SyntaxProblem, Token } from "./parser/types.js";
export type { Location, Position, Range } from "./source/source-text.js";
