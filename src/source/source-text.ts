/**
 * A migration file's text with the position arithmetic every other module needs:
 * UTF-8 byte offsets (what libpg-query reports) to string indices, and string
 * indices to 1-based line/column (columns count UTF-16 code units, as ESLint does).
 * Line breaks are \n, \r\n and a lone \r.
 */
export interface Position {
  line: number;
  column: number;
}

export interface Range {
  /** String index of the first character. */
  start: number;
  /** String index one past the last character. */
  end: number;
}

export interface Location {
  start: Position;
  end: Position;
}

const BOM = "\uFEFF";

export class SourceText {
  readonly text: string;
  readonly hasBom: boolean;
  readonly isAscii: boolean;
  private lineStarts: number[] | undefined;
  /** For each non-ASCII code point: the byte offset and string index just after it. */
  private multiByteEnds: { bytes: Uint32Array; chars: Uint32Array } | undefined;

  constructor(raw: string) {
    this.hasBom = raw.startsWith(BOM);
    this.text = this.hasBom ? raw.slice(1) : raw;
    this.isAscii = !/[^\t\n\r\u0020-\u007E]/.test(this.text) || Buffer.byteLength(this.text, "utf8") === this.text.length;
  }

  get byteLength(): number {
    return this.isAscii ? this.text.length : Buffer.byteLength(this.text, "utf8");
  }

  /** String index of a UTF-8 byte offset into `text`. */
  charIndex(byteOffset: number): number {
    if (this.isAscii) return byteOffset;
    const { bytes, chars } = this.byteMap();
    let lo = 0;
    let hi = bytes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bytes[mid]! <= byteOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return byteOffset;
    return chars[found]! + (byteOffset - bytes[found]!);
  }

  /** UTF-8 byte offset of a string index into `text`. */
  byteOffset(charIndex: number): number {
    if (this.isAscii) return charIndex;
    return Buffer.byteLength(this.text.slice(0, charIndex), "utf8");
  }

  position(index: number): Position {
    const starts = this.lines();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - starts[lo]! + 1 };
  }

  location(range: Range): Location {
    return { start: this.position(range.start), end: this.position(range.end) };
  }

  /** String index of the start of a 1-based line. */
  lineStart(line: number): number {
    const starts = this.lines();
    return starts[Math.min(Math.max(line, 1), starts.length) - 1]!;
  }

  get lineCount(): number {
    return this.lines().length;
  }

  slice(range: Range): string {
    return this.text.slice(range.start, range.end);
  }

  private lines(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const starts = [0];
    const text = this.text;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 10) starts.push(i + 1);
      else if (code === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
    return starts;
  }

  private byteMap(): { bytes: Uint32Array; chars: Uint32Array } {
    if (this.multiByteEnds) return this.multiByteEnds;
    const bytes: number[] = [];
    const chars: number[] = [];
    let byte = 0;
    const text = this.text;
    for (let i = 0; i < text.length; i++) {
      const code = text.codePointAt(i)!;
      if (code < 0x80) {
        byte += 1;
        continue;
      }
      const width = code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      // Lone surrogates are encoded by Node as U+FFFD (3 bytes).
      byte += code >= 0xd800 && code <= 0xdfff ? 3 : width;
      if (code > 0xffff) i++;
      bytes.push(byte);
      chars.push(i + 1);
    }
    this.multiByteEnds = { bytes: Uint32Array.from(bytes), chars: Uint32Array.from(chars) };
    return this.multiByteEnds;
  }
}

/** String index of the code point at `codePoints` code points into `text`. */
export function indexOfCodePoint(text: string, codePoints: number): number {
  let index = 0;
  for (let seen = 0; seen < codePoints && index < text.length; seen++) {
    const code = text.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return index;
}
