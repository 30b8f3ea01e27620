import * as pg from "libpg-query";
import { expect } from "vitest";
import { lex, type LexToken } from "../../src/parser/lexer.js";
import type { TokenType } from "../../src/parser/types.js";
import { SourceText } from "../../src/source/source-text.js";

// What the lexer tests hold lex against: libpg-query's scanSync (PostgreSQL's own scanner, standard_conforming_strings on).

export interface ScanToken {
  start: number;
  end: number;
  text: string;
  tokenName: string;
  keywordName: string;
}

const STRING_TOKENS = new Set(["SCONST", "USCONST", "BCONST", "XCONST"]);

/**
 * tokens.ts's mapping of scanSync's tokens to TokenType. scanSync names bit strings, hex
 * strings, U&'' strings and U&"" identifiers UNKNOWN; lex types them by what they are.
 */
function tokenType(token: ScanToken): TokenType {
  const name = token.tokenName;
  if (name === "UNKNOWN" && token.keywordName === "NO_KEYWORD") {
    if (/^([bBxX]|[uU]&)'/.test(token.text)) return "string";
    if (/^[uU]&"/.test(token.text)) return "identifier";
  }
  if (name === "SQL_COMMENT") return "line-comment";
  if (name === "C_COMMENT") return "block-comment";
  if (STRING_TOKENS.has(name)) return "string";
  if (name === "IDENT" || name === "UIDENT") return "identifier";
  if (name === "ICONST" || name === "FCONST") return "number";
  if (token.keywordName !== "NO_KEYWORD") return "keyword";
  if (name.startsWith("ASCII_")) return "punctuation";
  return "other";
}

/**
 * scanSync's tokens with string indices, or undefined when it throws (a lexer error).
 * \v and \f become spaces first: libpg-query puts them raw into its JSON, which then
 * fails to parse; both are whitespace to scan.l, horizontal whitespace in particular,
 * and one byte like a space, so tokens and offsets stay the same.
 */
export function scan(text: string): LexToken[] | undefined {
  const source = new SourceText(text);
  if (source.text === "") return [];
  let raw: ScanToken[];
  try {
    raw = (pg.scanSync(source.text.replace(/[\v\f]/g, " ")) as unknown as { tokens: ScanToken[] }).tokens;
  } catch {
    return undefined;
  }
  return raw.map((token) => ({ start: source.charIndex(token.start), end: source.charIndex(token.end), type: tokenType(token) }));
}

export /** Compares lex with scanSync token by token; returns the number of tokens compared. */
function expectSameAsScanSync(text: string, label: string): number {
  const expected = scan(text);
  const source = new SourceText(text);
  const actual = lex(source.text);
  if (expected === undefined) {
    expect(actual.error, `${label}: scanSync failed, lex must fail too`).toBeDefined();
    return 0;
  }
  expect(actual.error, label).toBeUndefined();
  if (actual.tokens.length === expected.length) {
    // Fast path: one assertion per file unless something differs.
    let same = true;
    for (let i = 0; i < expected.length && same; i++) {
      const a = actual.tokens[i]!;
      const b = expected[i]!;
      same = a.start === b.start && a.end === b.end && a.type === b.type;
    }
    if (same) return expected.length;
  }
  const render = (tokens: LexToken[]) => tokens.map((t) => `${t.start}-${t.end} ${t.type} ${JSON.stringify(source.text.slice(t.start, t.end))}`);
  expect(render(actual.tokens), label).toEqual(render(expected));
  return expected.length;
}

