/**
 * The only module that talks to libpg-query. The WASM module is loaded once per
 * process; everything after `loadParser()` is synchronous.
 */
import * as pg from "libpg-query";

let loading: Promise<void> | undefined;

export function loadParser(): Promise<void> {
  loading ??= pg.loadModule();
  return loading;
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
    const result = withControlCharacterWorkaround(sql, (text) => pg.parseSync(text)) as unknown as { stmts?: RawStatement[] };
    return { ok: true, statements: result.stmts ?? [] };
  } catch (error) {
    return { ok: false, error: toSyntaxError(error) };
  }
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0001-\u0008\u000B\u000C\u000E-\u001F]/g;

/**
 * libpg-query hands its result over as JSON and does not escape control characters
 * inside identifiers and strings, so a legal `"a<ESC>b"` fails as "Bad control character
 * in string literal in JSON". Retry with each such character replaced by a space: same
 * length in bytes, so every offset stays true.
 */
function withControlCharacterWorkaround<T>(sql: string, parse: (text: string) => T): T {
  try {
    return parse(sql);
  } catch (error) {
    if (!(error instanceof SyntaxError) || sql.search(CONTROL_CHARACTERS) < 0) throw error;
    return parse(sql.replace(CONTROL_CHARACTERS, " "));
  }
}

export interface RawToken {
  start: number;
  end: number;
  text: string;
  tokenName: string;
  keywordName: string;
}

export type ScanOutcome =
  | { ok: true; tokens: RawToken[] }
  | { ok: false; error: PgSyntaxError };

export function scanSql(sql: string): ScanOutcome {
  try {
    return { ok: true, tokens: withControlCharacterWorkaround(sql, (text) => pg.scanSync(text)).tokens };
  } catch (error) {
    // libpg-query's scanner reports lexer errors (unterminated literals) as broken
    // JSON; the parser reports the same error with a position, so ask it.
    const parsed = parseSql(sql);
    if (!parsed.ok) return { ok: false, error: parsed.error };
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
  if (pg.hasSqlDetails(error) && error.sqlDetails) {
    const cursor = error.sqlDetails.cursorPosition;
    return {
      message: error.sqlDetails.message,
      codePointOffset: typeof cursor === "number" && cursor >= 0 ? cursor : undefined,
    };
  }
  return { message: error instanceof Error ? error.message : String(error), codePointOffset: undefined };
}
