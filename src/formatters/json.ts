import path from "node:path";
import type { FileResult } from "../engine/lint.js";
import { escapeJsonControl } from "./escape.js";
import { messagesOf, type Message } from "./messages.js";

/** One message in ESLint's JSON shape, plus migsafe's `help`, `explanation`, `docsUrl` and (for syntax errors) `hint`. */
export interface JsonMessage {
  ruleId: string | null;
  severity: 1 | 2;
  fatal?: true;
  message: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  help?: string;
  /** The finding's longer why, when its rule gave one (the rule's docs page, at `docsUrl`, has the rest). */
  explanation?: string;
  /** What migsafe verify observed on PostgreSQL for this finding. */
  evidence?: string;
  hint?: string;
  docsUrl?: string;
  /** As in ESLint: string indices into `source` and the replacement text. */
  fix?: { range: [number, number]; text: string };
}

/** One file in ESLint's JSON formatter shape. */
export interface JsonResult {
  filePath: string;
  messages: JsonMessage[];
  errorCount: number;
  fatalErrorCount: number;
  warningCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  /** The linted text (without a BOM), present when the file has messages, as ESLint does. */
  source?: string;
  /** With --fix-dry-run: the fixed text, as ESLint's `output`. */
  output?: string;
}

export function toJsonResults(results: readonly FileResult[]): JsonResult[] {
  return results.map((result) => {
    const messages = messagesOf(result);
    const count = (predicate: (message: Message) => boolean) => messages.filter(predicate).length;
    return {
      filePath: path.resolve(result.filePath),
      messages: messages.map(toJsonMessage),
      errorCount: count((message) => message.severity === 2),
      fatalErrorCount: count((message) => message.fatal),
      warningCount: count((message) => message.severity === 1),
      fixableErrorCount: count((message) => message.severity === 2 && message.fix !== undefined),
      fixableWarningCount: count((message) => message.severity === 1 && message.fix !== undefined),
      ...(messages.length > 0 && result.text !== undefined ? { source: result.text } : {}),
      ...(result.fixedText !== undefined ? { output: result.fixedText } : {}),
    };
  });
}

function toJsonMessage(message: Message): JsonMessage {
  const position = {
    ...(message.line !== undefined ? { line: message.line, column: message.column } : {}),
    ...(message.endLine !== undefined ? { endLine: message.endLine, endColumn: message.endColumn } : {}),
  };
  if (message.fatal) {
    return { ruleId: null, fatal: true, severity: 2, message: message.message, ...position, ...(message.hint ? { hint: message.hint } : {}) };
  }
  return {
    ruleId: message.ruleId,
    severity: message.severity,
    message: message.message,
    ...position,
    help: message.help,
    ...(message.explanation ? { explanation: message.explanation } : {}),
    ...(message.evidence ? { evidence: message.evidence } : {}),
    docsUrl: message.docsUrl,
    ...(message.fix ? { fix: { range: [message.fix.range.start, message.fix.range.end], text: message.fix.text } } : {}),
  };
}

/** The whole report as one line of JSON and a newline; nothing else may be written to stdout with it. */
export function formatJson(results: readonly FileResult[]): string {
  return `${escapeJsonControl(JSON.stringify(toJsonResults(results)))}\n`;
}
