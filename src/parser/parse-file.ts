import { indexOfCodePoint, SourceText, type Range } from "../source/source-text.js";
import { findDoBlocks } from "./do-blocks.js";
import { parseSql, type RawStatement } from "./pg.js";
import { splitStatements, type TokenChunk } from "./split.js";
import { syntaxProblem } from "./syntax-hints.js";
import { firstTokenAtOrAfter, isComment, tokenize, toComment } from "./tokens.js";
import { assignTransactions } from "./transactions.js";
import type { AstNode, Comment, ParsedFile, Statement, Token } from "./types.js";

/**
 * Turns a migration's text into statements. The whole file is parsed at once;
 * when that fails, it is split into statements with the lexer and each one is
 * parsed on its own, so one bad statement reports its own error and hides nothing.
 */
export function parseFile(input: string | SourceText): ParsedFile {
  const source = typeof input === "string" ? new SourceText(input) : input;
  const { tokens, error: lexError } = tokenize(source);
  const comments = tokens.filter(isComment).map(toComment);
  const parsed: ParsedFile = { source, statements: [], doBlockStatements: [], dynamicSql: [], errors: [], comments, tokens };
  if (!tokens.some((token) => !isComment(token)) && !lexError) return parsed;

  const whole = lexError ? undefined : parseSql(source.text);
  if (whole?.ok) {
    for (const raw of whole.statements) {
      const statement = statementFromWholeParse(raw, source, tokens, parsed.statements.length);
      if (statement) parsed.statements.push(statement);
    }
  } else {
    recoverStatementByStatement(parsed, lexError);
  }

  assignTransactions(parsed.statements);
  attachComments(parsed.statements, tokens, source);
  const doBlocks = findDoBlocks(parsed.statements, source);
  parsed.doBlockStatements = doBlocks.statements;
  parsed.dynamicSql = doBlocks.dynamicSql;
  if (doBlocks.errors.length > 0) parsed.errors = [...parsed.errors, ...doBlocks.errors].sort((a, b) => a.range.start - b.range.start);
  return parsed;
}

function statementFromWholeParse(raw: RawStatement, source: SourceText, tokens: Token[], index: number): Statement | undefined {
  const startByte = raw.stmt_location ?? 0;
  const startChar = source.charIndex(startByte);
  const endChar = raw.stmt_len ? source.charIndex(startByte + raw.stmt_len) : source.text.length;
  let first = firstTokenAtOrAfter(tokens, startChar);
  while (first < tokens.length && isComment(tokens[first]!)) first++;
  let last = firstTokenAtOrAfter(tokens, endChar) - 1;
  while (last > first && (isComment(tokens[last]!) || tokens[last]!.text === ";")) last--;
  if (first >= tokens.length || last < first) return undefined;
  return makeStatement(raw, source, tokens, first, last, index, (location) => source.charIndex(location));
}

function makeStatement(
  raw: RawStatement,
  source: SourceText,
  tokens: Token[],
  first: number,
  last: number,
  index: number,
  indexOf: (location: number) => number,
): Statement | undefined {
  const wrapped = raw.stmt;
  if (!wrapped) return undefined;
  const kind = Object.keys(wrapped)[0]!;
  const range: Range = { start: tokens[first]!.start, end: tokens[last]!.end };
  return {
    index,
    kind,
    node: wrapped[kind] as AstNode,
    range,
    loc: source.location(range),
    text: source.slice(range),
    tokens: tokens.slice(first, last + 1),
    transaction: { inTransaction: false },
    leadingComments: [],
    trailingComments: [],
    origin: "file",
    indexOf,
  };
}

function recoverStatementByStatement(parsed: ParsedFile, lexError: { message: string; start: number } | undefined): void {
  const { source, tokens } = parsed;
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
      const statement = raw && makeStatement(raw, source, tokens, chunk.first, chunk.last, parsed.statements.length, indexOf);
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
function attachComments(statements: Statement[], tokens: Token[], source: SourceText): void {
  let tokenIndex = 0;
  let pending: Comment[] = [];
  let previous: Statement | undefined;
  for (const statement of statements) {
    while (tokenIndex < tokens.length && tokens[tokenIndex]!.start < statement.range.start) {
      const token = tokens[tokenIndex]!;
      if (isComment(token) && token.start >= (previous?.range.end ?? 0)) {
        const comment = toComment(token);
        if (previous && source.position(comment.range.start).line === previous.loc.end.line) previous.trailingComments.push(comment);
        else pending.push(comment);
      }
      tokenIndex++;
    }
    statement.leadingComments = pending;
    pending = [];
    while (tokenIndex < tokens.length && tokens[tokenIndex]!.start < statement.range.end) tokenIndex++;
    previous = statement;
  }
  while (previous && tokenIndex < tokens.length) {
    const token = tokens[tokenIndex]!;
    if (isComment(token) && source.position(token.start).line === previous.loc.end.line) previous.trailingComments.push(toComment(token));
    tokenIndex++;
  }
}
