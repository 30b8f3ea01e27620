import { createHash } from "node:crypto";
import path from "node:path";
import type { FileResult } from "../engine/lint.js";
import { SourceText } from "../source/source-text.js";
import type { Message } from "./messages.js";

/**
 * The rule id of a fatal error (a file that could not be read or parsed) in the
 * formats that require every result to name a rule: SARIF, GitLab Code Quality,
 * compact and JUnit's failure type.
 */
export const FATAL_ERROR_RULE_ID = "parse-error";

export function reportedRuleId(message: Message): string {
  return message.ruleId ?? FATAL_ERROR_RULE_ID;
}

/** The path relative to the repository root, with forward slashes (`../` for files outside it). */
export function repoRelativePath(filePath: string, repoRoot: string): string {
  return path.relative(repoRoot, path.resolve(repoRoot, filePath)).split(path.sep).join("/");
}

/**
 * One hex hash per message, in the order given: the rule id, the file's
 * repository-relative path, the flagged source text with whitespace collapsed,
 * and which occurrence of that same rule and text in the file this is.
 *
 * No line numbers go in, so a finding keeps its fingerprint when lines are added
 * above or below it and code scanning / GitLab keep tracking the same alert; the
 * occurrence index keeps two identical statements in one file apart.
 */
export function messageFingerprints(result: FileResult, messages: readonly Message[], relativePath: string): string[] {
  const source = result.text === undefined ? undefined : new SourceText(result.text);
  const seen = new Map<string, number>();
  return messages.map((message) => {
    const ruleId = reportedRuleId(message);
    const snippet = source ? normalizedSnippet(source, message) : "";
    const key = JSON.stringify([ruleId, snippet]);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return createHash("sha256").update(JSON.stringify([ruleId, relativePath, snippet, occurrence])).digest("hex");
  });
}

function normalizedSnippet(source: SourceText, message: Message): string {
  if (message.line === undefined || message.endLine === undefined) return "";
  const start = source.lineStart(message.line) + (message.column ?? 1) - 1;
  const end = source.lineStart(message.endLine) + (message.endColumn ?? 1) - 1;
  return source.text.slice(start, end).replace(/\s+/g, " ").trim();
}
