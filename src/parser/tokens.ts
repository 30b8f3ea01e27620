import { lex, type LexOptions, type LexToken } from "./lexer.js";
import type { Comment, Token } from "./types.js";

export interface TokenizeResult {
  tokens: Token[];
  /** A lexer error (unterminated literal or comment); tokens stop before it. */
  error?: { message: string; start: number };
}

/**
 * Lexes the text the way PostgreSQL's lexer does (src/parser/lexer.ts, tested token for
 * token against libpg-query's scanner). Positions are string indices in the text, plus
 * `offset` when the text sits at that place in a file.
 */
export function tokenize(text: string, offset = 0, options: LexOptions = {}): TokenizeResult {
  const lexed = lex(text, options);
  const tokens = lexed.tokens.map((token) => materialize(token, text, offset));
  return lexed.error ? { tokens, error: { message: lexed.error.message, start: lexed.error.start + offset } } : { tokens };
}

/** A lexer token with its text, as rules read it. */
export function materialize({ start, end, type }: LexToken, text: string, offset = 0): Token {
  const value = text.slice(start, end);
  return { start: start + offset, end: end + offset, text: value, type, upper: type === "keyword" ? value.toUpperCase() : value };
}

export function isComment(token: { type: Token["type"] }): boolean {
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


/** The first `count` tokens of code (no comments) at or after string index `from`. */
export function codeTokensFrom(tokens: readonly Token[], from: number, count: number): Token[] {
  const found: Token[] = [];
  for (const token of tokens) {
    if (found.length === count) break;
    if (token.start >= from && !isComment(token)) found.push(token);
  }
  return found;
}
