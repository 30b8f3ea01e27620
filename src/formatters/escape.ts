/**
 * C0 and C1 control characters (tab excepted) and the Unicode bidirectional
 * controls: what a file name or message must not send raw to a terminal.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeCode(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Replaces unsafe characters with `\xNN` (or `\uNNNN`) so text prints as one inert line. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeCode);
}

/**
 * For JSON text: JSON.stringify escapes C0 characters itself; this escapes the
 * remaining unsafe ones as `\uNNNN`, which parses back to the same strings.
 */
export function escapeJsonControl(json: string): string {
  // JSON.stringify leaves only C1 and bidi controls raw, and they are rare: test before replacing.
  if (!JSON_UNSAFE.test(json)) return json;
  return json.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The characters escapeJsonControl escapes that JSON.stringify does not (it escapes C0 itself). */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * The GitHub Actions runner reads every line of a step's output that starts with `::`,
 * after leading white space (it trims Unicode white space), as a workflow command:
 * `::stop-commands::…` would silence every later annotation, `::error file=…::` forge one.
 */
const WORKFLOW_COMMAND = /^[\s\u0085]*::/;

export function readsAsWorkflowCommand(line: string): boolean {
  return WORKFLOW_COMMAND.test(line);
}

/**
 * A line of a human-readable report that cannot be read as a workflow command: when it
 * would be, its first `:` is written as `colon` (a character reference, or `\x3a`).
 */
export function inertLineStart(line: string, colon: string): string {
  return readsAsWorkflowCommand(line) ? line.replace(":", colon) : line;
}
