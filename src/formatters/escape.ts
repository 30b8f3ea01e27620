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
