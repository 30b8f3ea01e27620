import path from "node:path";
import type { FileResult } from "../engine/lint.js";
import { escapeControl } from "./escape.js";
import type { ReportContext } from "./format.js";
import { messagesOf, type Message } from "./messages.js";

/**
 * GitHub Actions workflow commands: one `::error` (dangerous findings, fatal
 * errors) or `::warning` (careful findings) line per message, which the runner
 * turns into annotations on the pull request's diff.
 *
 * GitHub shows at most 10 error and 10 warning annotations per step (50 per
 * job); every message is still written, since the log and the check run keep them all.
 *
 * No summary `::notice` is written: it would show as one more annotation on
 * every run, clean ones included, and the counts are already in the check run
 * and in the stylish summary printed beside these lines.
 */
export function formatGithub(results: readonly FileResult[], context: ReportContext): string {
  const lines: string[] = [];
  for (const result of results) {
    const file = annotationPath(result.filePath, context.repoRoot);
    for (const message of messagesOf(result)) lines.push(workflowCommand(message, file));
  }
  return lines.map((line) => `${line}\n`).join("");
}

/**
 * The path relative to the repository root with forward slashes. The runner
 * resolves a relative `file` against the workspace (the checkout), not the
 * step's working directory, so a path relative to cwd would miss the diff
 * whenever migsafe runs in a subfolder.
 */
function annotationPath(filePath: string, repoRoot: string): string {
  return path.relative(repoRoot, path.resolve(repoRoot, filePath)).split(path.sep).join("/");
}

function workflowCommand(message: Message, file: string): string {
  const command = message.kind === "careful" ? "warning" : "error";
  const properties: [string, string | number | undefined][] = [
    ["file", file],
    ["line", message.line],
    ["col", message.column],
    ["endLine", message.endLine],
    ["endColumn", message.endColumn],
    // A fatal error comes from no rule: a made-up rule id would point to a docs page that does not exist.
    ["title", message.ruleId ? `migsafe/${message.ruleId}` : "migsafe"],
  ];
  const propertyText = properties
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  const advice = message.help ?? message.hint;
  const text = advice ? `${message.message}\n\n${advice}` : message.message;
  return `::${command} ${propertyText}::${escapeData(text)}`;
}

/**
 * Makes text one inert line of a command's data. The runner splits its input
 * on CR and LF and decodes %0D, %0A and %25 back, so line breaks survive in
 * the annotation but can never start a line of their own (a new command).
 * `%` is encoded first, so text that already looks encoded decodes to itself.
 * Other control and bidi characters, which the runner would pass to the log
 * viewer raw, show as `\xNN` as in the terminal report.
 */
export function escapeData(text: string): string {
  return inertControls(text).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** As escapeData, plus `:` and `,`, which end a property (the runner decodes %3A and %2C). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function inertControls(text: string): string {
  return text
    .split(/([\r\n])/)
    .map((part) => (part === "\r" || part === "\n" ? part : escapeControl(part).replace(/[\u2028\u2029]/g, lineSeparatorCode)))
    .join("");
}

function lineSeparatorCode(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16)}`;
}
