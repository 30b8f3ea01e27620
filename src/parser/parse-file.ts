import { indexOfCodePoint, SourceText, type Range } from "../source/source-text.js";
import { findDoBlocks } from "./do-blocks.js";
import { parseSql, type RawStatement } from "./pg.js";
import { splitStatements, type TokenChunk } from "./split.js";
import { syntaxProblem } from "./syntax-hints.js";
import { lex } from "./lexer.js";
import { buildStatement } from "./statement.js";
import { isComment, materialize, tokenize, toComment } from "./tokens.js";
import type { Comment, ParsedFile, Statement, Token } from "./types.js";

/**
 * Turns a migration's text into statements. The whole file is parsed at once;
 * when that fails, it is split into statements with the lexer and each one is
 * parsed on its own, so one bad statement reports its own error and hides nothing.
 */
export function parseFile(input: string | SourceText): ParsedFile {
  const source = typeof input === "string" ? new SourceText(input) : input;
  const parsed: ParsedFile = { source, statements: [], doBlockStatements: [], dynamicSql: [], errors: [], comments: [] };
  if (source.text.trim() === "") return parsed;

  const whole = parseSql(source.text);
  if (whole.ok) readWholeParse(parsed, whole.statements);
  else recoverStatementByStatement(parsed);

  attachComments(parsed.statements, parsed.comments, source);
  const doBlocks = findDoBlocks(parsed.statements, source);
  parsed.doBlockStatements = doBlocks.statements;
  parsed.dynamicSql = doBlocks.dynamicSql;
  if (doBlocks.errors.length > 0) parsed.errors = [...parsed.errors, ...doBlocks.errors].sort((a, b) => a.range.start - b.range.start);
  return parsed;
}

function readWholeParse(parsed: ParsedFile, raws: RawStatement[]): void {
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
  }
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

function recoverStatementByStatement(parsed: ParsedFile): void {
  const { source } = parsed;
  const { tokens, error: lexError } = tokenize(source.text);
  parsed.comments = tokens.filter(isComment).map(toComment);
  const chunks = splitStatements(tokens);
  let unterminated: TokenChunk | undefined;
  if (lexError && chunks.length > 0 && !chunks[chunks.length - 1]!.terminated) unterminated = chunks.pop();

  for (const chunk of chunks) {
    const range: Range = { start: tokens[chunk.first]!.start, end: tokens[chunk.last]!.end };
    const text = source.slice(range);
    const result = parseSql(text);
    const local = new SourceText(text);
    if (result.ok) {
      const raw = result.statements[0];
      const indexOf = (location: number) => range.start + local.charIndex(location);
      const own = tokens.slice(chunk.first, chunk.last + 1);
      const statement = raw && buildStatement({ raw, source, range, index: parsed.statements.length, indexOf, tokens: () => own });
      if (statement) parsed.statements.push(statement);
      continue;
    }
    const errorAt = range.start + (result.error.codePointOffset === undefined ? 0 : indexOfCodePoint(text, result.error.codePointOffset));
    parsed.errors.push(syntaxProblem(source, result.error.message, text, Math.min(errorAt, range.end), range.end));
  }

  if (lexError) {
    const start = unterminated ? tokens[unterminated.first]!.start : lexError.start;
    const text = source.text.slice(start);
    parsed.errors.push(syntaxProblem(source, lexError.message, text, lexError.start, source.text.length));
  }
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
