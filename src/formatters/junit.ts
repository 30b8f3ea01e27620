import type { FileResult } from "../engine/lint.js";
import { escapeControl, inertLineStart } from "./escape.js";
import { reportedRuleId } from "./fingerprint.js";
import type { ReportContext } from "./format.js";
import { messagesOf, type Message } from "./messages.js";
import { displayPath } from "./stylish.js";

/**
 * JUnit XML for CI test reports (GitLab, Jenkins, CircleCI): one suite, one
 * test case per linted file (passing when the file is clean), an `<error>` per
 * fatal error and a `<failure>` per finding, typed by rule id. Dangerous
 * findings come before careful ones, since several viewers show only a test
 * case's first failure.
 *
 * The counts are per test case, as JUnit's are: `errors` counts files that
 * could not be read or parsed, `failures` the other files with findings.
 */
export function formatJunit(results: readonly FileResult[], context: ReportContext): string {
  const cases = results.map((result) => testCase(result, context.cwd));
  const errors = results.filter((result) => result.errors.length > 0).length;
  const failures = results.filter((result) => result.errors.length === 0 && result.findings.length > 0).length;
  const counts = `tests="${results.length}" failures="${failures}" errors="${errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="migsafe" ${counts}>`,
    `  <testsuite name="migsafe" ${counts} skipped="0">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

function testCase(result: FileResult, cwd: string): string {
  // Escaped before it goes anywhere, so a line break in a file name cannot split the body's first line.
  const file = escapeControl(displayPath(result.filePath, cwd));
  const attributes = `name="${xmlAttribute(file)}" classname="migsafe" file="${xmlAttribute(file)}"`;
  const messages = messagesOf(result);
  if (messages.length === 0) return `    <testcase ${attributes}/>`;
  const errors = messages.filter((message) => message.fatal);
  const failures = [...messages.filter((message) => message.kind === "dangerous"), ...messages.filter((message) => message.kind === "careful")];
  // Errors precede failures, as the JUnit schema Jenkins validates against orders them.
  const problems = [...errors, ...failures].map((message) => problemElement(message, file));
  return [`    <testcase ${attributes}>`, ...problems, "    </testcase>"].join("\n");
}

function problemElement(message: Message, file: string): string {
  const element = message.fatal ? "error" : "failure";
  const ruleId = reportedRuleId(message);
  const where = message.line === undefined ? file : `${file}:${message.line}:${message.column}`;
  const body = [
    `${where}: ${message.kind} ${ruleId}`,
    message.message,
    ...(message.help ? [`help: ${message.help}`] : []),
    ...(message.hint ? [`hint: ${message.hint}`] : []),
    ...(message.evidence ? [`verified: ${message.evidence}`] : []),
    ...(message.explanation ? [`why: ${message.explanation}`] : []),
    ...(message.docsUrl ? [`docs: ${message.docsUrl}`] : []),
  ].join("\n");
  return `      <${element} message="${xmlAttribute(message.message)}" type="${xmlAttribute(ruleId)}">${xmlText(body)}</${element}>`;
}

/** Element content: line breaks kept as \n, every line made inert and escaped. */
export function xmlText(text: string): string {
  return text.split(LINE_BREAK).map(inertXml).join("\n");
}

/** An attribute value on one line: line breaks become spaces. */
export function xmlAttribute(text: string): string {
  return text.split(LINE_BREAK).map(inertXml).join(" ");
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Control and bidi characters shown as `\xNN` (as in the terminal), then the
 * characters XML 1.0 cannot hold at all (U+FFFE, U+FFFF, lone surrogates, and
 * any C0 control left) as `\uNNNN`, then markup characters as entities. A line
 * the CI runner would read as a workflow command gets its first `:` as `&#58;`.
 */
function inertXml(line: string): string {
  const escaped = escapeControl(line)
    .replace(XML_FORBIDDEN, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/[&<>"']/g, (char) => XML_ENTITIES[char]!);
  return inertLineStart(escaped, "&#58;");
}

// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
