/**
 * `migsafe explain`: a rule's docs page (docs/rules/*.md) rendered for reading in a terminal or a
 * pager. It handles the Markdown those pages use, and only that: `#` headings, paragraphs, `-`
 * bullets (nested by two spaces, continued on the following lines), fenced code blocks, pipe tables,
 * and inline `code`, **bold**, *emphasis* and [links](url). With colours, headings are bold (`#` and
 * `##` underlined too), code blocks dimmed, inline code cyan; without, the same layout in plain text, headings
 * underlined with `=` or `-`. Paragraphs and bullets are wrapped to `width`; code is left as written.
 */
import picocolors from "picocolors";
import { escapeControl } from "../formatters/escape.js";

export interface RenderOptions {
  colors: boolean;
  /** Columns to wrap paragraphs and bullets in (the terminal's width). */
  width: number;
  /** Relative links (`truncate.md`, `../configuration.md#…`) are shown as absolute URLs against this one. */
  baseUrl?: string;
}

type Colors = ReturnType<typeof picocolors.createColors>;

interface Style {
  bold?: boolean;
  italic?: boolean;
  code?: boolean;
  url?: boolean;
}

/** A run of text in one style. */
interface Piece {
  text: string;
  style: Style;
}

const CODE_INDENT = "    ";
const FENCE = /^(\s*)(```|~~~)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const TABLE_ROW = /^\s*\|/;

export function renderMarkdown(markdown: string, options: RenderOptions): string {
  const c = picocolors.createColors(options.colors);
  const width = Math.max(options.width, 40);
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const blocks: string[][] = [];
  let list: string[] | undefined;
  const push = (block: string[]) => {
    list = undefined;
    blocks.push(block);
  };
  const startsBlock = (line: string) => FENCE.test(line) || HEADING.test(line) || BULLET.test(line) || TABLE_ROW.test(line);

  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const indent = fence[1]!.length;
      const marker = fence[2]!;
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(marker); i++) code.push(lines[i]!);
      i++;
      // A code block inside a list item stays at the item's depth.
      const depth = list ? " ".repeat(indent) : "";
      const rendered = code.map((text) => {
        const shown = escapeControl(text.slice(Math.min(indent, text.length - text.trimStart().length)));
        return shown ? `${depth}${CODE_INDENT}${c.dim(shown)}` : "";
      });
      if (list && indent > 0) list.push(...(list.length > 0 ? [""] : []), ...rendered, "");
      else push(rendered);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      i++;
      const level = heading[1]!.length;
      const text = renderPieces(inline(heading[2]!, { bold: true }, options.baseUrl), c, options.colors && level <= 2);
      const plain = visible(text);
      push(options.colors ? [text] : [text, (level === 1 ? "=" : "-").repeat(Math.min(plain.length, width))]);
      continue;
    }
    if (TABLE_ROW.test(line)) {
      const rows: string[][] = [];
      for (; i < lines.length && TABLE_ROW.test(lines[i]!); i++) rows.push(cellsOf(lines[i]!));
      push(renderTable(rows, c, width, options.baseUrl));
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      let text = bullet[3]!;
      for (i++; i < lines.length && lines[i]!.trim() !== "" && !startsBlock(lines[i]!); i++) text += ` ${lines[i]!.trim()}`;
      const depth = Math.floor(bullet[1]!.length / 2);
      const mark = /^\d/.test(bullet[2]!) ? bullet[2]! : depth === 0 ? "•" : "◦";
      const indent = "  ".repeat(depth);
      const item = wrap(inline(text, {}, options.baseUrl), width - indent.length - mark.length - 1, c);
      const rendered = item.map((row, k) => `${indent}${k === 0 ? `${mark} ` : " ".repeat(mark.length + 1)}${row}`);
      if (list) {
        if (list.at(-1) === "") list.pop();
        list.push(...rendered);
      } else {
        list = rendered;
        blocks.push(list);
      }
      continue;
    }
    let text = line.trim();
    for (i++; i < lines.length && lines[i]!.trim() !== "" && !startsBlock(lines[i]!); i++) text += ` ${lines[i]!.trim()}`;
    push(wrap(inline(text, {}, options.baseUrl), width, c));
  }
  return blocks.map((block) => `${block.join("\n").trimEnd()}\n`).join("\n");
}

/** A table row's cells, without the outer pipes (`\|` is a pipe inside a cell). */
function cellsOf(row: string): string[] {
  const trimmed = row.trim().replace(/^\|/, "").replace(/\|$/, "");
  return trimmed.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/**
 * A table as a list, one bullet per row, which fits any width: the row's first cell, then the other
 * cells each on its own line under its column's heading (`heading: cell`).
 */
function renderTable(rows: string[][], c: Colors, width: number, baseUrl: string | undefined): string[] {
  const isRule = (row: string[]) => row.every((cell) => /^:?-+:?$/.test(cell));
  const header = rows.length > 1 && isRule(rows[1]!) ? rows[0]! : undefined;
  const body = rows.filter((row, index) => !isRule(row) && !(header && index === 0));
  const out: string[] = [];
  for (const row of body) {
    const [first = "", ...rest] = row;
    out.push(...wrap(inline(first, {}, baseUrl), width - 2, c).map((line, k) => `${k === 0 ? "• " : "  "}${line}`));
    rest.forEach((cell, k) => {
      const label = header?.[k + 1];
      const pieces = [...(label ? inline(`${label}: `, { bold: true }, baseUrl) : []), ...inline(cell, {}, baseUrl)];
      out.push(...wrap(pieces, width - 4, c).map((line) => `    ${line}`));
    });
  }
  return out;
}

/** Inline Markdown as styled pieces: `code` and ``co`de`` (taken as is), **bold**, *emphasis* or _emphasis_, [text](url) shown as `text (url)`. */
export function inline(text: string, style: Style, baseUrl?: string): Piece[] {
  const pieces: Piece[] = [];
  const pattern = /``\s?(.+?)\s?``|`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|(?<![\w*\\])\*(?![\s*])(.+?)(?<![\s\\])\*(?![\w*])|(?<![\w\\])_(?![\s_])(.+?)(?<!\s)_(?!\w)/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index > last) pieces.push({ text: text.slice(last, match.index), style });
    const [, doubled, single, bold, linkText, href, star, underscore] = match;
    const code = doubled ?? single;
    if (code !== undefined) pieces.push({ text: code, style: { ...style, code: true } });
    else if (bold !== undefined) pieces.push(...inline(bold, { ...style, bold: true }, baseUrl));
    else if (linkText !== undefined) {
      pieces.push(...inline(linkText, style, baseUrl));
      pieces.push({ text: ` (${absoluteUrl(href!, baseUrl)})`, style: { ...style, url: true } });
    } else pieces.push(...inline((star ?? underscore)!, { ...style, italic: true }, baseUrl));
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), style });
  return pieces.map((piece) => ({ ...piece, text: piece.style.code ? piece.text : piece.text.replace(/\\([\\`*_[\]()#|-])/g, "$1") }));
}

function absoluteUrl(href: string, baseUrl: string | undefined): string {
  if (!baseUrl || /^[a-z][a-z0-9+.-]*:/i.test(href)) return href;
  try {
    return new URL(href, baseUrl).href;
  } catch {
    return href;
  }
}

/** Pieces wrapped into lines of at most `width` visible columns, at spaces; a word longer than a line has one to itself. */
function wrap(pieces: readonly Piece[], width: number, c: Colors): string[] {
  // Words as runs of pieces, so that a style never spans a line break.
  const words: Piece[][] = [];
  let word: Piece[] = [];
  let gap = false;
  for (const piece of pieces) {
    for (const [k, part] of piece.text.split(/(\s+)/).entries()) {
      if (k % 2 === 1) {
        gap = true;
        continue;
      }
      if (part === "") continue;
      if (gap && word.length > 0) {
        words.push(word);
        word = [];
      }
      gap = false;
      word.push({ text: part, style: piece.style });
    }
  }
  if (word.length > 0) words.push(word);
  const lines: string[] = [];
  let line = "";
  let length = 0;
  for (const w of words) {
    const size = w.reduce((sum, piece) => sum + escapeControl(piece.text).length, 0);
    if (length > 0 && length + 1 + size > width) {
      lines.push(line);
      line = "";
      length = 0;
    }
    line += (length > 0 ? " " : "") + renderPieces(w, c, false);
    length += (length > 0 ? 1 : 0) + size;
  }
  if (line) lines.push(line);
  return lines;
}

function renderPieces(pieces: readonly Piece[], c: Colors, underline: boolean): string {
  return pieces
    .map(({ text, style }) => {
      let shown = escapeControl(text);
      if (style.code) shown = c.cyan(shown);
      if (style.url) shown = c.dim(shown);
      if (style.italic) shown = c.italic(shown);
      if (style.bold) shown = c.bold(shown);
      if (underline) shown = c.underline(shown);
      return shown;
    })
    .join("");
}

/** Text without its ANSI styles. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[\d+m/g, "");
}
