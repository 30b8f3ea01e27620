/**
 * A lexer for PostgreSQL SQL in plain TypeScript: the token boundaries and classes of
 * PostgreSQL 18's scan.l as libpg-query's `scanSync` reports them (comments are
 * tokens, as libpg-query's patched scanner makes them), in one pass over char codes.
 *
 * Positions are string indices (UTF-16 code units) into the text. Types are what
 * `tokenType` in tokens.ts makes of scanSync's output, quirks included: libpg-query
 * gives an ASCII_nn name ("punctuation") only to the single characters `( ) * , ; =`,
 * and names bit strings (B'..'), hex strings (X'..'), Unicode strings (U&'..') and
 * Unicode identifiers (U&"..") UNKNOWN, so they are "other", as are parameters ($1),
 * operators, `.`, `:`, `[`, `]` and `::`. See BIT_STRING, UNICODE_STRING and
 * UNICODE_IDENTIFIER below to classify those literals by what they are instead.
 *
 * With `standardConformingStrings: false` (PostgreSQL's setting of that name turned off), a
 * plain '...' string reads backslash escapes as E'...' does, and U&'...' is an error, as
 * scan.l reads them then; scanSync always lexes with the setting on.
 *
 * Where scan.l raises an error (unterminated literal or comment, trailing junk after
 * a number, bad escapes in E'' strings, ...) lexing stops: the result holds the tokens
 * before the offending one and PostgreSQL's message. Like PostgreSQL, which reads a
 * C string, the lexer treats a NUL character as the end of the input.
 */
import { KEYWORDS } from "./keywords.js";
import type { TokenType } from "./types.js";

export interface LexToken {
  /** String index of the token's first character. */
  start: number;
  /** String index one past its last character. */
  end: number;
  type: TokenType;
}

export interface LexResult {
  tokens: LexToken[];
  /**
   * The lexer error that stopped lexing, with PostgreSQL's message; `start` is the
   * string index PostgreSQL points at: the start of the unterminated or malformed
   * token, or the bad escape sequence inside an E'' string. (For an E'' string whose
   * escapes make invalid UTF-8, PostgreSQL gives no position; `start` is the string's.)
   */
  error?: { message: string; start: number };
}

/**
 * B'0101' and X'1F' (BCONST/XCONST), U&'...' (USCONST) and U&"..." (UIDENT) are typed by
 * what they are; libpg-query's scanSync names all four UNKNOWN.
 */
const BIT_STRING: TokenType = "string";
const UNICODE_STRING: TokenType = "string";
const UNICODE_IDENTIFIER: TokenType = "identifier";

// ---------------------------------------------------------------------------
// Character classes (ASCII; every code unit >= 0x80 is an identifier character,
// as every byte of a multi-byte UTF-8 character is for scan.l).

const WHITESPACE = 1;
const IDENT_START = 2;
const IDENT_CONT = 4;
const OP_CHAR = 8;
const DIGIT = 16;
const HEX_DIGIT = 32;

const CLASSES = new Uint8Array(128);
for (const c of " \t\n\r\f\v") CLASSES[c.charCodeAt(0)]! |= WHITESPACE;
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if ((ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || ch === "_") CLASSES[c]! |= IDENT_START | IDENT_CONT;
  if (ch >= "0" && ch <= "9") CLASSES[c]! |= DIGIT | IDENT_CONT | HEX_DIGIT;
  if ((ch >= "a" && ch <= "f") || (ch >= "A" && ch <= "F")) CLASSES[c]! |= HEX_DIGIT;
}
CLASSES[36]! |= IDENT_CONT; // $
for (const c of "~!@#^&|`?+-*/%<>=") CLASSES[c.charCodeAt(0)]! |= OP_CHAR;

const enum Ch {
  Tab = 9,
  LineFeed = 10,
  VerticalTab = 11,
  FormFeed = 12,
  CarriageReturn = 13,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Hash = 35,
  Dollar = 36,
  Percent = 37,
  Ampersand = 38,
  Quote = 39,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Seven = 55,
  Nine = 57,
  Colon = 58,
  Semicolon = 59,
  Equals = 61,
  Question = 63,
  At = 64,
  UpperB = 66,
  UpperE = 69,
  UpperN = 78,
  UpperO = 79,
  UpperU = 85,
  UpperX = 88,
  Backslash = 92,
  Caret = 94,
  Underscore = 95,
  Backtick = 96,
  LowerB = 98,
  LowerE = 101,
  LowerN = 110,
  LowerO = 111,
  LowerU = 117,
  LowerX = 120,
  Pipe = 124,
  Tilde = 126,
}

function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}

/** ident_start: [A-Za-z\200-\377_]. NaN (past the end) is not. */
function isIdentStart(c: number): boolean {
  return c >= 128 || (c >= 0 && (CLASSES[c]! & IDENT_START) !== 0);
}

/** ident_cont: [A-Za-z\200-\377_0-9\$]. */
function isIdentCont(c: number): boolean {
  return c >= 128 || (c >= 0 && (CLASSES[c]! & IDENT_CONT) !== 0);
}

/** dolq_cont: [A-Za-z\200-\377_0-9] (no $). */
function isDollarTagCont(c: number): boolean {
  return c !== Ch.Dollar && isIdentCont(c);
}

function isOpChar(c: number): boolean {
  return c < 128 && (CLASSES[c]! & OP_CHAR) !== 0;
}

function isSpace(c: number): boolean {
  return c < 128 && (CLASSES[c]! & WHITESPACE) !== 0;
}

function isHexDigit(c: number): boolean {
  return c < 128 && (CLASSES[c]! & HEX_DIGIT) !== 0;
}

// ---------------------------------------------------------------------------
// Keywords: an open-addressing table of the lower-case keywords, hashed (FNV-1a)
// while the identifier is scanned, so that no string is built per identifier.

const KEYWORD_WORDS = KEYWORDS.map((word) => word.toLowerCase());
const KEYWORD_MASK = 2047;
const KEYWORD_SLOTS = new Int16Array(KEYWORD_MASK + 1).fill(-1);
const MAX_KEYWORD_LENGTH = Math.max(...KEYWORD_WORDS.map((word) => word.length));

function keywordHash(h: number, c: number): number {
  return Math.imul(h ^ c, 16777619);
}

const KEYWORD_HASH_SEED = 2166136261 | 0;

for (let k = 0; k < KEYWORD_WORDS.length; k++) {
  const word = KEYWORD_WORDS[k]!;
  let h = KEYWORD_HASH_SEED;
  for (let i = 0; i < word.length; i++) h = keywordHash(h, word.charCodeAt(i));
  let slot = h & KEYWORD_MASK;
  while (KEYWORD_SLOTS[slot] !== -1) slot = (slot + 1) & KEYWORD_MASK;
  KEYWORD_SLOTS[slot] = k;
}

function isKeywordAt(text: string, start: number, end: number, hash: number): boolean {
  const length = end - start;
  for (let slot = hash & KEYWORD_MASK; ; slot = (slot + 1) & KEYWORD_MASK) {
    const k = KEYWORD_SLOTS[slot]!;
    if (k < 0) return false;
    const word = KEYWORD_WORDS[k]!;
    if (word.length !== length) continue;
    let i = 0;
    while (i < length) {
      let c = text.charCodeAt(start + i);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== word.charCodeAt(i)) break;
      i++;
    }
    if (i === length) return true;
  }
}

// ---------------------------------------------------------------------------

/** Kinds of quoted literal: what their body allows and how PostgreSQL names them when unterminated. */
const enum Quoted {
  /** '...' and U&'...': '' doubles a quote. */
  Standard,
  /** E'...': also backslash escapes. */
  Escape,
  /** B'...': no doubling. */
  Bit,
  /** X'...': no doubling. */
  Hex,
}

const UNTERMINATED: Record<Quoted, string> = {
  [Quoted.Standard]: "unterminated quoted string",
  [Quoted.Escape]: "unterminated quoted string",
  [Quoted.Bit]: "unterminated bit string literal",
  [Quoted.Hex]: "unterminated hexadecimal string literal",
};

const UNSAFE_UNICODE_STRING = "unsafe use of string constant with Unicode escapes";

/** The lexer state of one `lex` call (lex is synchronous, so module-level is safe). */
let source = "";
/** Index of the first NUL or the text length: PostgreSQL's end of input. */
let limit = 0;
let failure: { message: string; start: number } | undefined;

function fail(message: string, start: number): number {
  failure = { message, start };
  return -1;
}

/** scanner_yyerror's message: the text from the error position to the end of the scanned token. */
function near(message: string, start: number, end: number): number {
  return fail(start >= limit ? `${message} at end of input` : `${message} at or near "${source.slice(start, end)}"`, start);
}

export interface LexOptions {
  /** PostgreSQL's standard_conforming_strings (default true): when false, '...' reads backslash escapes. */
  standardConformingStrings?: boolean;
  /** String index to start lexing at (default 0); positions stay indices into the whole text. */
  from?: number;
}

export function lex(text: string, options: LexOptions = {}): LexResult {
  source = text;
  const nul = text.indexOf("\0");
  const n = nul < 0 ? text.length : nul;
  limit = n;
  failure = undefined;
  const standard = options.standardConformingStrings ?? true;
  const plainQuote = standard ? Quoted.Standard : Quoted.Escape;
  const tokens: LexToken[] = [];
  let i = options.from ?? 0;
  try {
    while (i < n) {
      const c = text.charCodeAt(i);
      const start = i;
      let end: number;
      let type: TokenType;
      if (c >= 128) {
        end = scanIdentifier(text, i, n);
        type = identifierType(text, i, end);
      } else {
        const cls = CLASSES[c]!;
        if ((cls & WHITESPACE) !== 0) {
          i++;
          continue;
        }
        if ((cls & IDENT_START) !== 0) {
          const next = text.charCodeAt(i + 1);
          if (next === Ch.Quote) {
            if (c === Ch.LowerE || c === Ch.UpperE) {
              end = scanQuoted(text, i + 1, n, Quoted.Escape, i);
              type = "string";
            } else if (c === Ch.LowerB || c === Ch.UpperB) {
              end = scanQuoted(text, i + 1, n, Quoted.Bit, i);
              type = BIT_STRING;
            } else if (c === Ch.LowerX || c === Ch.UpperX) {
              end = scanQuoted(text, i + 1, n, Quoted.Hex, i);
              type = BIT_STRING;
            } else if (c === Ch.LowerN || c === Ch.UpperN) {
              // N'...': the N alone is the NCHAR keyword, the string follows.
              end = i + 1;
              type = "keyword";
            } else {
              end = scanIdentifier(text, i, n);
              type = identifierType(text, i, end);
            }
          } else if (next === Ch.Ampersand && (c === Ch.LowerU || c === Ch.UpperU) && (text.charCodeAt(i + 2) === Ch.Quote || text.charCodeAt(i + 2) === Ch.DoubleQuote)) {
            if (text.charCodeAt(i + 2) === Ch.Quote) {
              end = standard ? scanQuoted(text, i + 2, n, Quoted.Standard, i) : fail(UNSAFE_UNICODE_STRING, i);
              type = UNICODE_STRING;
            } else {
              end = scanQuotedIdentifier(text, i + 2, n, i);
              type = UNICODE_IDENTIFIER;
            }
          } else {
            end = scanIdentifier(text, i, n);
            type = identifierType(text, i, end);
          }
        } else if ((cls & DIGIT) !== 0) {
          end = scanNumber(text, i, n);
          type = "number";
        } else {
          switch (c) {
            case Ch.Quote:
              end = scanQuoted(text, i, n, plainQuote, i);
              type = "string";
              break;
            case Ch.DoubleQuote:
              end = scanQuotedIdentifier(text, i, n, i);
              type = "identifier";
              break;
            case Ch.Dollar:
              // $1 (PARAM) and a lone $ are "other"; $$...$$ and $tag$...$tag$ strings.
              end = scanDollar(text, i, n);
              type = end === i + 1 || isDigit(text.charCodeAt(i + 1)) ? "other" : "string";
              break;
            case Ch.Minus:
              if (text.charCodeAt(i + 1) === Ch.Minus) {
                end = i + 2;
                while (end < n) {
                  const d = text.charCodeAt(end);
                  if (d === Ch.LineFeed || d === Ch.CarriageReturn) break;
                  end++;
                }
                type = "line-comment";
              } else {
                end = scanOperator(text, i, n);
                type = "other";
              }
              break;
            case Ch.Slash:
              if (text.charCodeAt(i + 1) === Ch.Star) {
                end = scanBlockComment(text, i, n);
                type = "block-comment";
              } else {
                end = scanOperator(text, i, n);
                type = "other";
              }
              break;
            case Ch.Dot: {
              const next = text.charCodeAt(i + 1);
              if (isDigit(next)) {
                end = scanNumber(text, i, n);
                type = "number";
              } else {
                end = next === Ch.Dot ? i + 2 : i + 1;
                type = "other";
              }
              break;
            }
            case Ch.Colon: {
              const next = text.charCodeAt(i + 1);
              end = next === Ch.Colon || next === Ch.Equals ? i + 2 : i + 1;
              type = "other";
              break;
            }
            case Ch.OpenParen:
            case Ch.CloseParen:
            case Ch.Comma:
            case Ch.Semicolon:
              end = i + 1;
              type = "punctuation";
              break;
            default:
              if ((cls & OP_CHAR) !== 0) {
                end = scanOperator(text, i, n);
                // A lone * or = is scan.l's "self" character token (ASCII_42, ASCII_61).
                type = end === i + 1 && (c === Ch.Star || c === Ch.Equals) ? "punctuation" : "other";
              } else {
                // [ ] \ { } and control characters: single-character tokens.
                end = i + 1;
                type = "other";
              }
          }
        }
      }
      if (end < 0) break;
      tokens.push({ start, end, type });
      i = end;
    }
    return failure ? { tokens, error: failure } : { tokens };
  } finally {
    source = "";
    failure = undefined;
  }
}

/** Whether the identifier last scanned is made of letters and underscores only, and its keyword hash. */
let identifierKeywordLike = false;
let identifierHash = 0;

/** An identifier or keyword from `start`: returns its end. */
function scanIdentifier(text: string, start: number, n: number): number {
  let i = start;
  let hash = KEYWORD_HASH_SEED;
  let keywordLike = true;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c < 128) {
      const cls = CLASSES[c]!;
      if ((cls & IDENT_CONT) === 0) break;
      if (keywordLike) {
        if ((cls & IDENT_START) === 0) keywordLike = false;
        else {
          if (c >= 65 && c <= 90) c += 32;
          hash = keywordHash(hash, c);
        }
      }
    } else {
      keywordLike = false;
    }
    i++;
  }
  identifierKeywordLike = keywordLike && i - start <= MAX_KEYWORD_LENGTH;
  identifierHash = hash;
  return i;
}

function identifierType(text: string, start: number, end: number): TokenType {
  return identifierKeywordLike && isKeywordAt(text, start, end, identifierHash) ? "keyword" : "identifier";
}

/**
 * A quoted literal whose opening quote is at `quote` (the token starts at `start`,
 * before any B/X/E/U& prefix). Follows the string through PostgreSQL's continuation
 * rule: a closing quote, whitespace holding a newline, and another quote continue the
 * same literal. Returns the end, or -1 after recording the error.
 */
function scanQuoted(text: string, quote: number, n: number, kind: Quoted, start: number): number {
  let i = quote + 1;
  escapedNonAscii = false;
  for (;;) {
    let close: number;
    if (kind === Quoted.Escape) {
      close = -1;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === Ch.Quote) {
          close = i;
          break;
        }
        if (c === Ch.Backslash) {
          i = scanEscape(text, i, n);
          if (i < 0) return -1;
          continue;
        }
        i++;
      }
    } else {
      close = text.indexOf("'", i);
    }
    if (close < 0 || close >= n) {
      return fail(`${UNTERMINATED[kind]} at or near "${text.slice(start, n)}"`, start);
    }
    if (kind !== Quoted.Bit && kind !== Quoted.Hex && text.charCodeAt(close + 1) === Ch.Quote && close + 1 < n) {
      i = close + 2;
      continue;
    }
    // A quote ends the literal unless whitespace with a newline and another quote follow.
    let j = close + 1;
    let c = text.charCodeAt(j);
    while (j < n && (c === Ch.Space || c === Ch.Tab || c === Ch.FormFeed || c === Ch.VerticalTab)) c = text.charCodeAt(++j);
    if (j < n && (c === Ch.LineFeed || c === Ch.CarriageReturn)) {
      c = text.charCodeAt(++j);
      while (j < n && isSpace(c)) c = text.charCodeAt(++j);
      if (j < n && c === Ch.Quote) {
        i = j + 1;
        continue;
      }
    }
    const end = close + 1;
    if (escapedNonAscii) {
      const invalid = invalidUtf8(decodeEscapeString(text, quote, end));
      if (invalid) return fail(`invalid byte sequence for encoding "UTF8": ${invalid}`, start);
    }
    return end;
  }
}

/**
 * Set when an E'' string has an octal or hex escape for a NUL or non-ASCII byte:
 * PostgreSQL then checks that the string's value is valid UTF-8.
 */
let escapedNonAscii = false;

/** A backslash escape in an E'' string at `i`: returns the index after it, or -1 on error. */
function scanEscape(text: string, i: number, n: number): number {
  if (i + 1 >= n) return i + 1;
  const c = text.charCodeAt(i + 1);
  if (c === Ch.LowerU || c === Ch.UpperU) {
    const value = unicodeEscape(text, i, n);
    if (value < 0) return fail("invalid Unicode escape", i);
    const end = i + (c === Ch.LowerU ? 6 : 10);
    if (value >= 0xd800 && value <= 0xdbff) {
      // A high surrogate must be followed at once by an escaped low surrogate.
      if (end >= n) return near("invalid Unicode surrogate pair", end, end);
      const d = text.charCodeAt(end);
      const e = text.charCodeAt(end + 1);
      if (d === Ch.Backslash && (e === Ch.LowerU || e === Ch.UpperU) && end + 1 < n) {
        const low = unicodeEscape(text, end, n);
        if (low < 0) return fail("invalid Unicode escape", end);
        const after = end + (e === Ch.LowerU ? 6 : 10);
        if (low < 0xdc00 || low > 0xdfff) return near("invalid Unicode surrogate pair", end, after);
        return after;
      }
      // flex's "." takes one byte: for a non-ASCII character, the first byte of its
      // UTF-8 form, which comes out of libpg-query as U+FFFD.
      if (d >= 0x80) return fail(`invalid Unicode surrogate pair at or near "\uFFFD"`, end);
      return near("invalid Unicode surrogate pair", end, end + 1);
    }
    if (value >= 0xdc00 && value <= 0xdfff) return near("invalid Unicode surrogate pair", i, end);
    if (value === 0 || value > 0x10ffff) return near("invalid Unicode escape value", i, end);
    return end;
  }
  if (c >= Ch.Zero && c <= Ch.Seven) {
    let j = i + 2;
    let value = c - Ch.Zero;
    for (let k = 0; k < 2 && j < n; k++) {
      const d = text.charCodeAt(j);
      if (d < Ch.Zero || d > Ch.Seven) break;
      value = value * 8 + d - Ch.Zero;
      j++;
    }
    value &= 0xff;
    if (value === 0 || value >= 0x80) escapedNonAscii = true;
    return j;
  }
  if (c === Ch.LowerX && i + 2 < n && isHexDigit(text.charCodeAt(i + 2))) {
    let j = i + 3;
    let value = hexValue(text.charCodeAt(i + 2));
    if (j < n && isHexDigit(text.charCodeAt(j))) value = value * 16 + hexValue(text.charCodeAt(j++));
    if (value === 0 || value >= 0x80) escapedNonAscii = true;
    return j;
  }
  return i + 2;
}

/** The value of \uXXXX or \UXXXXXXXX at `i`, or -1 when it has too few hex digits (xeunicodefail). */
function unicodeEscape(text: string, i: number, n: number): number {
  const digits = text.charCodeAt(i + 1) === Ch.LowerU ? 4 : 8;
  let value = 0;
  for (let k = 0; k < digits; k++) {
    const j = i + 2 + k;
    if (j >= n) return -1;
    const d = text.charCodeAt(j);
    if (!isHexDigit(d)) return -1;
    value = value * 16 + hexValue(d);
  }
  return value;
}

function hexValue(c: number): number {
  return c <= Ch.Nine ? c - Ch.Zero : (c | 32) - 87;
}

/**
 * The value of a string token that the lexer read with backslash escapes (E'...', or '...' with
 * standard_conforming_strings off) from `start` (its E, or its quote) to `end`.
 */
export function escapeStringValue(text: string, start: number, end: number): string {
  const quote = text.charCodeAt(start) === Ch.Quote ? start : start + 1;
  return Buffer.from(decodeEscapeString(text, quote, end)).toString("utf8");
}

/** The bytes of an E'' literal's value (its opening quote at `quote`, its end at `end`), as PostgreSQL builds them. */
function decodeEscapeString(text: string, quote: number, end: number): number[] {
  const bytes: number[] = [];
  let i = quote + 1;
  const last = end - 1;
  while (i < last) {
    const c = text.charCodeAt(i);
    if (c === Ch.Quote) {
      if (text.charCodeAt(i + 1) === Ch.Quote) {
        bytes.push(Ch.Quote);
        i += 2;
        continue;
      }
      // A continuation: skip to the next opening quote.
      i = text.indexOf("'", i + 1) + 1;
      continue;
    }
    if (c !== Ch.Backslash) {
      i = pushUtf8(text, i, bytes);
      continue;
    }
    const e = text.charCodeAt(i + 1);
    if (e === Ch.LowerU || e === Ch.UpperU) {
      let value = unicodeEscape(text, i, last);
      i += e === Ch.LowerU ? 6 : 10;
      if (value >= 0xd800 && value <= 0xdbff) {
        const low = unicodeEscape(text, i, last);
        i += text.charCodeAt(i + 1) === Ch.LowerU ? 6 : 10;
        value = 0x10000 + ((value - 0xd800) << 10) + (low - 0xdc00);
      }
      pushCodePoint(value, bytes);
    } else if (e >= Ch.Zero && e <= Ch.Seven) {
      let j = i + 2;
      let value = e - Ch.Zero;
      for (let k = 0; k < 2; k++) {
        const d = text.charCodeAt(j);
        if (d < Ch.Zero || d > Ch.Seven) break;
        value = value * 8 + d - Ch.Zero;
        j++;
      }
      bytes.push(value & 0xff);
      i = j;
    } else if (e === Ch.LowerX && isHexDigit(text.charCodeAt(i + 2))) {
      let j = i + 3;
      let value = hexValue(text.charCodeAt(i + 2));
      if (isHexDigit(text.charCodeAt(j))) value = value * 16 + hexValue(text.charCodeAt(j++));
      bytes.push(value);
      i = j;
    } else {
      // \b \f \n \r \t \v stand for ASCII control characters, anything else for itself.
      const control = CONTROL_ESCAPES.indexOf(String.fromCharCode(e));
      if (control >= 0) {
        bytes.push(CONTROL_BYTES[control]!);
        i += 2;
      } else {
        i = pushUtf8(text, i + 1, bytes);
      }
    }
  }
  return bytes;
}

const CONTROL_ESCAPES = "bfnrtv";
const CONTROL_BYTES = [8, 12, 10, 13, 9, 11];

function pushUtf8(text: string, i: number, bytes: number[]): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) {
    bytes.push(c);
    return i + 1;
  }
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      pushCodePoint(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00), bytes);
      return i + 2;
    }
  }
  // A lone surrogate is encoded as U+FFFD, as Node encodes it for libpg-query.
  pushCodePoint(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c, bytes);
  return i + 1;
}

function pushCodePoint(cp: number, bytes: number[]): void {
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/**
 * PostgreSQL's pg_verify_mbstr for UTF-8: undefined when the bytes are valid, else the
 * bytes its error message shows ("0xc3 0x28").
 */
function invalidUtf8(bytes: number[]): string | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0) return showBytes(bytes, i);
      i++;
      continue;
    }
    const length = utf8Length(b);
    if (length > bytes.length - i || !utf8Legal(bytes, i, length)) return showBytes(bytes, i);
    i += length;
  }
  return undefined;
}

function utf8Length(b: number): number {
  if ((b & 0xe0) === 0xc0) return 2;
  if ((b & 0xf0) === 0xe0) return 3;
  if ((b & 0xf8) === 0xf0) return 4;
  return 1;
}

/** pg_utf8_islegal. */
function utf8Legal(bytes: number[], i: number, length: number): boolean {
  const first = bytes[i]!;
  if (length >= 4 && (bytes[i + 3]! < 0x80 || bytes[i + 3]! > 0xbf)) return false;
  if (length >= 3 && (bytes[i + 2]! < 0x80 || bytes[i + 2]! > 0xbf)) return false;
  if (length >= 2) {
    const a = bytes[i + 1]!;
    if (first === 0xe0) {
      if (a < 0xa0 || a > 0xbf) return false;
    } else if (first === 0xed) {
      if (a < 0x80 || a > 0x9f) return false;
    } else if (first === 0xf0) {
      if (a < 0x90 || a > 0xbf) return false;
    } else if (first === 0xf4) {
      if (a < 0x80 || a > 0x8f) return false;
    } else if (a < 0x80 || a > 0xbf) {
      return false;
    }
  }
  return !((first >= 0x80 && first < 0xc2) || first > 0xf4);
}

function showBytes(bytes: number[], i: number): string {
  const count = Math.min(utf8Length(bytes[i]!), bytes.length - i, 8);
  const shown: string[] = [];
  for (let k = 0; k < count; k++) shown.push(`0x${bytes[i + k]!.toString(16).padStart(2, "0")}`);
  return shown.join(" ");
}

/** A quoted identifier whose opening quote is at `quote` (the token starts at `start`). */
function scanQuotedIdentifier(text: string, quote: number, n: number, start: number): number {
  let i = quote + 1;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0 || close >= n) return fail(`unterminated quoted identifier at or near "${text.slice(start, n)}"`, start);
    if (close + 1 < n && text.charCodeAt(close + 1) === Ch.DoubleQuote) {
      i = close + 2;
      continue;
    }
    if (close === quote + 1) return near("zero-length delimited identifier", start, close + 1);
    return close + 1;
  }
}

/** A token starting with `$`: a parameter, a dollar-quoted string, or a lone `$`. */
function scanDollar(text: string, start: number, n: number): number {
  let i = start + 1;
  let c = text.charCodeAt(i);
  if (isDigit(c)) {
    let value = 0;
    do {
      value = Math.min(value * 10 + c - Ch.Zero, 2 ** 31);
      c = text.charCodeAt(++i);
    } while (i < n && isDigit(c));
    if (value > 2 ** 31 - 1) return near("parameter number too large", start, i);
    return i;
  }
  if (c !== Ch.Dollar) {
    if (i >= n || !isIdentStart(c)) return start + 1;
    do c = text.charCodeAt(++i);
    while (i < n && isDollarTagCont(c));
    if (i >= n || c !== Ch.Dollar) return start + 1; // "$tag" without its closing $: just "$"
  }
  const delimiter = text.slice(start, i + 1);
  const close = text.indexOf(delimiter, i + 1);
  if (close < 0 || close + delimiter.length > n) return fail(`unterminated dollar-quoted string at or near "${text.slice(start, n)}"`, start);
  return close + delimiter.length;
}

/** A slash-star comment, nesting as PostgreSQL's do. */
function scanBlockComment(text: string, start: number, n: number): number {
  let depth = 0;
  let i = start + 2;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === Ch.Slash) {
      if (text.charCodeAt(i + 1) === Ch.Star && i + 1 < n) {
        depth++;
        i += 2;
      } else {
        i++;
      }
    } else if (c === Ch.Star) {
      do i++;
      while (i < n && text.charCodeAt(i) === Ch.Star);
      if (i < n && text.charCodeAt(i) === Ch.Slash) {
        i++;
        if (depth === 0) return i;
        depth--;
      }
    } else {
      i++;
    }
  }
  return fail(`unterminated /* comment at or near "${text.slice(start, n)}"`, start);
}

/**
 * scan.l's {operator} rule: the longest run of operator characters, cut before an
 * embedded comment start, and without trailing + or - unless the operator holds
 * one of ~ ! @ # ^ & | ` ? % (so that "=-" is two tokens but "@-" one).
 */
function scanOperator(text: string, start: number, n: number): number {
  let end = start + 1;
  while (end < n && isOpChar(text.charCodeAt(end))) end++;
  if (end - start === 1) return end;
  for (let i = start + 1; i < end - 1; i++) {
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    if ((c === Ch.Slash && d === Ch.Star) || (c === Ch.Minus && d === Ch.Minus)) {
      end = i;
      break;
    }
  }
  let length = end - start;
  const lastChar = text.charCodeAt(end - 1);
  if (length > 1 && (lastChar === Ch.Plus || lastChar === Ch.Minus)) {
    let qualifies = false;
    for (let i = end - 2; i >= start; i--) {
      const c = text.charCodeAt(i);
      if (
        c === Ch.Tilde ||
        c === Ch.Bang ||
        c === Ch.At ||
        c === Ch.Hash ||
        c === Ch.Caret ||
        c === Ch.Ampersand ||
        c === Ch.Pipe ||
        c === Ch.Backtick ||
        c === Ch.Question ||
        c === Ch.Percent
      ) {
        qualifies = true;
        break;
      }
    }
    if (!qualifies) {
      do length--;
      while (length > 1 && (text.charCodeAt(start + length - 1) === Ch.Plus || text.charCodeAt(start + length - 1) === Ch.Minus));
    }
  }
  if (length >= 64) return near("operator too long", start, start + length);
  return start + length;
}

/**
 * A numeric literal from `start` (a digit, or a dot before a digit), by flex's rule:
 * the longest match among decinteger, hex/oct/bininteger, numeric, real and their
 * failure and trailing-junk patterns, the earlier rule winning a tie.
 */
function scanNumber(text: string, start: number, n: number): number {
  let best: number; // end of the longest match so far
  let token: number; // end of the token it makes, or an error (below)
  let decEnd = start;
  let decUnderscore = false;
  let numericEnd = -1;
  let fractionUnderscore = false;
  if (text.charCodeAt(start) === Ch.Dot) {
    numericEnd = decimalEnd(text, start + 1, n);
    fractionUnderscore = decimalUnderscore;
    best = numericEnd;
    token = numericEnd;
  } else {
    decEnd = decimalEnd(text, start, n);
    decUnderscore = decimalUnderscore;
    best = decEnd;
    token = decEnd;
    const x = text.charCodeAt(start + 1);
    if (text.charCodeAt(start) === Ch.Zero && start + 1 < n) {
      const radix = x === Ch.LowerX || x === Ch.UpperX ? 16 : x === Ch.LowerO || x === Ch.UpperO ? 8 : x === Ch.LowerB || x === Ch.UpperB ? 2 : 0;
      if (radix !== 0) {
        const radixEnd = radixIntegerEnd(text, start + 2, n, radix);
        if (radixEnd > best) {
          best = radixEnd;
          token = radixEnd;
        }
        // hexfail, octfail, binfail: 0[xX]_?
        const failEnd = start + 2 < n && text.charCodeAt(start + 2) === Ch.Underscore ? start + 3 : start + 2;
        if (failEnd > best) {
          best = failEnd;
          token = radix === 16 ? INVALID_HEX : radix === 8 ? INVALID_OCTAL : INVALID_BINARY;
        }
      }
    }
    if (decEnd < n && text.charCodeAt(decEnd) === Ch.Dot) {
      if (decEnd + 1 < n && text.charCodeAt(decEnd + 1) === Ch.Dot) {
        // numericfail: "1..10" is the integer, then "..".
        if (decEnd + 2 > best) {
          best = decEnd + 2;
          token = decEnd;
        }
      } else {
        numericEnd = decEnd + 1;
        if (decEnd + 1 < n && isDigit(text.charCodeAt(decEnd + 1))) {
          numericEnd = decimalEnd(text, decEnd + 1, n);
          fractionUnderscore = decimalUnderscore;
        }
        if (numericEnd > best) {
          best = numericEnd;
          token = numericEnd;
        }
      }
    }
  }
  // real: ({decinteger}|{numeric})[Ee][-+]?{decinteger}; realfail without the digits.
  const mantissaEnd = numericEnd >= 0 ? numericEnd : decEnd;
  let realEnd = -1;
  let exponentUnderscore = false;
  const e = text.charCodeAt(mantissaEnd);
  if ((e === Ch.LowerE || e === Ch.UpperE) && mantissaEnd < n) {
    let k = mantissaEnd + 1;
    const sign = text.charCodeAt(k);
    const signed = k < n && (sign === Ch.Plus || sign === Ch.Minus);
    if (signed) k++;
    if (k < n && isDigit(text.charCodeAt(k))) {
      realEnd = decimalEnd(text, k, n);
      exponentUnderscore = decimalUnderscore;
      if (realEnd > best) {
        best = realEnd;
        token = realEnd;
      }
    } else if (signed && k > best) {
      best = k;
      token = TRAILING_JUNK;
    }
  }
  // integer_junk, numeric_junk, real_junk: {decinteger}{identifier} and the like.
  // The identifier may begin at an underscore inside the digits ("1_0$" is "1" and
  // "_0$"), and runs on over letters, digits, underscores and dollars.
  const junkEnd = Math.max(
    decEnd > start ? junkAfter(text, decEnd, n, decUnderscore) : -1,
    numericEnd >= 0 ? junkAfter(text, numericEnd, n, fractionUnderscore) : -1,
    realEnd >= 0 ? junkAfter(text, realEnd, n, exponentUnderscore) : -1,
  );
  if (junkEnd > best) {
    best = junkEnd;
    token = TRAILING_JUNK;
  }
  if (token >= 0) return token;
  const message =
    token === TRAILING_JUNK
      ? "trailing junk after numeric literal"
      : token === INVALID_HEX
        ? "invalid hexadecimal integer"
        : token === INVALID_OCTAL
          ? "invalid octal integer"
          : "invalid binary integer";
  return near(message, start, best);
}

const TRAILING_JUNK = -1;
const INVALID_HEX = -2;
const INVALID_OCTAL = -3;
const INVALID_BINARY = -4;

/**
 * The end of a trailing-junk match after digits ending at `end`: an identifier that
 * starts at `end`, or at an underscore among the digits, when `underscore`. -1 if none.
 */
function junkAfter(text: string, end: number, n: number, underscore: boolean): number {
  if (!underscore && (end >= n || !isIdentStart(text.charCodeAt(end)))) return -1;
  let k = end;
  while (k < n && isIdentCont(text.charCodeAt(k))) k++;
  return k;
}

/** Whether the digits decimalEnd last scanned hold an underscore. */
let decimalUnderscore = false;

/** decinteger: {decdigit}(_?{decdigit})*, from a digit at `i`. */
function decimalEnd(text: string, i: number, n: number): number {
  decimalUnderscore = false;
  i++;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) i++;
    else if (c === Ch.Underscore && i + 1 < n && isDigit(text.charCodeAt(i + 1))) {
      decimalUnderscore = true;
      i += 2;
    } else break;
  }
  return i;
}

/** (_?{digit})+ in the radix after 0x/0o/0b at `i`: the end, or -1 when nothing matches. */
function radixIntegerEnd(text: string, i: number, n: number, radix: number): number {
  const begin = i;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isRadixDigit(c, radix)) i++;
    else if (c === Ch.Underscore && i + 1 < n && isRadixDigit(text.charCodeAt(i + 1), radix)) i += 2;
    else break;
  }
  return i > begin ? i : -1;
}

function isRadixDigit(c: number, radix: number): boolean {
  if (radix === 16) return isHexDigit(c);
  if (radix === 8) return c >= Ch.Zero && c <= Ch.Seven;
  return c === Ch.Zero || c === Ch.Zero + 1;
}
