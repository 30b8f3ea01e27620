import path from "node:path";
import picocolors from "picocolors";
import type { FileResult } from "../engine/lint.js";
import { whyItIsRisky } from "../rule-docs.js";
import { escapeControl, readsAsWorkflowCommand } from "./escape.js";
import { messagesOf, plural, totalsOf, type Message, type Totals } from "./messages.js";

export interface StylishOptions {
  /** File paths are shown relative to this folder. */
  cwd: string;
  colors: boolean;
  /** --verbose: each finding's longer why (its own, else its rule's docs page's) under its help. */
  verbose?: boolean;
  /** With --fix: how many problems were fixed, in how many files. */
  fixed?: { problems: number; files: number };
}

/**
 * The human report: each file with messages under its underlined path, one line
 * per message (`line:col  severity  message  rule-id`) and its help or hint
 * below, then a summary line.
 */
export function formatStylish(results: readonly FileResult[], options: StylishOptions): string {
  const c = picocolors.createColors(options.colors);
  const lines = results.map((result) => formatStylishFile(result, options));
  if (options.fixed && options.fixed.problems > 0) {
    lines.push(`${c.green(`✔ Fixed ${plural(options.fixed.problems, "problem")} in ${plural(options.fixed.files, "file")}`)}\n`);
  }
  lines.push(formatStylishSummary(totalsOf(results), options));
  return lines.join("");
}

/** One file's part of the stylish report (empty when it has no messages): what a streamed run writes as each file is linted. */
export function formatStylishFile(result: FileResult, options: StylishOptions): string {
  const messages = messagesOf(result);
  if (messages.length === 0) return "";
  const c = picocolors.createColors(options.colors);
  const lines = [c.underline(escapeControl(displayPath(result.filePath, options.cwd)))];
  const positions = messages.map((message) => `${message.line ?? 0}:${message.column ?? 0}`);
  const positionWidth = Math.max(...positions.map((position) => position.length));
  const kindWidth = Math.max(...messages.map((message) => message.kind.length));
  const indent = " ".repeat(2 + positionWidth + 2);
  messages.forEach((message, i) => {
    const kind = colorKind(c, message.kind, message.kind.padEnd(kindWidth));
    const rule = message.ruleId ? `  ${c.dim(escapeControl(message.ruleId))}` : "";
    lines.push(`  ${c.dim(positions[i]!.padEnd(positionWidth))}  ${kind}  ${escapeControl(message.message)}${rule}`);
    if (message.help) lines.push(`${indent}${c.cyan("help:")} ${escapeControl(message.help)}`);
    if (message.hint) lines.push(`${indent}${c.cyan("hint:")} ${escapeControl(message.hint)}`);
    if (message.evidence) lines.push(`${indent}${c.cyan("verified:")} ${escapeControl(message.evidence)}`);
    if (options.verbose && message.ruleId) {
      const why = message.explanation ?? whyItIsRisky(message.ruleId);
      for (const line of (why ?? "").split("\n").filter(Boolean)) lines.push(`${indent}${c.dim(`why: ${escapeControl(line)}`)}`);
      if (message.docsUrl) lines.push(`${indent}${c.dim(`docs: ${escapeControl(message.docsUrl)}`)}`);
    }
  });
  return `${lines.join("\n")}\n\n`;
}

/** The report's last line: how many problems of each severity, and how many files could not be parsed. */
export function formatStylishSummary(totals: Totals, options: Pick<StylishOptions, "colors">): string {
  const c = picocolors.createColors(options.colors);
  const problems = totals.dangerous + totals.careful;
  if (problems === 0 && totals.fatalFiles === 0) return `${c.green(`✔ No problems found in ${plural(totals.files, "file")}`)}\n`;
  const parts: string[] = [];
  if (problems > 0) parts.push(`${plural(problems, "problem")} (${totals.dangerous} dangerous, ${totals.careful} careful)`);
  if (totals.fatalFiles > 0) parts.push(`${plural(totals.fatalFiles, "file")} could not be parsed`);
  const color = totals.dangerous > 0 || totals.fatalFiles > 0 ? c.red : c.yellow;
  return `${c.bold(color(`✖ ${parts.join(", ")}`))}\n`;
}

function colorKind(c: ReturnType<typeof picocolors.createColors>, kind: Message["kind"], text: string): string {
  if (kind === "careful") return c.yellow(text);
  return kind === "error" ? c.bold(c.red(text)) : c.red(text);
}

/**
 * The path relative to `cwd` (`../` for files outside it). A name that would start a
 * line as a CI workflow command (`::error …`) is shown as `./::error …`, the same file.
 */
export function displayPath(filePath: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, filePath)) || ".";
  return readsAsWorkflowCommand(relative) ? `.${path.sep}${relative}` : relative;
}
