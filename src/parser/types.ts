import type { Location, Range, SourceText } from "../source/source-text.js";

/** A libpg-query AST node without its type wrapper, e.g. the contents of `{ DropStmt: {...} }`. */
export type AstNode = Record<string, unknown>;

export type TokenType = "line-comment" | "block-comment" | "string" | "identifier" | "keyword" | "number" | "punctuation" | "other";

export interface Token {
  /** String index range in the file. */
  start: number;
  end: number;
  text: string;
  type: TokenType;
  /** Upper-cased text of keywords; the text itself otherwise. */
  upper: string;
}

export interface Comment {
  kind: "line" | "block";
  range: Range;
  /** The whole comment as written, delimiters included. */
  text: string;
  /** The comment's body without `--` or the slash-star delimiters. */
  value: string;
}

export interface TransactionContext {
  /** True when the statement runs inside an explicit BEGIN ... COMMIT block of the file. */
  inTransaction: boolean;
  /** Index (in `ParsedFile.statements`) of the BEGIN that opened the block. */
  beginIndex?: number;
  /** Index of the COMMIT/ROLLBACK that closes the block, if the file closes it. */
  endIndex?: number;
}

export interface Statement {
  /** Position in `ParsedFile.statements`. */
  index: number;
  /** The AST node type, e.g. "AlterTableStmt". */
  kind: string;
  node: AstNode;
  range: Range;
  loc: Location;
  text: string;
  /** Tokens of the statement itself, comments inside it included, the final `;` excluded. */
  readonly tokens: Token[];
  /** The first `count` tokens of code (no comments) at or after string index `from`. */
  codeTokensFrom(from: number, count: number): Token[];
  transaction: TransactionContext;
  leadingComments: Comment[];
  trailingComments: Comment[];
  /** "do-block" for statements found inside the PL/pgSQL body of a DO statement. */
  origin: "file" | "do-block";
  /** For do-block statements: the DO statement. */
  parent?: Statement;
  /** String index in the file of an AST node's `location` (a UTF-8 byte offset into the text that was parsed). */
  indexOf(location: number): number;
}

export interface DynamicSql {
  /** The DO statement holding the EXECUTE. */
  parent: Statement;
  range: Range;
  loc: Location;
  text: string;
}

export interface SyntaxProblem {
  message: string;
  hint?: string;
  range: Range;
  loc: Location;
}

export interface ParsedFile {
  source: SourceText;
  /** Top-level statements that parsed, in file order. */
  statements: Statement[];
  /** Statements run by DO blocks, in file order. */
  doBlockStatements: Statement[];
  /** EXECUTE of dynamic SQL inside DO blocks. */
  dynamicSql: DynamicSql[];
  /** Statements that did not parse, each at the position PostgreSQL reported. */
  errors: SyntaxProblem[];
  comments: Comment[];
}
