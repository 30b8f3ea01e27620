/**
 * The only module that talks to libpg-query (through pg-wasm.ts). The WASM module is loaded once per
 * thread; everything after `loadParser()` is synchronous.
 */
import { lex } from "./lexer.js";
import * as pg from "./pg-wasm.js";

export function loadParser(): Promise<void> {
  return pg.loadModule();
}

export interface PgSyntaxError {
  message: string;
  /**
   * 0-based position in the parsed text counted in code points (PostgreSQL's
   * cursor position is in characters, not bytes), when PostgreSQL gave one.
   */
  codePointOffset: number | undefined;
}

export type RawStatement = { stmt?: Record<string, unknown>; stmt_location?: number; stmt_len?: number };

export type ParseOutcome =
  | { ok: true; statements: RawStatement[] }
  | { ok: false; error: PgSyntaxError };

export function parseSql(sql: string): ParseOutcome {
  try {
    const result = pg.parseSync(sql) as { stmts?: RawStatement[] };
    return { ok: true, statements: result.stmts ?? [] };
  } catch (error) {
    if (error instanceof SyntaxError && sql.search(CONTROL_CHARACTERS) >= 0) return parseWithControlCharacters(sql);
    return { ok: false, error: toSyntaxError(error) };
  }
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0001-\u0008\u000B\u000C\u000E-\u001F]/g;

/**
 * libpg-query hands its result (and its error messages) over as JSON without escaping
 * control characters, so a legal `"a<ESC>b"` fails as "Bad control character in string
 * literal in JSON". Inside literals and quoted identifiers, where PostgreSQL allows them,
 * each becomes a space (one byte, so every offset stays true); anywhere else PostgreSQL
 * rejects the character, and so does this, with PostgreSQL's message.
 */
function parseWithControlCharacters(sql: string): ParseOutcome {
  const stray = lex(sql).tokens.find((token) => token.type === "other" && sql.slice(token.start, token.end).search(CONTROL_CHARACTERS) >= 0);
  if (stray) {
    const codePointOffset = [...sql.slice(0, stray.start)].length;
    return { ok: false, error: { message: `syntax error at or near "${sql.slice(stray.start, stray.end)}"`, codePointOffset } };
  }
  try {
    const result = pg.parseSync(sql.replace(CONTROL_CHARACTERS, " ")) as { stmts?: RawStatement[] };
    return { ok: true, statements: result.stmts ?? [] };
  } catch (error) {
    return { ok: false, error: toSyntaxError(error) };
  }
}

export function parsePlpgsql(sql: string): { ok: true; tree: unknown } | { ok: false; error: PgSyntaxError } {
  try {
    return { ok: true, tree: pg.parsePlPgSQLSync(sql) };
  } catch (error) {
    return { ok: false, error: toSyntaxError(error) };
  }
}

function toSyntaxError(error: unknown): PgSyntaxError {
  // The parser's C code recurses over the tree, on the thread's stack: a very long operator chain or deep nesting exhausts it
  // (and pg-wasm.ts puts the parser back as loaded).
  if (error instanceof RangeError) return { message: "nested too deeply to parse: the parser ran out of stack space", codePointOffset: undefined };
  if (error instanceof pg.SqlError) {
    const cursor = error.cursorPosition;
    return { message: error.message, codePointOffset: cursor >= 0 ? cursor : undefined };
  }
  return { message: error instanceof Error ? error.message : String(error), codePointOffset: undefined };
}
