/**
 * What the property tests of test/properties/ share: where a text's lines start (a line break
 * is \n, \r\n or a lone \r, as SourceText counts them), the comparable form of a finding, and a
 * file access that finds no rollback partner.
 */
import type { FileAccess } from "../../src/engine/lint-source.js";
import type { FileResult } from "../../src/engine/lint.js";
import { located, type Located } from "../helpers.js";

/** No file exists beside the linted one: no rollback partner, no forward migration. */
export const noFiles: FileAccess = { exists: () => false, read: () => undefined };

/** The 1-based line and column of string index `index` (a BOM is not a column: positions are counted without it). */
export function positionAt(text: string, index: number): { line: number; column: number } {
  const offset = text.startsWith("\uFEFF") ? 1 : 0;
  let line = 1;
  let lineStart = offset;
  for (let i = offset; i < index; i++) {
    const c = text[i];
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/** A finding as positions and words: what must not change when only line endings do. */
export interface Comparable extends Located {
  message: string;
}

export function comparable(result: FileResult): Comparable[] {
  return result.findings.map((finding) => ({ ...located(finding), message: finding.message }));
}

/** Internal errors of a result: `internal-error` findings, and a file-level "internal error" (the whole file lost). */
export function internalErrors(result: FileResult): string[] {
  return [
    ...result.findings.filter((finding) => finding.ruleId === "internal-error").map((finding) => `internal-error@${finding.loc.start.line}: ${finding.message}`),
    ...result.errors.filter((error) => error.message.includes("internal error")).map((error) => error.message),
  ];
}
