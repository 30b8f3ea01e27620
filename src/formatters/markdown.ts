import path from "node:path";
import type { FileResult } from "../engine/lint.js";
import { checklistFor, type ChecklistItem, type TaskCause } from "./checklist.js";
import { escapeControl } from "./escape.js";
import { displayPath as relativeDisplayPath } from "./stylish.js";
import type { ReportContext } from "./format.js";
import { messagesOf, plural, totalsOf, type Message } from "./messages.js";

/** An invisible first line, so a CI step can find and update its earlier comment instead of adding one per push. */
export const MARKDOWN_REPORT_MARKER = "<!-- migsafe-report -->";

/** A GitHub pull-request comment holds 65,536 characters; a byte limit a little under it keeps any text within. */
export const DEFAULT_MARKDOWN_MAX_BYTES = 65_000;

/**
 * The smallest --max-bytes: room for the parts a report always keeps (the
 * verdict, what was left out, the checklist's tasks), whatever the findings.
 */
export const MIN_MARKDOWN_MAX_BYTES = 4_000;

/**
 * A pull-request comment in GitHub-flavoured Markdown: the verdict, a table of
 * messages per file with links to the rule docs, and the pre-deploy checklist
 * the findings call for.
 *
 * The report is at most `context.maxBytes` bytes of UTF-8 (default 65,000), so
 * it also holds in as many characters. When every finding does not fit, it is
 * summarised: dangerous findings and fatal errors in full as long as they fit,
 * careful ones counted per rule and file, a line saying how many were left
 * out, and the checklist. Only whole lines and whole table rows are left out.
 */
export function formatMarkdown(results: readonly FileResult[], context: ReportContext): string {
  const maxBytes = context.maxBytes ?? DEFAULT_MARKDOWN_MAX_BYTES;
  if (!(maxBytes >= MIN_MARKDOWN_MAX_BYTES)) throw new RangeError(`a Markdown report needs at least ${MIN_MARKDOWN_MAX_BYTES} bytes, not ${maxBytes}`);
  const files = results.map((result) => ({ path: displayPath(result.filePath, context.cwd), messages: messagesOf(result) }));
  const full = fullReport(results, files, context);
  return byteLength(full) <= maxBytes ? full : summary(results, files, context, maxBytes);
}

interface ReportedFile {
  /** Relative to cwd, with forward slashes. */
  path: string;
  messages: Message[];
}

function fullReport(results: readonly FileResult[], files: readonly ReportedFile[], context: ReportContext): string {
  const blocks = [MARKDOWN_REPORT_MARKER, `## ${verdict(results)}`];
  if (results.length > 0) {
    for (const file of files) {
      if (file.messages.length > 0) blocks.push([...fileTableHead(file.path), ...file.messages.map(findingRow)].join("\n"));
    }
    blocks.push(checklistSection(checklistFor(results, context.rules), context.cwd, "files"));
  }
  blocks.push(footer(context));
  return `${blocks.join("\n\n")}\n`;
}

/**
 * The report cut down to `maxBytes`. The fixed parts are counted first, then
 * each part that may grow takes its bytes in order of importance while they
 * last: dangerous findings and fatal errors row by row, the checklist's causes
 * per rule, careful findings counted per rule and file.
 */
function summary(results: readonly FileResult[], files: readonly ReportedFile[], context: ReportContext, maxBytes: number): string {
  const checklist = checklistFor(results, context.rules);
  const severeCount = files.reduce((sum, file) => sum + file.messages.filter(isSevere).length, 0);
  const carefulCount = files.reduce((sum, file) => sum + file.messages.length, 0) - severeCount;
  const intro =
    `This report is summarised to fit in ${thousands(maxBytes)} bytes: dangerous findings and errors are listed in full, ` +
    "careful findings counted per rule and file.";
  const head = [MARKDOWN_REPORT_MARKER, `## ${verdict(results)}`, intro];
  const tasksOnly = checklistSection(checklist, context.cwd, "none");
  // The line about what was left out is never longer than with every message left out.
  const fixed = [...head, moreLine(severeCount, carefulCount), tasksOnly, footer(context)];
  let left = maxBytes - (byteLength(fixed.join("\n\n")) + 1);
  const take = (bytes: number) => bytes <= left && ((left -= bytes), true);

  // Each file's table: its head, then the rows that fit.
  const severeTables: string[][] = [];
  let severeShown = 0;
  fill: for (const file of files) {
    let table: string[] | undefined;
    for (const message of file.messages.filter(isSevere)) {
      const row = findingRow(message);
      const tableHead = table ? [] : fileTableHead(file.path);
      if (!take(byteLength([...tableHead, row].join("\n")) + (table ? 1 : 2))) break fill;
      if (!table) severeTables.push((table = tableHead));
      table.push(row);
      severeShown++;
    }
  }

  const rulesChecklist = checklistSection(checklist, context.cwd, "rules");
  const checklistBlock = take(byteLength(rulesChecklist) - byteLength(tasksOnly)) ? rulesChecklist : tasksOnly;

  const countRows: string[] = [];
  let carefulShown = 0;
  for (const count of carefulCounts(files)) {
    const row = `| ${ruleLink(count.message)} | ${escapeMarkdown(count.path)} | ${count.count} |`;
    const tableHead = countRows.length === 0 ? CAREFUL_TABLE_HEAD : [];
    if (!take(byteLength([...tableHead, row].join("\n")) + (countRows.length === 0 ? 2 : 1))) break;
    countRows.push(row);
    carefulShown += count.count;
  }

  const more = moreLine(severeCount - severeShown, carefulCount - carefulShown);
  return `${[
    ...head,
    ...severeTables.map((table) => table.join("\n")),
    ...(countRows.length > 0 ? [[...CAREFUL_TABLE_HEAD, ...countRows].join("\n")] : []),
    ...(more ? [more] : []),
    checklistBlock,
    footer(context),
  ].join("\n\n")}\n`;
}

function isSevere(message: Message): boolean {
  return message.kind !== "careful";
}

const CAREFUL_TABLE_HEAD = ["### Careful findings", "", "| Rule | File | Findings |", "| --- | --- | ---: |"];

/** Careful findings counted per rule, then per file, rules in the order they are first met. */
function carefulCounts(files: readonly ReportedFile[]): { message: Message; path: string; count: number }[] {
  const byRule = new Map<string, Map<string, { message: Message; path: string; count: number }>>();
  for (const file of files) {
    for (const message of file.messages) {
      if (isSevere(message)) continue;
      const key = message.ruleId ?? "";
      const perFile = byRule.get(key) ?? new Map<string, { message: Message; path: string; count: number }>();
      byRule.set(key, perFile);
      const count = perFile.get(file.path) ?? { message, path: file.path, count: 0 };
      perFile.set(file.path, count);
      count.count++;
    }
  }
  return [...byRule.values()].flatMap((perFile) => [...perFile.values()]);
}

/** How many messages the summary leaves out; empty when none. */
function moreLine(severe: number, careful: number): string {
  if (severe + careful === 0) return "";
  const parts = [...(severe > 0 ? [`${severe} dangerous or fatal`] : []), ...(careful > 0 ? [`${careful} careful`] : [])];
  const count = severe + careful;
  return `**${plural(count, "more finding")}** ${count === 1 ? "is" : "are"} not shown here (${parts.join(", ")}): a larger \`--max-bytes\`, or another \`--format\`, lists them all.`;
}

function footer(context: ReportContext): string {
  return `<sub>migsafe ${escapeMarkdown(context.version)}</sub>`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function thousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function verdict(results: readonly FileResult[]): string {
  const totals = totalsOf(results);
  if (totals.files === 0) return "✅ migsafe: no migrations to check";
  const migrations = (count: number) => (count === totals.files ? plural(count, "migration") : `${count} of ${plural(totals.files, "migration")}`);
  const problems = totals.dangerous + totals.careful;
  if (problems === 0) {
    if (totals.fatalFiles > 0) return `🛑 migsafe: ${migrations(totals.fatalFiles)} could not be checked`;
    return `✅ migsafe: no risky statements in ${plural(totals.files, "migration")}`;
  }
  const counts = [
    ...(totals.dangerous > 0 ? [`${totals.dangerous} dangerous`] : []),
    ...(totals.careful > 0 ? [`${totals.careful} careful`] : []),
  ].join(" and ");
  const withFindings = results.filter((result) => result.findings.length > 0).length;
  const icon = totals.dangerous > 0 || totals.fatalFiles > 0 ? "🛑" : "⚠️";
  const found = `${counts} finding${problems === 1 ? "" : "s"} in ${migrations(withFindings)}`;
  return `${icon} migsafe: ${found}${totals.fatalFiles > 0 ? `; ${totals.fatalFiles} could not be checked` : ""}`;
}

function fileTableHead(filePath: string): string[] {
  return [`### ${escapeMarkdown(filePath)}`, "", "| Line | Severity | Rule | Finding |", "| ---: | --- | --- | --- |"];
}

function findingRow(message: Message): string {
  const line = message.line === undefined ? "—" : String(message.line);
  const advice = [
    ...(message.help ? [`**Help:** ${escapeMarkdown(message.help)}`] : []),
    ...(message.hint ? [`**Hint:** ${escapeMarkdown(message.hint)}`] : []),
    ...(message.evidence ? [`**Verified:** ${escapeMarkdown(message.evidence)}`] : []),
  ];
  const finding = [escapeMarkdown(message.message), ...advice].join("<br>");
  return `| ${line} | ${message.kind} | ${ruleLink(message)} | ${finding} |`;
}

function ruleLink(message: Message): string {
  return message.ruleId && message.docsUrl ? `[${escapeMarkdown(message.ruleId)}](${safeUrl(message.docsUrl)})` : "—";
}

/**
 * The checklist, its tasks followed by what calls for them: each rule and file
 * ("files"), each rule with its file or number of files ("rules"), or nothing ("none").
 */
function checklistSection(items: readonly ChecklistItem[], cwd: string, causes: "files" | "rules" | "none"): string {
  const lines = items.map((item) => {
    const named = causes === "none" ? [] : causes === "files" ? item.causes.map((cause) => causeText(cause.ruleId, [cause.filePath], cwd)) : causesPerRule(item.causes, cwd);
    return `- [ ] ${escapeMarkdown(item.task)}${named.length > 0 ? ` (${named.join(", ")})` : ""}.`;
  });
  return ["## Before you deploy", "", ...lines].join("\n");
}

function causesPerRule(causes: readonly TaskCause[], cwd: string): string[] {
  const filesOf = new Map<string | null, string[]>();
  for (const cause of causes) {
    const files = filesOf.get(cause.ruleId) ?? [];
    filesOf.set(cause.ruleId, files);
    files.push(cause.filePath);
  }
  return [...filesOf].map(([ruleId, filePaths]) => causeText(ruleId, filePaths, cwd));
}

/** "drop-table in a.sql", "drop-table in 3 files", or without a rule (a fatal error) the file or the number of files. */
function causeText(ruleId: string | null, filePaths: readonly string[], cwd: string): string {
  const files = filePaths.length === 1 ? escapeMarkdown(displayPath(filePaths[0]!, cwd)) : plural(filePaths.length, "file");
  return ruleId ? `${escapeMarkdown(ruleId)} in ${files}` : files;
}

/** The path relative to `cwd`, with forward slashes as in a repository. */
function displayPath(filePath: string, cwd: string): string {
  return relativeDisplayPath(filePath, cwd).split(path.sep).join("/");
}

/**
 * Characters that would make text from a migration (an identifier, a file
 * name) into Markdown or HTML: a table cell border, emphasis, a code span, a
 * link, a heading's closing `#`, a tag. Character references are always
 * literal text in Markdown, and GitHub's table splitter sees no `|` in `&#124;`.
 */
const MARKDOWN_REFERENCES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "|": "&#124;",
  "`": "&#96;",
  "*": "&#42;",
  _: "&#95;",
  "~": "&#126;",
  "[": "&#91;",
  "]": "&#93;",
  "\\": "&#92;",
  "#": "&#35;",
  // A zero-width space after `@` keeps a name like "@org/team" from notifying anyone.
  "@": "@&#8203;",
};

/**
 * Makes text safe inside a table cell, a heading or a list item: Markdown and
 * HTML characters become character references, line breaks become `<br>`, and
 * other control and bidi characters show as `\xNN`.
 */
export function escapeMarkdown(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) =>
      escapeControl(line).replace(/[&<>|`*_~[\]\\#@]/g, (char, offset: number, whole: string) =>
        char === "_" && isIntraword(whole, offset) ? char : MARKDOWN_REFERENCES[char]!,
      ),
    )
    .join("<br>");
}

/**
 * An underscore between two letters or digits can neither open nor close
 * emphasis, so identifiers like users_email_idx stay readable in the source.
 */
function isIntraword(text: string, offset: number): boolean {
  return WORD_CHARACTER.test(text[offset - 1] ?? "") && WORD_CHARACTER.test(text[offset + 1] ?? "");
}

const WORD_CHARACTER = /^[\p{L}\p{N}]$/u;

/** A link target that cannot end the link early or break the table. */
function safeUrl(url: string): string {
  return url.replace(/[\s()<>[\]|\\`"]/g, (char) =>
    [...new TextEncoder().encode(char)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}
