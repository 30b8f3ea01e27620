// Types of the pure functions scripts/precision.mjs exports (test/precision/scorer.test.ts uses them).

export type Verdict = "TP" | "NOISE" | "FP";

/** Where a finding or a label points: project, file relative to the project root, rule, line, statement snippet. */
export interface Located {
  project: string;
  file: string;
  ruleId: string;
  line: number;
  snippet: string;
}

export interface Label extends Located {
  verdict: Verdict;
  class?: string;
  reason: string;
}

export interface ScoredFinding extends Located {
  severity?: "dangerous" | "careful";
  verdict?: Verdict;
  isNew?: boolean;
}

export interface Miss {
  project: string;
  file: string;
  line: number;
  rules: string[];
  severity?: "dangerous" | "careful";
}

export interface Figures {
  findings: number;
  labelled: number;
  TP: number;
  NOISE: number;
  FP: number;
  new: number;
  precision: number | undefined;
  tpsKept: number | undefined;
  tpLabels: number;
  missesCaught: number | undefined;
  misses: { total: number; caught: number };
  estimate: number | undefined;
  unestimated: number;
}

export const SNIPPET_LENGTH: number;
export const LINE_TOLERANCE: number;
export const SHRINKAGE: number;
export const THRESHOLDS: { precision: number; tpsKept: number; missesCaught: number };

export function snippetOf(text: string): string;
export function matchLabels<F extends Located, L extends Located>(findings: readonly F[], labels: readonly L[]): Map<F, L>;
export function findingHash(finding: Located): string;
export function markNew(findings: ScoredFinding[], baseline: readonly string[]): void;
export function missCaught(miss: Miss, findings: readonly ScoredFinding[]): boolean;
export function score(
  findings: readonly ScoredFinding[],
  tpLabels: number,
  misses?: { total: number; caught: number },
  pooled?: readonly ScoredFinding[],
): Figures;
export function failedThresholds(figures: Figures): string[];
