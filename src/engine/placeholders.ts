import type { Range, SourceText } from "../source/source-text.js";
import type { FatalError, FileResult, Finding } from "./results.js";

/** A `placeholders` entry: matches of `pattern` (a regular expression's source) become `replacement`. */
export interface Placeholder {
  pattern: string;
  replacement: string;
}

/** Why a pattern cannot be used, or undefined. */
export function placeholderProblem(pattern: string): string | undefined {
  try {
    if (new RegExp(pattern, "u").test("")) return "the regular expression matches empty text";
    return undefined;
  } catch (error) {
    return `not a valid regular expression (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Templates are short: a longer line (data) is not searched for placeholders. */
export const MAX_PLACEHOLDER_LINE = 10_000;

/** The lines of `text` (without their line feed) that placeholders are searched in, each with its start. */
function searchableLines(text: string): { start: number; text: string }[] {
  const lines: { start: number; text: string }[] = [];
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf("\n", start);
    const end = newline < 0 ? text.length : newline;
    if (end - start <= MAX_PLACEHOLDER_LINE) lines.push({ start, text: text.slice(start, end) });
    start = end + 1;
  }
  return lines;
}

/** The index of the first of the sorted, disjoint ranges that ends after `index`. */
function firstEndingAfter(ranges: readonly { to: number }[], index: number): number {
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ranges[middle]!.to <= index) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A replaced match: where it was in the original text and where its replacement is in the new one. */
interface Replaced {
  from: number;
  to: number;
  newFrom: number;
  newTo: number;
}

/** Template text replaced so that the file parses, and the way back to the original's positions. */
export class Substitution {
  private constructor(
    /** The text to lint. */
    readonly text: string,
    private readonly replaced: readonly Replaced[],
  ) {}

  /**
   * Replaces the matches of every placeholder in `text` (an earlier entry wins where
   * matches overlap); undefined when nothing matched. A pattern searches one line at a
   * time, and no line longer than MAX_PLACEHOLDER_LINE: what it runs on is bounded even if
   * a pattern that backtracks slipped past the configuration's check.
   */
  static of(text: string, placeholders: readonly Placeholder[]): Substitution | undefined {
    // Sorted and disjoint, so that each new match is placed (or found overlapping) by a binary search.
    const matches: { from: number; to: number; replacement: string }[] = [];
    const lines = searchableLines(text);
    for (const { pattern, replacement } of placeholders) {
      const regex = new RegExp(pattern, "gu");
      for (const line of lines) {
        for (const match of line.text.matchAll(regex)) {
          const from = line.start + match.index;
          const to = from + match[0].length;
          const next = firstEndingAfter(matches, from);
          if (to > from && (next === matches.length || matches[next]!.from >= to)) matches.splice(next, 0, { from, to, replacement });
        }
      }
    }
    if (matches.length === 0) return undefined;
    let out = "";
    let last = 0;
    const replaced: Replaced[] = [];
    for (const { from, to, replacement } of matches) {
      out += text.slice(last, from);
      replaced.push({ from, to, newFrom: out.length, newTo: out.length + replacement.length });
      out += replacement;
      last = to;
    }
    return new Substitution(out + text.slice(last), replaced);
  }

  /** A range in the substituted text as a range of the original: a replacement stands for its whole match. */
  originalRange(range: Range): Range {
    return { start: this.original(range.start, "start"), end: this.original(range.end, "end") };
  }

  /** Whether a range of the substituted text touches a replacement. */
  touchesReplacement(range: Range): boolean {
    return this.replaced.some((r) => range.start < r.newTo && range.end > r.newFrom);
  }

  private original(index: number, side: "start" | "end"): number {
    let shift = 0;
    for (const r of this.replaced) {
      if (index < r.newFrom || (side === "end" && index === r.newFrom)) break;
      if (index < r.newTo || (side === "end" && index === r.newTo)) return side === "start" ? r.from : r.to;
      shift = r.to - r.newTo;
    }
    return index + shift;
  }
}

/**
 * A result linted from the substituted text, in terms of the original: ranges and
 * positions moved back, the original text, and no fix that would edit a replacement
 * (the file holds the template, not the SQL that stood for it).
 */
export function resultInOriginal(result: FileResult, substitution: Substitution, original: SourceText): FileResult {
  const locate = (range: Range) => {
    const moved = substitution.originalRange(range);
    return { range: moved, loc: original.location(moved) };
  };
  const findings = result.findings.map((finding): Finding => {
    const { fix, ...rest } = finding;
    const moved = { ...rest, ...locate(finding.range) };
    if (!fix || substitution.touchesReplacement(fix.range)) return moved;
    return { ...moved, fix: { ...fix, range: substitution.originalRange(fix.range) } };
  });
  const errors = result.errors.map((error): FatalError => (error.range ? { ...error, ...locate(error.range) } : error));
  return { ...result, findings, errors, text: original.text };
}
