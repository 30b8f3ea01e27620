import { indexOfCodePoint, SourceText, type Range } from "../source/source-text.js";
import { findDoBlocks } from "./do-blocks.js";
import { parseSql, type RawStatement } from "./pg.js";
import { splitStatements, type TokenChunk } from "./split.js";
import { syntaxProblem } from "./syntax-hints.js";
import { isComment, lexAt, StatementTokens, tokenize, toComment } from "./tokens.js";
import { assignTransactions } from "./transactions.js";
import type { AstNode, Comment, ParsedFile, Statement, Token } from "./types.js";

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

  assignTransactions(parsed.statements);
  attachComments(parsed.statements, parsed.comments, source);
  const doBlocks = findDoBlocks(parsed.statements, source);
  parsed.doBlockStatements = doBlocks.statements;
  parsed.dynamicSql = doBlocks.dynamicSql;
  if (doBlocks.errors.length > 0) parsed.errors = [...parsed.errors, ...doBlocks.errors].sort((a, b) => a.range.start - b.range.start);
  return parsed;
}

const MAY_HOLD_COMMENT = /--|\/\*/;

/**
 * Lexing is as costly as parsing, and most of it would only re-read statements the
 * parser already delimited. So the lexer reads the text between statements only where
 * it may hold a comment, and a statement only when it may hold one; the other
 * statements are lexed the first time a rule asks for their tokens.
 */
function readWholeParse(parsed: ParsedFile, raws: RawStatement[]): void {
  const { source } = parsed;
  const charRanges = raws.map((raw) => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : source.byteLength;
    return { start: source.charIndex(start), end: source.charIndex(end) };
  });
  const comments = gapComments(source, charRanges);

  raws.forEach((raw, i) => {
    const { start, end } = charRanges[i]!;
    const text = source.text.slice(start, end);
    let range: Range;
    let tokens: Token[] | undefined;
    if (MAY_HOLD_COMMENT.test(text)) {
      tokens = lexAt(text, start);
      comments.push(...tokens.filter(isComment).map(toComment));
      const code = tokens.filter((token) => !isComment(token) && token.text !== ";");
      if (code.length === 0) return;
      range = { start: code[0]!.start, end: code[code.length - 1]!.end };
      tokens = tokens.filter((token) => token.start >= range.start && token.end <= range.end);
    } else {
      const trimmed = text.replace(/[\s;]+$/, "");
      if (trimmed === "") return;
      range = { start, end: start + trimmed.length };
    }
    const statement = makeStatement(raw, source, range, parsed.statements.length, (location) => source.charIndex(location), tokens);
    if (statement) parsed.statements.push(statement);
  });
  parsed.comments = comments.sort((a, b) => a.range.start - b.range.start);
}

/** Comments outside the statements: only the gaps that may hold one are lexed. */
function gapComments(source: SourceText, ranges: Range[]): Comment[] {
  const comments: Comment[] = [];
  let cursor = 0;
  for (const range of [...ranges, { start: source.text.length, end: source.text.length }]) {
    const gap = source.text.slice(cursor, range.start);
    if (MAY_HOLD_COMMENT.test(gap)) comments.push(...lexAt(gap, cursor).filter(isComment).map(toComment));
    cursor = Math.max(cursor, range.end);
  }
  return comments;
}

function makeStatement(
  raw: RawStatement,
  source: SourceText,
  range: Range,
  index: number,
  indexOf: (location: number) => number,
  tokens: Token[] | undefined,
): Statement | undefined {
  const wrapped = raw.stmt;
  if (!wrapped) return undefined;
  const kind = Object.keys(wrapped)[0]!;
  const text = source.slice(range);
  const lexed = new StatementTokens(text, range.start, tokens);
  return {
    index,
    kind,
    node: wrapped[kind] as AstNode,
    range,
    loc: source.location(range),
    text,
    get tokens() {
      return lexed.all;
    },
    codeTokensFrom: (from, count) => lexed.codeFrom(from, count),
    transaction: { inTransaction: false },
    leadingComments: [],
    trailingComments: [],
    origin: "file",
    indexOf,
  };
}

function recoverStatementByStatement(parsed: ParsedFile): void {
  const { source } = parsed;
  const { tokens, error: lexError } = tokenize(source);
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
      const statement = raw && makeStatement(raw, source, range, parsed.statements.length, indexOf, tokens.slice(chunk.first, chunk.last + 1));
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
