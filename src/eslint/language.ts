/**
 * The ESLint language `migsafe/sql`: parses a migration with migsafe's parser, so that
 * ESLint can run migsafe's rules on `.sql` files and apply its own inline directives.
 */
import type { File, Language, OkParseResult, ParseResult } from "@eslint/core";
import { resolveSettings } from "../config/settings.js";
import { parseFile } from "../parser/parse-file.js";
import { loadParser } from "../parser/pg.js";
import type { ParsedFile, Statement } from "../parser/types.js";
import { SourceText } from "../source/source-text.js";
import { LANGUAGE_OPTIONS } from "./settings.js";
import { SqlSourceCode } from "./source-code.js";
import type { SqlLanguageOptions, SqlMigration, SqlStatementNode } from "./types.js";

// ESLint parses synchronously, and libpg-query's WASM module must be loaded before the first parse.
await loadParser();

export interface SqlParseResult extends OkParseResult<SqlMigration> {
  parsed: ParsedFile;
}

type SqlLanguage = Language<{ LangOptions: SqlLanguageOptions; Code: SqlSourceCode; RootNode: SqlMigration; Node: SqlMigration | SqlStatementNode }>;

function bodyText(file: File): string {
  return typeof file.body === "string" ? file.body : new TextDecoder().decode(file.body);
}

/** The tree for a parsed file: the root spans the whole text; DO blocks hold the statements they run. */
export function toTree(parsed: ParsedFile): SqlMigration {
  const { source } = parsed;
  const inner = new Map<Statement, SqlStatementNode[]>();
  const node = (statement: Statement): SqlStatementNode => {
    const result = { type: statement.kind, range: [statement.range.start, statement.range.end], loc: statement.loc, body: inner.get(statement) ?? [] };
    // Not enumerable: selectors such as `:has()` walk a node's enumerable keys, and a statement is no node.
    return Object.defineProperty(result, "statement", { value: statement, enumerable: false }) as SqlStatementNode;
  };
  for (const statement of parsed.doBlockStatements) {
    if (!statement.parent) continue;
    const siblings = inner.get(statement.parent) ?? [];
    siblings.push(node(statement));
    inner.set(statement.parent, siblings);
  }
  return {
    type: "SqlMigration",
    range: [0, source.text.length],
    loc: source.location({ start: 0, end: source.text.length }),
    body: parsed.statements.map(node),
    comments: parsed.comments.map((comment) => ({
      type: comment.kind === "line" ? "LineComment" : "BlockComment",
      value: comment.value,
      range: [comment.range.start, comment.range.end],
      loc: source.location(comment.range),
    })),
  };
}

export const sql: SqlLanguage = {
  fileType: "text",
  lineStart: 1,
  columnStart: 1,
  nodeTypeKey: "type",
  visitorKeys: { SqlMigration: ["body"] },
  defaultLanguageOptions: {},

  /** Throws, as ESLint expects of bad languageOptions: ESLint stops with the message, naming the config. */
  validateLanguageOptions(options) {
    const resolved = resolveSettings(options, LANGUAGE_OPTIONS);
    if (!resolved.ok) throw new TypeError(resolved.message);
  },

  /** Never throws: a syntax error (the first one in the file) becomes ESLint's fatal parse error at its position. */
  parse(file, context): ParseResult<SqlMigration> {
    try {
      const settings = resolveSettings(context.languageOptions, LANGUAGE_OPTIONS);
      const standardConformingStrings = settings.ok ? settings.settings.standardConformingStrings : undefined;
      const parsed = parseFile(new SourceText(bodyText(file)), { standardConformingStrings });
      const error = parsed.errors[0];
      if (error) {
        return { ok: false, errors: [{ message: error.hint ? `${error.message} (${error.hint})` : error.message, line: error.loc.start.line, column: error.loc.start.column }] };
      }
      const result: SqlParseResult = { ok: true, ast: toTree(parsed), parsed };
      return result;
    } catch (error) {
      return { ok: false, errors: [{ message: error instanceof Error ? error.message : String(error), line: 1, column: 1 }] };
    }
  },

  createSourceCode(file, input, context) {
    const { parsed } = input as SqlParseResult;
    return new SqlSourceCode({ text: parsed.source.text, ast: input.ast, parsed, languageOptions: context.languageOptions });
  },
};
