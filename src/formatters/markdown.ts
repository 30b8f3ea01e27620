import path from "node:path";
import type { FileResult } from "../engine/lint.js";
import { checklistFor, type ChecklistItem } from "./checklist.js";
import { escapeControl } from "./escape.js";
import { displayPath as relativeDisplayPath } from "./stylish.js";
import type { ReportContext } from "./format.js";
import { messagesOf, plural, totalsOf, type Message } from "./messages.js";

/** An invisible first line, so a CI step can find and update its earlier comment instead of adding one per push. */
export const MARKDOWN_REPORT_MARKER = "<!-- migsafe-report -->";

/**
 * A pull-request comment in GitHub-flavoured Markdown: the verdict, a table of
 * messages per file with links to the rule docs, and the pre-deploy checklist
 * the findings call for.
 */
export function formatMarkdown(results: readonly FileResult[], context: ReportContext): string {
  const blocks = [MARKDOWN_REPORT_MARKER, `## ${verdict(results)}`];
  if (results.length > 0) {
    for (const result of results) {
      const messages = messagesOf(result);
      if (messages.length > 0) blocks.push(fileSection(displayPath(result.filePath, context.cwd), messages));
    }
    blocks.push(checklistSection(checklistFor(results, context.rules), context.cwd));
  }
  blocks.push(`<sub>migsafe ${escapeMarkdown(context.version)}</sub>`);
  return `${blocks.join("\n\n")}\n`;
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

function fileSection(filePath: string, messages: readonly Message[]): string {
  const rows = messages.map((message) => {
    const line = message.line === undefined ? "—" : String(message.line);
    const rule = message.ruleId && message.docsUrl ? `[${escapeMarkdown(message.ruleId)}](${safeUrl(message.docsUrl)})` : "—";
    const advice = [
      ...(message.help ? [`**Help:** ${escapeMarkdown(message.help)}`] : []),
      ...(message.hint ? [`**Hint:** ${escapeMarkdown(message.hint)}`] : []),
    ];
    const finding = [escapeMarkdown(message.message), ...advice].join("<br>");
    return `| ${line} | ${message.kind} | ${rule} | ${finding} |`;
  });
  return [`### ${escapeMarkdown(filePath)}`, "", "| Line | Severity | Rule | Finding |", "| ---: | --- | --- | --- |", ...rows].join("\n");
}

function checklistSection(items: readonly ChecklistItem[], cwd: string): string {
  const lines = items.map((item) => {
    const causes = item.causes.map((cause) => {
      const file = escapeMarkdown(displayPath(cause.filePath, cwd));
      return cause.ruleId ? `${escapeMarkdown(cause.ruleId)} in ${file}` : file;
    });
    return `- [ ] ${escapeMarkdown(item.task)}${causes.length > 0 ? ` (${causes.join(", ")})` : ""}.`;
  });
  return ["## Before you deploy", "", ...lines].join("\n");
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
