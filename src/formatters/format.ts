import type { FileResult } from "../engine/lint.js";
import type { Rule } from "../engine/rule.js";

/** What a formatter may need besides the results. */
export interface ReportContext {
  /** File paths are shown relative to this folder (stylish, compact, github, markdown, junit). */
  cwd: string;
  /** Paths in SARIF and GitLab reports are relative to this folder: the git repository root, else cwd. */
  repoRoot: string;
  colors: boolean;
  /** Every rule of the run, on or off (SARIF lists them in tool.driver.rules). */
  rules: readonly Rule[];
  /** migsafe's version. */
  version: string;
  /** --verbose: each finding's longer why under its help (stylish). */
  verbose?: boolean;
  /** With --fix: how many problems were fixed, in how many files. */
  fixed?: { problems: number; files: number };
  /** The markdown report's size limit in bytes of UTF-8 (--max-bytes); default 65,000. */
  maxBytes?: number;
  /** Stylish: the source lines under each finding (--code-frame). */
  codeFrame?: boolean;
  /** Stylish: the terminal's width, which the summary per rule fits in. */
  columns?: number;
  /** --quiet: how many careful findings were left out (stylish says so in its summary). */
  hiddenCareful?: number;
  /** The full markdown report is also written to the GitHub Actions step summary (the github format says so). */
  stepSummary?: boolean;
}

/** Turns a run's results into the text written to stdout or --output-file. */
export type Formatter = (results: readonly FileResult[], context: ReportContext) => string;
