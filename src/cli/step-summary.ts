import fs from "node:fs";
import type { FileResult } from "../engine/lint.js";
import type { ReportContext } from "../formatters/format.js";
import { formatMarkdown, MIN_MARKDOWN_MAX_BYTES } from "../formatters/markdown.js";

/** GitHub refuses a step's summary over 1 MiB, and then shows none of it. */
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;

/**
 * Appends the markdown report to the GitHub Actions step summary (the file
 * `$GITHUB_STEP_SUMMARY` names), summarised to the room the file has left.
 * Returns why it could not, or undefined.
 */
export function appendStepSummary(summaryPath: string, results: readonly FileResult[], context: ReportContext): string | undefined {
  try {
    const used = fs.existsSync(summaryPath) ? fs.statSync(summaryPath).size : 0;
    // What the step wrote before keeps its own paragraph.
    const separator = used > 0 ? "\n" : "";
    const room = STEP_SUMMARY_MAX_BYTES - used - separator.length;
    if (room < MIN_MARKDOWN_MAX_BYTES) return `no room left in the step summary for the report (${used} of ${STEP_SUMMARY_MAX_BYTES} bytes used)`;
    fs.appendFileSync(summaryPath, separator + formatMarkdown(results, { ...context, maxBytes: room }));
    return undefined;
  } catch (error) {
    return `cannot write the step summary: ${error instanceof Error ? error.message : String(error)}`;
  }
}
