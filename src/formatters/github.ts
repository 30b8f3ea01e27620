import path from "node:path";
import type { FileResult } from "../engine/lint.js";
import { escapeControl } from "./escape.js";
import type { ReportContext } from "./format.js";
import { messagesOf, plural, type Message } from "./messages.js";

/**
 * GitHub turns at most 10 error and 10 warning annotations of a step into
 * annotations on the pull request (and 50 of a job); the runner drops the
 * others without a word. migsafe writes at most this many of each type.
 */
export const ANNOTATIONS_PER_TYPE = 10;

/**
 * GitHub Actions workflow commands: an `::error` (dangerous findings, fatal
 * errors) or `::warning` (careful findings) line per message, which the runner
 * turns into annotations on the pull request's diff.
 *
 * The most important come first and at most ANNOTATIONS_PER_TYPE of each type
 * are written: fatal errors, then dangerous findings, then careful ones, each
 * severity taking one finding of every rule in turn, so that the few shown
 * cover every kind of problem before repeating one. When some are left out,
 * one `::notice` says how many; none is written otherwise, so that a clean run
 * adds no annotation.
 */
export function formatGithub(results: readonly FileResult[], context: ReportContext): string {
  const annotations = results.flatMap((result) => {
    const file = annotationPath(result.filePath, context.repoRoot);
    return messagesOf(result).map((message) => ({ message, file }));
  });
  const errors = [
    ...annotations.filter(({ message }) => message.kind === "error"),
    ...eachRuleInTurn(annotations.filter(({ message }) => message.kind === "dangerous")),
  ];
  const warnings = eachRuleInTurn(annotations.filter(({ message }) => message.kind === "careful"));
  const shown = [...errors.slice(0, ANNOTATIONS_PER_TYPE), ...warnings.slice(0, ANNOTATIONS_PER_TYPE)];
  const commands = shown.map(({ message, file }) => workflowCommand(message, file));
  const notice = leftOutNotice(Math.max(0, errors.length - ANNOTATIONS_PER_TYPE), Math.max(0, warnings.length - ANNOTATIONS_PER_TYPE), context);
  return [...commands, ...(notice ? [notice] : [])].map((line) => `${line}\n`).join("");
}

interface Annotation {
  message: Message;
  file: string;
}

/** The first annotation of each rule, then the second of each, and so on, in report order within each turn. */
function eachRuleInTurn(annotations: readonly Annotation[]): Annotation[] {
  const seen = new Map<string | null, number>();
  const turns = annotations.map((annotation) => {
    const turn = seen.get(annotation.message.ruleId) ?? 0;
    seen.set(annotation.message.ruleId, turn + 1);
    return { annotation, turn };
  });
  return turns.sort((a, b) => a.turn - b.turn).map(({ annotation }) => annotation);
}

/** One notice that says how many messages were not annotated and where to read them; undefined when none was left out. */
function leftOutNotice(errors: number, warnings: number, context: ReportContext): string | undefined {
  if (errors + warnings === 0) return undefined;
  const parts = [...(errors > 0 ? [`${errors} dangerous or fatal`] : []), ...(warnings > 0 ? [`${warnings} careful`] : [])];
  const count = errors + warnings;
  const where = context.stepSummary ? "the job summary has the full report" : "another --format lists them all";
  const text =
    `${plural(count, "more finding")} ${count === 1 ? "is" : "are"} not annotated (${parts.join(", ")}): ` +
    `GitHub shows ${ANNOTATIONS_PER_TYPE} error and ${ANNOTATIONS_PER_TYPE} warning annotations per step; ${where}.`;
  return `::notice title=migsafe::${escapeData(text)}`;
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
  const text = [message.message, ...(advice ? [advice] : []), ...(message.evidence ? [message.evidence] : [])].join("\n\n");
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
