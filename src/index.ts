/**
 * migsafe's public API: lint PostgreSQL migrations from code.
 *
 *   import { lintText } from "migsafe";
 *   const result = await lintText("DROP TABLE users;", { filePath: "migrations/007_drop.sql" });
 */
import { allRules } from "../rules/index.js";
import { createRunDiskAccess, diskAccess, lintFile, lintSource, type FileAccess } from "./engine/lint-source.js";
import type { FileResult, RuleSetting } from "./engine/lint.js";
import type { Rule } from "./engine/rule.js";
import { loadParser } from "./parser/pg.js";

export interface LintApiOptions {
  /** Rules to run (all of migsafe's by default). */
  rules?: readonly Rule[];
  /** Severity overrides by rule id; "off" disables a rule. */
  severities?: Readonly<Record<string, RuleSetting>>;
  /** How rollback partners are found and read (the disk by default). */
  files?: FileAccess;
}

/** Lints migration text; `filePath` names the file (and so its rollback partner). */
export async function lintText(text: string, options: LintApiOptions & { filePath?: string } = {}): Promise<FileResult> {
  await loadParser();
  return lintSource(text, options.filePath ?? "<text>.sql", { rules: options.rules ?? allRules, severities: options.severities }, options.files ?? diskAccess);
}

/** Reads and lints migration files; unreadable files come back with a fatal error, never as an exception. */
export async function lintFiles(filePaths: readonly string[], options: LintApiOptions = {}): Promise<FileResult[]> {
  await loadParser();
  const lintOptions = { rules: options.rules ?? allRules, severities: options.severities };
  const files = options.files ?? createRunDiskAccess();
  return filePaths.map((filePath) => lintFile(filePath, lintOptions, files));
}

export { allRules, loadParser };
export { parseFile } from "./parser/parse-file.js";
export { defineRule, docsUrl } from "./engine/rule.js";
export type { Finding, Fix, Rule, RuleCategory, RuleContext, RuleMeta, Severity } from "./engine/rule.js";
export type { FatalError, FileResult, RuleSetting } from "./engine/lint.js";
export type { FileAccess } from "./engine/lint-source.js";
export type { Comment, ParsedFile, Statement, SyntaxProblem, Token, TransactionContext } from "./parser/types.js";
export type { Location, Position, Range } from "./source/source-text.js";
