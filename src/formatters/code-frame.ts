import picocolors from "picocolors";
import { escapeControl } from "./escape.js";

/** Where a message points: 1-based lines and columns (UTF-16 code units), the end column one past the last character. */
export interface FrameLocation {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

export interface CodeFrameOptions {
  colors: boolean;
  /** The marker's colour: red for dangerous findings and errors, yellow for careful ones. */
  tone: "dangerous" | "careful";
  /** The widest a source line is shown, in terminal columns (default 160): longer ones are clipped around the marker. */
  maxWidth?: number;
}

/** At most this many lines of a statement are shown; `…` stands for the rest. */
export const MAX_FRAME_LINES = 3;
const TAB_STOP = 4;
const DEFAULT_MAX_WIDTH = 160;
/** How much of a clipped line is kept before the marker. */
const LEAD = 40;

/**
 * The source lines a message points at, each with its line number and a `^^^` marker under the
 * columns it covers (babel/ESLint code-frame style): at most MAX_FRAME_LINES lines, then `…`.
 * Tabs are expanded, control characters escaped as everywhere in the report, and lines wider
 * than `maxWidth` clipped around the marker. Empty when the location is outside the text (`sourceLines`).
 */
export function codeFrame(lines: readonly string[], location: FrameLocation, options: CodeFrameOptions): string[] {
  const c = picocolors.createColors(options.colors);
  const first = location.line;
  if (!Number.isInteger(first) || first < 1 || first > lines.length) return [];
  const last = Math.min(Math.max(location.endLine ?? first, first), lines.length);
  const shownLast = Math.min(last, first + MAX_FRAME_LINES - 1);
  const numberWidth = String(last > shownLast ? shownLast + 1 : shownLast).length;
  const mark = options.tone === "careful" ? c.yellow : c.red;
  const maxWidth = Math.max(options.maxWidth ?? DEFAULT_MAX_WIDTH, 20);
  const out: string[] = [];
  for (let number = first; number <= shownLast; number++) {
    const source = lines[number - 1]!.trimEnd();
    const cells = cellsOf(source);
    const total = cells.starts[source.length]!;
    // The marker's columns on this line: from the message's column on its first line (else the first non-blank
    // character) to its end column on its last line (else the end of the line).
    const fromIndex = number === first ? clamp(location.column - 1, 0, source.length) : source.length - source.trimStart().length;
    const toIndex = number === last && location.endColumn !== undefined ? clamp(location.endColumn - 1, 0, source.length) : source.length;
    let from = cells.starts[fromIndex]!;
    let to = Math.max(cells.starts[toIndex]!, from + 1);
    // Clip a long line to a window around the marker's start.
    let start = 0;
    let end = total;
    if (total > maxWidth) {
      start = Math.max(0, Math.min(from - LEAD, total - maxWidth));
      end = Math.min(total, start + maxWidth);
    }
    const shown = cells.slice(start, end);
    const before = start > 0 ? "…" : "";
    const after = end < total ? "…" : "";
    from = Math.max(from, start) - start + before.length;
    to = Math.min(to, Math.max(end, start + 1)) - start + before.length;
    const gutter = `${String(number).padStart(numberWidth)} |`;
    out.push(`${c.bold(mark(">"))} ${c.dim(gutter)}${shown || before || after ? ` ${before}${shown}${after}` : ""}`);
    out.push(`  ${c.dim(`${" ".repeat(numberWidth)} |`)} ${" ".repeat(from)}${mark("^".repeat(Math.max(1, to - from)))}`);
  }
  if (last > shownLast) out.push(`  ${c.dim(`${" ".repeat(numberWidth)} |`)} …`);
  return out;
}

/** A file's lines, split as the engine counts them (\n, \r\n, a lone \r): what codeFrame takes. */
export function sourceLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/**
 * A line as shown: each UTF-16 index's display column (`starts`, one more entry for the end), and
 * `slice(from, to)` the text between two display columns. Tabs expand to the next tab stop, control
 * characters show escaped, wide characters (CJK, emoji) take two columns and combining marks none.
 */
function cellsOf(line: string): { starts: number[]; slice: (from: number, to: number) => string } {
  const starts: number[] = new Array<number>(line.length + 1);
  const pieces: { text: string; at: number; width: number }[] = [];
  let column = 0;
  for (let i = 0; i < line.length; ) {
    const code = line.codePointAt(i)!;
    const size = code > 0xffff ? 2 : 1;
    const char = line.slice(i, i + size);
    let text: string;
    let width: number;
    if (char === "\t") {
      width = TAB_STOP - (column % TAB_STOP);
      text = " ".repeat(width);
    } else {
      text = escapeControl(char);
      width = text !== char ? text.length : charWidth(code);
    }
    for (let k = 0; k < size; k++) starts[i + k] = column;
    pieces.push({ text, at: column, width });
    column += width;
    i += size;
  }
  starts[line.length] = column;
  return {
    starts,
    slice: (from, to) => {
      let text = "";
      for (const piece of pieces) {
        if (piece.at >= from && piece.at + piece.width <= to) text += piece.text;
        // A piece cut by the window's edge (a tab, an escape, a wide character) shows as spaces, keeping the columns.
        else if (piece.at < to && piece.at + piece.width > from) text += " ".repeat(Math.min(to, piece.at + piece.width) - Math.max(from, piece.at));
      }
      return text;
    },
  };
}

/** Terminal columns of a code point: 0 for combining marks, 2 for East Asian wide characters and emoji, else 1. */
function charWidth(code: number): number {
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200d) || (code >= 0xfe00 && code <= 0xfe0f)) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}
