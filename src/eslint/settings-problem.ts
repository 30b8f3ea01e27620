import type { Position, SourceLocation } from "@eslint/core";

/** What the report needs of a rule's context, in either language. */
interface ReportingContext {
  sourceCode: { getLocFromIndex(index: number): Position };
  report(descriptor: { loc: SourceLocation; message: string }): void;
}

/**
 * Settings a file cannot be linted with. ESLint has no message without a rule, and rules must not throw
 * (that would end the whole ESLint run): the first of migsafe's rules to run on the file reports the
 * problem at its start, once, and none reports findings.
 */
export class SettingsProblem {
  private reported = false;

  constructor(readonly message: string) {}

  reportOnce(context: ReportingContext): void {
    if (this.reported) return;
    this.reported = true;
    const start = context.sourceCode.getLocFromIndex(0);
    context.report({ loc: { start, end: start }, message: this.message });
  }
}
