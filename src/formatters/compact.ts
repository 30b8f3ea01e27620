import type { FileResult } from "../engine/lint.js";
import { escapeControl } from "./escape.js";
import { reportedRuleId } from "./fingerprint.js";
import type { ReportContext } from "./format.js";
import { messagesOf } from "./messages.js";
import { displayPath } from "./stylish.js";

/**
 * One line per finding, `path:line:col: severity rule-id message`, for editors'
 * problem matchers and grep: no summary, no colour, nothing when all is clean.
 * Severity is dangerous, careful, or error for a file that could not be read or
 * parsed (rule `parse-error`, and `path: error parse-error message` when the
 * error has no position). Control characters are escaped, so a message or file
 * name with a line break still takes one line.
 */
export function formatCompact(results: readonly FileResult[], context: ReportContext): string {
  const lines: string[] = [];
  for (const result of results) {
    const file = displayPath(result.filePath, context.cwd);
    for (const message of messagesOf(result)) {
      const where = message.line === undefined ? file : `${file}:${message.line}:${message.column}`;
      lines.push(escapeControl(`${where}: ${message.kind} ${reportedRuleId(message)} ${message.message}`));
    }
  }
  return lines.map((line) => `${line}\n`).join("");
}
