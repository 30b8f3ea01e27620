import path from "node:path";
import picocolors from "picocolors";
import type { FileResult } from "../engine/lint.js";
import type { Rule } from "../engine/rule.js";
import { whyItIsRisky } from "../rule-docs.js";
import { codeFrame, sourceLines } from "./code-frame.js";
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
  /** Under each finding, the source lines it points at with a `^^^` marker (--code-frame; the CLI's default on a terminal). */
  codeFrame?: boolean;
  /** The rules of the run: the summary per rule shows their one-line description. */
  rules?: readonly Rule[];
  /** The terminal's width in columns, which the summary per rule fits in (default 100). */
  columns?: number;
  /** --quiet: how many careful findings were left out of the report. */
  hiddenCareful?: number;
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
  const tally = new RuleTally();
  for (const result of results) tally.add(result);
  lines.push(formatRuleSummary(tally, totalsOf(results).files, options));
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
  const source = options.codeFrame && result.text !== undefined ? sourceLines(result.text) : undefined;
  // A file of templated SQL gets the same hint at every syntax error: it is shown once.
  let shownHint: string | undefined;
  messages.forEach((message, i) => {
    const kind = colorKind(c, message.kind, message.kind.padEnd(kindWidth));
    const rule = message.ruleId ? `  ${c.dim(escapeControl(message.ruleId))}` : "";
    // With code frames each finding takes several lines: a blank line between them keeps them apart.
    if (source && i > 0) lines.push("");
    lines.push(`  ${c.dim(positions[i]!.padEnd(positionWidth))}  ${kind}  ${escapeControl(message.message)}${rule}`);
    if (source && message.line !== undefined && message.column !== undefined) {
      const tone = message.kind === "careful" ? "careful" : "dangerous";
      const frame = codeFrame(source, { line: message.line, column: message.column, ...(message.endLine !== undefined ? { endLine: message.endLine } : {}), ...(message.endColumn !== undefined ? { endColumn: message.endColumn } : {}) }, { colors: options.colors, tone });
      for (const line of frame) lines.push(`${indent}${line}`);
    }
    if (message.help) lines.push(`${indent}${c.cyan("help:")} ${escapeControl(message.help)}`);
    if (message.hint && message.hint !== shownHint) lines.push(`${indent}${c.cyan("hint:")} ${escapeControl(message.hint)}`);
    if (message.hint) shownHint = message.hint;
    if (message.evidence) lines.push(`${indent}${c.cyan("verified:")} ${escapeControl(message.evidence)}`);
    if (options.verbose && message.ruleId) {
      const why = message.explanation ?? whyItIsRisky(message.ruleId);
      for (const line of (why ?? "").split("\n").filter(Boolean)) lines.push(`${indent}${c.dim(`why: ${escapeControl(line)}`)}`);
      if (message.docsUrl) lines.push(`${indent}${c.dim(`docs: ${escapeControl(message.docsUrl)}`)}`);
    }
  });
  return `${lines.join("\n")}\n\n`;
}

/** Findings counted by rule and severity, and the files that have any: what the summary per rule shows (a streamed run adds each file as it goes). */
export class RuleTally {
  /** By `severity rule-id`. */
  readonly counts = new Map<string, { ruleId: string; severity: "dangerous" | "careful"; count: number }>();
  filesWithFindings = 0;
  findings = 0;

  add(result: FileResult): void {
    if (result.findings.length === 0) return;
    this.filesWithFindings++;
    for (const finding of result.findings) {
      const key = `${finding.severity} ${finding.ruleId}`;
      const entry = this.counts.get(key);
      if (entry) entry.count++;
      else this.counts.set(key, { ruleId: finding.ruleId, severity: finding.severity, count: 1 });
      this.findings++;
    }
  }
}

/**
 * The summary per rule, before the totals line: one row per rule with findings (count, severity, id,
 * its one-line description fitted to the terminal), dangerous ones first, then by count; and how many
 * files have findings. Only when the findings are in more than one file or more than 5: a report
 * that short is read at a glance, and the summary would only repeat it.
 */
export function formatRuleSummary(tally: RuleTally, filesLinted: number, options: Pick<StylishOptions, "colors" | "rules" | "columns">): string {
  if (tally.findings === 0 || (tally.filesWithFindings < 2 && tally.findings <= 5)) return "";
  const c = picocolors.createColors(options.colors);
  const rows = [...tally.counts.values()].sort(
    (a, b) => (a.severity === b.severity ? 0 : a.severity === "dangerous" ? -1 : 1) || b.count - a.count || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
  const descriptions = new Map((options.rules ?? []).map((rule) => [rule.meta.id, rule.meta.description]));
  const countWidth = Math.max(...rows.map((row) => String(row.count).length));
  const severityWidth = Math.max(...rows.map((row) => row.severity.length));
  const idWidth = Math.max(...rows.map((row) => escapeControl(row.ruleId).length));
  const width = Math.max(options.columns ?? 100, 40);
  const lines = rows.map((row) => {
    const start = `  ${String(row.count).padStart(countWidth)}  ${row.severity.padEnd(severityWidth)}  ${escapeControl(row.ruleId).padEnd(idWidth)}`;
    const description = fit(escapeControl(descriptions.get(row.ruleId) ?? ""), width - start.length - 2);
    const kind = row.severity === "careful" ? c.yellow : c.red;
    const text = `  ${String(row.count).padStart(countWidth)}  ${kind(row.severity.padEnd(severityWidth))}  ${escapeControl(row.ruleId).padEnd(idWidth)}`;
    return description ? `${text}  ${c.dim(description)}` : text.trimEnd();
  });
  lines.push(`${plural(tally.filesWithFindings, "file")} with findings of ${filesLinted} linted`);
  return `${lines.join("\n")}\n\n`;
}

/** `text` within `width` columns, cut at a word with `…` when longer; empty when there is no room for a word. */
function fit(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width < 10) return "";
  const cut = text.slice(0, width - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > width / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The report's last line: how many problems of each severity, and how many files could not be parsed. */
export function formatStylishSummary(totals: Totals, options: Pick<StylishOptions, "colors" | "hiddenCareful">): string {
  const c = picocolors.createColors(options.colors);
  const problems = totals.dangerous + totals.careful;
  const hidden = options.hiddenCareful ? plural(options.hiddenCareful, "careful finding") + " hidden by --quiet" : "";
  if (problems === 0 && totals.fatalFiles === 0) return `${c.green(`✔ No problems found in ${plural(totals.files, "file")}${hidden ? ` (${hidden})` : ""}`)}\n`;
  const parts: string[] = [];
  if (problems > 0) parts.push(`${plural(problems, "problem")} (${totals.dangerous} dangerous, ${totals.careful} careful${hidden ? `; ${hidden}` : ""})`);
  else if (hidden) parts.push(hidden);
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
