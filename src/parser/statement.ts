import type { Range, SourceText } from "../source/source-text.js";
import type { RawStatement } from "./pg.js";
import { codeTokensFrom } from "./tokens.js";
import type { NodeKind, Statement, Token } from "./types.js";

export interface StatementParts {
  raw: RawStatement;
  source: SourceText;
  range: Range;
  index: number;
  indexOf: (location: number) => number;
  /** The statement's tokens, made on first use. */
  tokens: () => Token[];
  /** Defaults to the source text of `range`. */
  text?: string;
  parent?: Statement;
}

/** A Statement from libpg-query's raw statement and where it stands in the file. */
export function buildStatement(parts: StatementParts): Statement | undefined {
  const wrapped = parts.raw.stmt;
  if (!wrapped) return undefined;
  const kind = Object.keys(wrapped)[0] as NodeKind;
  const { tokens, range, parent } = parts;
  // The one place a statement is made: libpg-query's `{ Kind: node }` pairs a kind with that kind's node.
  return {
    index: parts.index,
    kind,
    node: wrapped[kind] as never,
    range,
    loc: parts.source.location(range),
    text: parts.text ?? parts.source.slice(range),
    get tokens() {
      return tokens();
    },
    codeTokensFrom: (from, count) => codeTokensFrom(tokens(), from, count),
    leadingComments: [],
    trailingComments: [],
    origin: parent ? "do-block" : "file",
    ...(parent ? { parent } : {}),
    indexOf: parts.indexOf,
  } as Statement;
}
