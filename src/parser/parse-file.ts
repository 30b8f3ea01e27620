import { indexOfCodePoint, SourceText, type Range } from "../source/source-text.js";
import { findDoBlocks } from "./do-blocks.js";
import { parseSql, type ParseOutcome, type RawStatement } from "./pg.js";
import { splitStatements, type TokenChunk } from "./split.js";
import { syntaxProblem } from "./syntax-hints.js";
import { escapeStringValue, lex } from "./lexer.js";
import { buildStatement } from "./statement.js";
import { StringReading } from "./string-reading.js";
import { isComment, materialize, tokenize, toComment } from "./tokens.js";
import type { Node } from "./node-types.js";
import type { Comment, ParsedFile, Statement, Token } from "./types.js";

export interface ParseOptions {
  /**
   * The database's standard_conforming_strings (default true). When false, or from a statement of the file that
   * turns it off, '...' strings read backslash escapes, as PostgreSQL reads them then.
   */
  standardConformingStrings?: boolean;
  /**
   * The file is run by psql (Sqitch): its variables (`:name`, `:'name'`, `:"name"`) are read as the name, a string
   * or a quoted name, which is what psql puts in their place, so that the file parses.
   */
  psqlVariables?: boolean;
}

/**
 * Turns a migration's text into statements. The whole file is parsed at once;
 * when that fails, it is split into statements with the lexer and each one is
 * parsed on its own, so one bad statement reports its own error and hides nothing.
 * libpg-query reads strings with standard_conforming_strings on: where it is off
 * (string-reading.ts), the rest of the file is split and parsed statement by statement.
 */
export function parseFile(input: string | SourceText, options: ParseOptions = {}): ParsedFile {
  const source = typeof input === "string" ? new SourceText(input) : input;
  const parsed: ParsedFile = { source, statements: [], doBlockStatements: [], dynamicSql: [], errors: [], comments: [] };
  if (source.text.trim() === "") return parsed;

  const configured = options.standardConformingStrings ?? true;
  const reading = new StringReading(configured);
  // The parser reads the text as goose and psql send it (same length, same positions); statements keep the file's own text.
  const sent = withGooseStatementEnds(options.psqlVariables ? withPsqlVariables(source) : source);
  const whole = configured ? parseSql(sent.text) : undefined;
  const from = whole?.ok ? readWholeParse(parsed, whole.statements, reading) : 0;
  if (from !== undefined) {
    const lexed = parseStatementByStatement(parsed, reading, from);
    if (reading.changed) refuseTwoReadings(parsed, lexed, from, configured);
  }

  attachComments(parsed.statements, parsed.comments, source);
  const doBlocks = findDoBlocks(parsed.statements, source);
  parsed.doBlockStatements = doBlocks.statements;
  parsed.dynamicSql = doBlocks.dynamicSql;
  if (doBlocks.errors.length > 0) parsed.errors = [...parsed.errors, ...doBlocks.errors].sort((a, b) => a.range.start - b.range.start);
  return parsed;
}

/** A psql variable: `:name`, `:'name'`, `:"name"`, not a cast (`::`) nor an array slice's bound (`[1:2]`). */
const PSQL_VARIABLE = /(?<![:\w\]])(:)(?=[A-Za-z_]|'[A-Za-z_][\w]*'|"[A-Za-z_][\w]*")/g;

/**
 * psql replaces each variable with its value before the server sees the SQL: the colon is read as a space, so that
 * `:"DBNAME"` is a quoted name, `:'x'` a string and `:x` a name, every position where it is. Only outside strings,
 * quoted names and comments (the lexer says where those are).
 */
function withPsqlVariables(source: SourceText): SourceText {
  if (!source.text.includes(":")) return source;
  const { tokens } = tokenize(source.text);
  // A colon of the code is a token of its own; one in a string, quoted name or comment is inside that token.
  const colons = new Set(tokens.filter((token) => token.text === ":").map((token) => token.start));
  const text = source.text.replace(PSQL_VARIABLE, (colon: string, _c: string, at: number) => (colons.has(at) ? " " : colon));
  return text === source.text ? source : new SourceText(source.hasBom ? `\uFEFF${text}` : text);
}

/** goose's marker that ends a statement sent whole (a function, a block): at the start of its line. */
const GOOSE_STATEMENT_END = /^([ \t]*)--([ \t]*)\+goose StatementEnd\b/gm;

/**
 * goose sends what lies between `-- +goose StatementBegin` and `-- +goose StatementEnd` as one statement, with or
 * without a closing semicolon: the marker ends it. The source is read with a `;` at each marker, in the place of one of
 * its characters (`;--+goose StatementEnd`), so that every position stays where it is.
 */
function withGooseStatementEnds(source: SourceText): SourceText {
  if (!source.text.includes("+goose StatementEnd")) return source;
  // Only a marker that is a line comment: not the same words in a string or a dollar-quoted body.
  const comments = new Set(tokenize(source.text).tokens.filter((token) => token.type === "line-comment").map((token) => token.start));
  const text = source.text.replace(GOOSE_STATEMENT_END, (marker: string, indent: string, _spaces: string, at: number) =>
    comments.has(at + indent.length) ? `${indent};--${marker.slice(indent.length + 3)}` : marker,
  );
  return text === source.text ? source : new SourceText(source.hasBom ? `\uFEFF${text}` : text);
}

/**
 * The statements of the whole file's parse, up to one that turns standard_conforming_strings off: returns the
 * string index after it (the rest reads differently), or undefined when every statement was taken.
 */
function readWholeParse(parsed: ParsedFile, raws: RawStatement[], reading: StringReading): number | undefined {
  const { source } = parsed;
  const text = source.text;
  // Token objects (with text) are made only for comments and for the statements a rule asks about.
  const lexed = lex(text).tokens;
  parsed.comments = lexed.filter(isComment).map((token) => toComment(materialize(token, text)));
  for (const raw of raws) {
    const startByte = raw.stmt_location ?? 0;
    const start = source.charIndex(startByte);
    const end = raw.stmt_len ? source.charIndex(startByte + raw.stmt_len) : text.length;
    let first = firstTokenAtOrAfter(lexed, start);
    while (first < lexed.length && isComment(lexed[first]!)) first++;
    let last = firstTokenAtOrAfter(lexed, end) - 1;
    while (last > first && (isComment(lexed[last]!) || text.charCodeAt(lexed[last]!.start) === SEMICOLON)) last--;
    if (first >= lexed.length || last < first) continue;
    const range = { start: lexed[first]!.start, end: lexed[last]!.end };
    let tokens: Token[] | undefined;
    const statement = buildStatement({
      raw,
      source,
      range,
      index: parsed.statements.length,
      indexOf: (location) => source.charIndex(location),
      tokens: () => (tokens ??= lexed.slice(first, last + 1).map((token) => materialize(token, text))),
    });
    if (statement) parsed.statements.push(statement);
    if (raw.stmt) reading.after(raw.stmt as Node);
    if (!reading.standardConformingStrings) {
      parsed.comments = parsed.comments.filter((comment) => comment.range.start < range.end);
      return range.end;
    }
  }
  return undefined;
}

const SEMICOLON = 59;

/** Index of the first token whose start is at or after `index` (tokens are sorted). */
function firstTokenAtOrAfter(tokens: readonly { start: number }[], index: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.start < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Splits the text from `from` into statements with the lexer and parses each one on its own. A statement that
 * changes how strings read ends the lexer's pass: the rest is lexed again as the next statement reads it.
 */
function parseStatementByStatement(parsed: ParsedFile, reading: StringReading, from: number): Range[] {
  const { source } = parsed;
  const lexed: Range[] = [];
  for (let start = from; ; ) {
    const standardConformingStrings = reading.standardConformingStrings;
    const { tokens, error: lexError } = tokenize(source.text, 0, { from: start, standardConformingStrings });
    const chunks = splitStatements(tokens);
    let unterminated: TokenChunk | undefined;
    if (lexError && chunks.length > 0 && !chunks[chunks.length - 1]!.terminated) unterminated = chunks.pop();
    let restart: number | undefined;
    for (const chunk of chunks) {
      const raw = parseChunk(parsed, tokens, chunk, standardConformingStrings);
      if (raw?.stmt) reading.after(raw.stmt as Node);
      if (reading.standardConformingStrings !== standardConformingStrings) {
        restart = tokens[chunk.last]!.end;
        break;
      }
    }
    for (const token of tokens) {
      if (restart !== undefined && token.start >= restart) break;
      lexed.push({ start: token.start, end: token.end });
      if (isComment(token)) parsed.comments.push(toComment(token));
    }
    if (restart !== undefined) {
      start = restart;
      continue;
    }
    if (lexError) {
      const at = unterminated ? tokens[unterminated.first]!.start : lexError.start;
      parsed.errors.push(syntaxProblem(source, lexError.message, source.text.slice(at), lexError.start, source.text.length));
    }
    return lexed;
  }
}

/**
 * A file that changes standard_conforming_strings splits into statements one way when each statement is read as
 * the one before it left the setting (psql), and another way when the whole file is read at once with the
 * database's setting (a runner that sends the file as one query): where the two differ, which statements run
 * depends on the runner, and the file is refused there as one that does not parse.
 */
function refuseTwoReadings(parsed: ParsedFile, lexed: readonly Range[], from: number, configured: boolean): void {
  const { source } = parsed;
  const whole = lex(source.text, { from, standardConformingStrings: configured });
  const count = Math.min(lexed.length, whole.tokens.length);
  let i = 0;
  while (i < count && lexed[i]!.start === whole.tokens[i]!.start && lexed[i]!.end === whole.tokens[i]!.end) i++;
  if (i === lexed.length && i === whole.tokens.length) return;
  const at = Math.min(lexed[i]?.start ?? source.text.length, whole.tokens[i]?.start ?? whole.error?.start ?? source.text.length);
  const message =
    "standard_conforming_strings changes earlier in this file, and from here the file splits into other statements when it is sent as one query " +
    "(as most migration runners send it) than when each statement is read after the one before it ran (as psql reads it): which statements run depends on the runner";
  parsed.errors.push(syntaxProblem(source, message, source.text.slice(at), at, source.text.length));
  parsed.errors.sort((a, b) => a.range.start - b.range.start);
}

/** Parses one statement the lexer split off; returns libpg-query's statement when it parsed. */
function parseChunk(parsed: ParsedFile, tokens: readonly Token[], chunk: TokenChunk, standardConformingStrings: boolean): RawStatement | undefined {
  const { source } = parsed;
  const range: Range = { start: tokens[chunk.first]!.start, end: tokens[chunk.last]!.end };
  const own = tokens.slice(chunk.first, chunk.last + 1);
  const text = source.slice(range);
  const rewritten = standardConformingStrings ? undefined : withStandardStrings(text, own, range.start);
  const parsedText = rewritten?.text ?? text;
  const toText = rewritten?.toOriginal ?? ((index: number) => index);
  const result: ParseOutcome = parseSql(parsedText);
  if (result.ok) {
    const raw = result.statements[0];
    const local = new SourceText(parsedText);
    const indexOf = (location: number) => range.start + toText(local.charIndex(location));
    const statement = raw && buildStatement({ raw, source, range, index: parsed.statements.length, indexOf, tokens: () => own });
    if (statement) parsed.statements.push(statement);
    return raw;
  }
  const errorAt = range.start + (result.error.codePointOffset === undefined ? 0 : toText(indexOfCodePoint(parsedText, result.error.codePointOffset)));
  parsed.errors.push(syntaxProblem(source, result.error.message, text, Math.min(errorAt, range.end), range.end));
  return undefined;
}

/**
 * A statement lexed with standard_conforming_strings off, for libpg-query (which reads strings with it on):
 * each '...' string that holds a backslash becomes the standard string of the same value. `toOriginal` maps a
 * string index of the new text back to the statement's text (a place inside a rewritten string to its start).
 */
function withStandardStrings(text: string, tokens: readonly Token[], offset: number): { text: string; toOriginal: (index: number) => number } | undefined {
  const rewrites: { start: number; end: number; newStart: number; newEnd: number }[] = [];
  let out = "";
  let copied = 0;
  for (const token of tokens) {
    if (token.type !== "string" || !token.text.startsWith("'") || !token.text.includes("\\")) continue;
    const start = token.start - offset;
    out += text.slice(copied, start);
    const literal = `'${escapeStringValue(token.text, 0, token.text.length).replaceAll("'", "''")}'`;
    rewrites.push({ start, end: token.end - offset, newStart: out.length, newEnd: out.length + literal.length });
    out += literal;
    copied = token.end - offset;
  }
  if (rewrites.length === 0) return undefined;
  out += text.slice(copied);
  const toOriginal = (index: number) => {
    let shift = 0;
    for (const rewrite of rewrites) {
      if (index < rewrite.newStart) break;
      if (index < rewrite.newEnd) return rewrite.start;
      shift = rewrite.end - rewrite.newEnd;
    }
    return index + shift;
  };
  return { text: out, toOriginal };
}

/**
 * Leading comments sit between the previous statement and this one; trailing
 * comments follow the statement's `;` on the same line.
 */
function attachComments(statements: Statement[], comments: readonly Comment[], source: SourceText): void {
  let next = 0;
  let previous: Statement | undefined;
  const isTrailing = (comment: Comment) => previous !== undefined && source.position(comment.range.start).line === previous.loc.end.line;
  for (const statement of statements) {
    const leading: Comment[] = [];
    for (; next < comments.length && comments[next]!.range.start < statement.range.start; next++) {
      const comment = comments[next]!;
      if (comment.range.start < (previous?.range.end ?? 0)) continue;
      if (isTrailing(comment)) previous!.trailingComments.push(comment);
      else leading.push(comment);
    }
    statement.leadingComments = leading;
    while (next < comments.length && comments[next]!.range.start < statement.range.end) next++;
    previous = statement;
  }
  for (; next < comments.length; next++) if (isTrailing(comments[next]!)) previous!.trailingComments.push(comments[next]!);
}
