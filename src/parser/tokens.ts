import { indexOfCodePoint, SourceText } from "../source/source-text.js";
import { scanSql, type PgSyntaxError, type RawToken } from "./pg.js";
import type { Comment, Token, TokenType } from "./types.js";

export interface TokenizeResult {
  tokens: Token[];
  /** A lexer error (unterminated literal or comment); tokens stop before it. */
  error?: { message: string; start: number };
}

const STRING_TOKENS = new Set(["SCONST", "USCONST", "BCONST", "XCONST"]);
const IDENTIFIER_TOKENS = new Set(["IDENT", "UIDENT"]);
const NUMBER_TOKENS = new Set(["ICONST", "FCONST"]);

/**
 * Scans the text with PostgreSQL's lexer. Token positions are string indices in the
 * text, or wherever `toIndex` maps the lexer's byte offsets.
 */
export function tokenize(source: SourceText, toIndex: (byte: number) => number = (byte) => source.charIndex(byte)): TokenizeResult {
  if (source.text.trim() === "") return { tokens: [] };
  const scanned = scanSql(source.text);
  if (scanned.ok) return { tokens: convert(scanned.tokens, toIndex) };
  return tokenizeUpToError(source, scanned.error, toIndex);
}

function tokenizeUpToError(source: SourceText, error: PgSyntaxError, toIndex: (byte: number) => number): TokenizeResult {
  const errorStart = error.codePointOffset === undefined ? source.text.length : indexOfCodePoint(source.text, error.codePointOffset);
  const prefix = scanSql(source.text.slice(0, errorStart));
  const tokens = prefix.ok ? convert(prefix.tokens, toIndex) : [];
  return { tokens, error: { message: error.message, start: prefix.ok ? errorStart : 0 } };
}

function convert(raw: RawToken[], toIndex: (byte: number) => number): Token[] {
  const tokens: Token[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const token = raw[i]!;
    const start = toIndex(token.start);
    const end = toIndex(token.end);
    const type = tokenType(token);
    tokens[i] = { start, end, text: token.text, type, upper: type === "keyword" ? token.text.toUpperCase() : token.text };
  }
  return tokens;
}

function tokenType(token: RawToken): TokenType {
  const name = token.tokenName;
  if (name === "SQL_COMMENT") return "line-comment";
  if (name === "C_COMMENT") return "block-comment";
  if (STRING_TOKENS.has(name)) return "string";
  if (IDENTIFIER_TOKENS.has(name)) return "identifier";
  if (NUMBER_TOKENS.has(name)) return "number";
  if (token.keywordName !== "NO_KEYWORD") return "keyword";
  if (name.startsWith("ASCII_")) return "punctuation";
  return "other";
}

export function isComment(token: Token): boolean {
  return token.type === "line-comment" || token.type === "block-comment";
}

export function toComment(token: Token): Comment {
  if (token.type === "line-comment") {
    return { kind: "line", range: { start: token.start, end: token.end }, text: token.text, value: token.text.slice(2) };
  }
  const closed = token.text.endsWith("*/") && token.text.length >= 4;
  return {
    kind: "block",
    range: { start: token.start, end: token.end },
    text: token.text,
    value: token.text.slice(2, closed ? -2 : undefined),
  };
}


/** Lexes `text`, placed at `offset` in the file, with positions in the file. */
export function lexAt(text: string, offset: number): Token[] {
  const local = new SourceText(text);
  return tokenize(local, (byte) => offset + local.charIndex(byte)).tokens;
}

/**
 * A statement's tokens, lexed on demand: all of them, or just the few a rule
 * needs at one place (the keywords before a name, say), from a window of text.
 */
export class StatementTokens {
  private lexed: Token[] | undefined;

  constructor(
    private readonly text: string,
    private readonly offset: number,
    tokens?: Token[],
  ) {
    this.lexed = tokens;
  }

  get all(): Token[] {
    this.lexed ??= lexAt(this.text, this.offset);
    return this.lexed;
  }

  codeFrom(from: number, count: number): Token[] {
    if (this.lexed) return this.lexed.filter((token) => token.start >= from && !isComment(token)).slice(0, count);
    const local = Math.max(0, from - this.offset);
    for (let size = 128; ; size *= 4) {
      const end = Math.min(this.text.length, local + size);
      const complete = end === this.text.length;
      const cut = this.offset + end;
      // A token that reaches the window's end may continue past it.
      const code = lexAt(this.text.slice(local, end), this.offset + local).filter((token) => !isComment(token) && (complete || token.end < cut));
      if (code.length >= count || complete) return code.slice(0, count);
    }
  }
}
