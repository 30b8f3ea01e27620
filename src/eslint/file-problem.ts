import type { Position, SourceLocation } from "@eslint/core";
import type { FileResult } from "../engine/lint.js";
import { INTERNAL_ERROR, type Finding } from "../engine/rule.js";
import { MissingDependencyError } from "../optional-dependency.js";

/** What a report needs of a rule's context, in either language. */
export interface ReportingContext {
  sourceCode: { getLocFromIndex(index: number): Position };
  report(descriptor: { loc: SourceLocation; message: string }): void;
}

/**
 * Why a file cannot be linted: its settings are bad, or migsafe met a bug outside any rule. ESLint has no
 * message without a rule, and a rule must not throw (that would end the whole ESLint run): the first of
 * migsafe's rules to run on the file reports the problem at its start, once, and none reports findings.
 */
export class FileProblem {
  private reported = false;

  constructor(readonly message: string) {}

  /** A bug in migsafe met while linting the file. */
  static internalError(error: unknown): FileProblem {
    const message = error instanceof Error ? error.message : String(error);
    return new FileProblem(`migsafe: internal error while linting this file: ${message} (a bug in migsafe: please report it)`);
  }

  reportOnce(context: ReportingContext): void {
    if (this.reported) return;
    this.reported = true;
    const start = context.sourceCode.getLocFromIndex(0);
    context.report({ loc: { start, end: start }, message: this.message });
  }
}

/** Runs the engine for a file; a throw becomes a FileProblem instead of ending ESLint's run. */
export function guardedLint<T extends FileResult>(lint: () => T | FileProblem): T | FileProblem {
  try {
    return lint();
  } catch (error) {
    // A package the project has not installed (typescript-estree for TS/JS migrations): the one-line install hint, not a bug.
    if (error instanceof MissingDependencyError) return new FileProblem(`migsafe: ${error.message}`);
    return FileProblem.internalError(error);
  }
}

const reportedInternalErrors = new WeakSet<Finding>();

/**
 * The findings rule `id` reports: its own, and the internal errors met while it ran. An internal
 * error of no rule that ESLint knows (a fact asked for outside any rule) goes to the first rule that
 * sees it, once.
 */
export function findingsFor(result: FileResult, id: string, ruleIds: ReadonlySet<string>): Finding[] {
  return result.findings.filter((finding) => {
    if (finding.ruleId === id) return true;
    if (finding.ruleId !== INTERNAL_ERROR) return false;
    if (finding.origin === id) return true;
    if (finding.origin !== undefined && ruleIds.has(finding.origin)) return false;
    if (reportedInternalErrors.has(finding)) return false;
    reportedInternalErrors.add(finding);
    return true;
  });
}
