import type { Token } from "./types.js";
import { isComment } from "./tokens.js";

export interface TokenChunk {
  /** Index of the first code token of the statement. */
  first: number;
  /** Index of the last code token of the statement (before its `;`). */
  last: number;
  /** Whether a `;` ends the statement. */
  terminated: boolean;
}

/**
 * Splits a token stream into statements at top-level semicolons. Strings, dollar
 * quotes and comments are single tokens already; `BEGIN ATOMIC ... END` bodies
 * (SQL-standard function bodies) and parenthesised rule actions contain semicolons
 * that do not end the statement.
 */
export function splitStatements(tokens: readonly Token[]): TokenChunk[] {
  const chunks: TokenChunk[] = [];
  let first = -1;
  let last = -1;
  let atomicDepth = 0;
  let caseDepth = 0;
  let parenDepth = 0;
  let previousCode: Token | undefined;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (isComment(token)) continue;
    if (token.text === ";" && atomicDepth === 0 && parenDepth === 0) {
      if (first >= 0) chunks.push({ first, last, terminated: true });
      first = -1;
      last = -1;
      previousCode = token;
      continue;
    }
    if (first < 0) first = i;
    last = i;
    if (token.text === "(") parenDepth++;
    else if (token.text === ")" && parenDepth > 0) parenDepth--;
    if (token.type === "keyword") {
      if (token.upper === "ATOMIC" && previousCode?.upper === "BEGIN") atomicDepth++;
      else if (atomicDepth > 0 && token.upper === "CASE") caseDepth++;
      else if (atomicDepth > 0 && token.upper === "END") {
        if (caseDepth > 0) caseDepth--;
        else atomicDepth--;
      }
    }
    previousCode = token;
  }
  if (first >= 0) chunks.push({ first, last, terminated: false });
  return chunks;
}
