import type { FileResult } from "../engine/lint.js";
import { escapeJsonControl } from "./escape.js";
import { messageFingerprints, repoRelativePath, reportedRuleId } from "./fingerprint.js";
import type { ReportContext } from "./format.js";
import { escapeMarkdown } from "./markdown.js";
import { messagesOf, type Message } from "./messages.js";

/** GitLab's Code Quality severities, lowest first: info, minor, major, critical, blocker. */
export type CodeQualitySeverity = "info" | "minor" | "major" | "critical" | "blocker";

/** One issue of a GitLab Code Quality report (the subset of the Code Climate spec GitLab reads). */
export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: CodeQualitySeverity;
  location: { path: string; lines: { begin: number; end: number } };
  /** The safe alternative (or the syntax hint) and the rule's docs, in Markdown, for readers of the artifact. */
  content?: { body: string };
}

/**
 * A GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array
 * with one issue per finding or fatal error, paths relative to the repository
 * root. Fingerprints are unique per issue (GitLab drops repeated ones) and
 * stable when unrelated lines move, so the merge request widget shows only
 * what a change introduced or fixed.
 */
export function formatGitlab(results: readonly FileResult[], context: ReportContext): string {
  const issues = results.flatMap((result) => fileIssues(result, context.repoRoot));
  return `${escapeJsonControl(JSON.stringify(issues))}\n`;
}

function fileIssues(result: FileResult, repoRoot: string): CodeQualityIssue[] {
  const relativePath = repoRelativePath(result.filePath, repoRoot);
  const messages = messagesOf(result);
  const fingerprints = messageFingerprints(result, messages, relativePath);
  return messages.map((message, i) => {
    const body = contentBody(message);
    return {
      description: message.message,
      check_name: reportedRuleId(message),
      fingerprint: fingerprints[i]!,
      severity: severityOf(message),
      // An error without a position (an unreadable file) is reported on the file's first line.
      location: { path: relativePath, lines: { begin: message.line ?? 1, end: message.endLine ?? message.line ?? 1 } },
      ...(body ? { content: { body } } : {}),
    };
  });
}

/**
 * Dangerous findings can lose data or block production traffic: critical.
 * Careful ones need a reviewer's judgement (a long lock, a rewrite): major.
 * A file that could not be parsed was not checked past the error: blocker.
 */
function severityOf(message: Message): CodeQualitySeverity {
  if (message.kind === "error") return "blocker";
  return message.kind === "dangerous" ? "critical" : "major";
}

function contentBody(message: Message): string | undefined {
  const advice = message.help ?? message.hint;
  // The body is Markdown (Code Climate's spec): identifiers and file names in the advice must not become markup.
  const parts = [advice && escapeMarkdown(advice), message.docsUrl && `[Documentation](${message.docsUrl})`].filter(Boolean);
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}
