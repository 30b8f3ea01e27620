import type { Finding } from "../engine/rule.js";

/** ESLint shows one line: what is wrong, then the safe alternative. */
export function eslintMessage(finding: Pick<Finding, "message" | "help">): string {
  const message = finding.message.trim();
  return finding.help ? `${message}${/[.!?:]$/.test(message) ? "" : "."} ${finding.help.trim()}` : message;
}
