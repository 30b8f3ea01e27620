import type { FileResult } from "../engine/lint.js";
import { INTERNAL_ERROR, type Fix } from "../engine/rule.js";

/** A finding or a fatal error, flattened for the formatters, in ESLint's terms. */
export interface Message {
  /** "error" for a file that could not be read or parsed. */
  kind: "dangerous" | "careful" | "error";
  ruleId: string | null;
  /** 2 for dangerous findings and fatal errors, 1 for careful findings. */
  severity: 1 | 2;
  fatal: boolean;
  message: string;
  /** The safe alternative (findings). */
  help?: string;
  /** The finding's longer why, when its rule gave one. */
  explanation?: string;
  /** What migsafe verify observed on PostgreSQL for this finding. */
  evidence?: string;
  /** The likely cause of a syntax error (fatal errors), when migsafe knows one. */
  hint?: string;
  docsUrl?: string;
  /** 1-based; absent when the error has no position (e.g. the file could not be read). */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  fix?: Fix;
}

/** A file's findings and fatal errors in position order; errors without a position first. */
export function messagesOf(result: FileResult): Message[] {
  const errors: Message[] = result.errors.map((error) => ({
    kind: "error",
    ruleId: null,
    severity: 2,
    fatal: true,
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    ...(error.loc
      ? { line: error.loc.start.line, column: error.loc.start.column, endLine: error.loc.end.line, endColumn: error.loc.end.column }
      : {}),
  }));
  const findings: Message[] = result.findings.map((finding) => ({
    kind: finding.severity,
    ruleId: finding.ruleId,
    severity: finding.severity === "dangerous" ? 2 : 1,
    fatal: false,
    message: finding.message,
    help: finding.help,
    ...(finding.explanation ? { explanation: finding.explanation } : {}),
    ...(finding.evidence ? { evidence: finding.evidence } : {}),
    docsUrl: finding.docsUrl,
    line: finding.loc.start.line,
    column: finding.loc.start.column,
    endLine: finding.loc.end.line,
    endColumn: finding.loc.end.column,
    ...(finding.fix ? { fix: finding.fix } : {}),
  }));
  // A stable sort: findings keep the engine's order, errors come before findings at the same place.
  return [...errors, ...findings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

export interface Totals {
  dangerous: number;
  careful: number;
  /** Files with at least one fatal error. */
  fatalFiles: number;
  /** `internal-error` findings: bugs in migsafe met while checking a statement. */
  internalErrors: number;
  files: number;
}

export function totalsOf(results: readonly FileResult[]): Totals {
  const totals: Totals = { dangerous: 0, careful: 0, fatalFiles: 0, internalErrors: 0, files: results.length };
  for (const result of results) {
    for (const finding of result.findings) {
      totals[finding.severity]++;
      if (finding.ruleId === INTERNAL_ERROR) totals.internalErrors++;
    }
    if (result.errors.length > 0) totals.fatalFiles++;
  }
  return totals;
}

/** 2 when a file could not be checked or migsafe met a bug, 1 for dangerous findings (or too many careful ones), else 0. */
export function exitCodeOf(totals: Totals, tooManyWarnings = false): 0 | 1 | 2 {
  if (totals.fatalFiles > 0 || totals.internalErrors > 0) return 2;
  return totals.dangerous > 0 || tooManyWarnings ? 1 : 0;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** --quiet: the result without its careful findings, and how many were left out. */
export function withoutCareful(result: FileResult): { result: FileResult; hidden: number } {
  const findings = result.findings.filter((finding) => finding.severity !== "careful");
  const hidden = result.findings.length - findings.length;
  return { result: hidden === 0 ? result : { ...result, findings }, hidden };
}
