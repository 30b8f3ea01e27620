import { indexOfCodePoint, SourceText, type Range } from "../source/source-text.js";
import { findDoBlocks } from "./do-blocks.js";
import { parseSql, type RawStatement } from "./pg.js";
import { splitStatements, type TokenChunk } from "./split.js";
import { syntaxProblem } from "./syntax-hints.js";
import { isComment, tokenize, toComment } from "./tokens.js";
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
 * parser already delimited. So the lexer reads the text between statements (for
 * comments), and a statement only when it may hold a comment; the other statements
 * are lexed the first time a rule asks for their tokens.
 */
function readWholeParse(parsed: ParsedFile, raws: RawStatement[]): void {
  const { source } = parsed;
  const byteRanges = raws.map((raw) => {
    const start = raw.stmt_location ?? 0;
    return { start, end: raw.stmt_len ? start + raw.stmt_len : source.byteLength };
  });
  const comments: Comment[] = gapTokens(source, byteRanges).filter(isComment).map(toComment);

  raws.forEach((raw, i) => {
    const start = source.charIndex(byteRanges[i]!.start);
    const end = source.charIndex(byteRanges[i]!.end);
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

/** Tokens outside the statements: the text is lexed with every statement blanked (byte for byte, so offsets hold). */
function gapTokens(source: SourceText, byteRanges: Range[]): Token[] {
  const text = source.text;
  let blanked = "";
  let cursor = 0;
  for (const byteRange of byteRanges) {
    const start = source.charIndex(byteRange.start);
    const end = source.charIndex(byteRange.end);
    const bytes = source.isAscii ? end - start : Buffer.byteLength(text.slice(start, end), "utf8");
    blanked += text.slice(cursor, start) + " ".repeat(bytes);
    cursor = end;
  }
  blanked += text.slice(cursor);
  if (blanked.trim() === "") return [];
  return tokenize(new SourceText(blanked), (byte) => source.charIndex(byte)).tokens;
}

/** Lexes a statement's text, with positions in the file. */
function lexAt(text: string, offset: number): Token[] {
  const local = new SourceText(text);
  return tokenize(local, (byte) => offset + local.charIndex(byte)).tokens;
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
  let lexed = tokens;
  return {
    index,
    kind,
    node: wrapped[kind] as AstNode,
    range,
    loc: source.location(range),
    text,
    get tokens() {
      lexed ??= lexAt(text, range.start);
      return lexed;
    },
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
