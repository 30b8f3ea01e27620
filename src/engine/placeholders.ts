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
   * matches overlap); undefined when nothing matched.
   */
  static of(text: string, placeholders: readonly Placeholder[]): Substitution | undefined {
    const matches: { from: number; to: number; replacement: string }[] = [];
    for (const { pattern, replacement } of placeholders) {
      for (const match of text.matchAll(new RegExp(pattern, "gu"))) {
        const from = match.index;
        const to = from + match[0].length;
        if (to > from && !matches.some((other) => from < other.to && to > other.from)) matches.push({ from, to, replacement });
      }
    }
    if (matches.length === 0) return undefined;
    matches.sort((a, b) => a.from - b.from);
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
