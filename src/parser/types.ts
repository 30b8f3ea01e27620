import type { Node } from "@pgsql/types";
import type { Location, Range, SourceText } from "../source/source-text.js";
import type { NodeKind, NodeOf } from "./node-types.js";

export type { NodeKind, NodeOf } from "./node-types.js";

/** A libpg-query AST node without its type wrapper, e.g. the contents of `{ DropStmt: {...} }`, when its type is not known. */
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

/** A statement of a given kind: its `node` is typed. */
export interface StatementOf<K extends NodeKind> extends StatementBase {
  /** The AST node type, e.g. "AlterTableStmt". */
  kind: K;
  node: NodeOf<K>;
}

/** Any statement: checking `kind` narrows `node` to that kind's fields. */
export type Statement = { [K in NodeKind]: StatementOf<K> }[NodeKind];

interface StatementBase {
  /** Position in `ParsedFile.statements`. */
  index: number;
  range: Range;
  loc: Location;
  text: string;
  /** Tokens of the statement itself, comments inside it included, the final `;` excluded. */
  readonly tokens: Token[];
  /** The first `count` tokens of code (no comments) at or after string index `from`. */
  codeTokensFrom(from: number, count: number): Token[];
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
  /**
   * The statements the EXECUTE can run, when its expression shows them (format('ALTER TABLE %I RENAME TO %I', …),
   * `'DROP TABLE ' || quote_ident(t)`, variables assigned such expressions in the block), run-time values as placeholders.
   */
  runs?: readonly Node[];
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
