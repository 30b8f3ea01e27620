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
    const result = pg.parseSync(sql) as unknown as { stmts?: RawStatement[] };
    return { ok: true, statements: result.stmts ?? [] };
  } catch (error) {
    return { ok: false, error: toSyntaxError(error) };
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
    return { ok: true, tokens: pg.scanSync(sql).tokens };
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
