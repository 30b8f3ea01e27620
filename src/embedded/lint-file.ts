/**
 * Lints a migration file of either kind: plain SQL, or a TypeScript/JavaScript migration whose
 * embedded SQL and schema-builder calls are linted. A file that cannot be read, and a bug met
 * while linting it, are the file's fatal error, never a crash of the run.
 */
import { diskAccess, lintSource, notAMigrationResult, type FileAccess } from "../engine/lint-source.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import { decodeMigration, readMigration, type ReadResult } from "../engine/read-migration.js";
import { MissingDependencyError } from "../optional-dependency.js";
import { lintEmbeddedSource, SCRIPT_EXTENSION } from "./lint-embedded.js";

/** Reads and lints one migration file; a file that cannot be read is a fatal error, not a crash. */
export function lintFile(filePath: string, options: LintOptions, files: FileAccess = diskAccess): FileResult {
  return lintRead(readMigration(filePath), filePath, options, files);
}

/** Lints a migration's bytes that come from elsewhere than its file (standard input, the git index). */
export function lintBytes(bytes: Uint8Array, filePath: string, options: LintOptions, files: FileAccess = diskAccess): FileResult {
  return lintRead(decodeMigration(bytes), filePath, options, files);
}

function lintRead(read: ReadResult, filePath: string, options: LintOptions, files: FileAccess): FileResult {
  try {
    return lintDecoded(read, filePath, options, files);
  } catch (error) {
    if (error instanceof MissingDependencyError) return { filePath, findings: [], errors: [{ message: error.message }] };
    // A bug in migsafe (or in a custom rule) costs this file's findings, not the whole run's.
    const message = error instanceof Error ? error.message : String(error);
    return {
      filePath,
      findings: [],
      errors: [{ message: `internal error while linting this file: ${message} (a bug in migsafe: please report it)`, ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) }],
    };
  }
}

function lintDecoded(read: ReadResult, filePath: string, options: LintOptions, files: FileAccess): FileResult {
  if (!read.ok) {
    const loc = read.line === undefined ? undefined : { start: { line: read.line, column: 1 }, end: { line: read.line, column: 1 } };
    return { filePath, findings: [], errors: [{ message: read.message, ...(loc ? { loc } : {}) }] };
  }
  // A TypeScript/JavaScript migration: the SQL embedded in it and its schema-builder calls.
  if (SCRIPT_EXTENSION.test(filePath)) {
    const skipped = notAMigrationResult(read.text, filePath, options, files);
    if (skipped) return skipped;
    const { snippets: _snippets, builders: _builders, ...result } = lintEmbeddedSource(read.text, filePath, options, { files });
    return result;
  }
  return lintSource(read.text, filePath, options, files);
}
