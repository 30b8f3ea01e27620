import fs from "node:fs";
import { lintSource } from "../engine/lint-source.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import type { Fix } from "../engine/rule.js";
import { parseFile } from "../parser/parse-file.js";
import { writeFileAtomic, WriteRefused, type WritePolicy } from "../files/write-file.js";

/** Fixes can uncover further fixes; like ESLint, stop after this many rounds. */
const MAX_PASSES = 10;
const BOM = "\uFEFF";

export interface AppliedFixes {
  text: string;
  applied: number;
}

/**
 * Applies the fixes that do not overlap, from the end of the text backwards so
 * that earlier ranges stay valid. When two fixes overlap (or insert at the same
 * place) the one that starts first wins; the other is left for a later pass.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): AppliedFixes {
  const sorted = [...fixes].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
  const accepted: Fix[] = [];
  for (const fix of sorted) {
    const { start, end } = fix.range;
    if (start < 0 || end < start || end > text.length) continue;
    const previous = accepted[accepted.length - 1];
    if (previous) {
      const previousEmpty = previous.range.start === previous.range.end;
      if (start < previous.range.end) continue;
      if (start === previous.range.end && (previousEmpty || start === end)) continue;
    }
    accepted.push(fix);
  }
  let result = text;
  for (let i = accepted.length - 1; i >= 0; i--) {
    const fix = accepted[i]!;
    result = result.slice(0, fix.range.start) + fix.text + result.slice(fix.range.end);
  }
  return { text: result, applied: accepted.length };
}

export type FixPlan =
  | { kind: "nothing" }
  /** `note` when some fixes were held back because they would break the SQL. */
  | { kind: "fixed"; text: string; applied: number; note?: string }
  | { kind: "skipped"; reason: string };

/**
 * Works out a file's fixed text in memory: applies the fixes, re-lints, and
 * repeats while new fixes appear. A round whose result no longer parses is
 * dropped. Files that could not be read or parsed are never fixed.
 */
export function planFixes(result: FileResult, options: LintOptions): FixPlan {
  if (result.errors.length > 0 || result.text === undefined) return { kind: "nothing" };
  let current = result;
  let text = result.text;
  let applied = 0;
  let broken: string | undefined;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const fixes = current.findings.flatMap((finding) => (finding.fix ? [finding.fix] : []));
    if (fixes.length === 0) break;
    const next = applyFixes(text, fixes);
    if (next.applied === 0 || next.text === text) break;
    const error = parseFile(next.text).errors[0];
    if (error) {
      broken = `the fixed SQL would not parse (${error.loc.start.line}:${error.loc.start.column} ${error.message})`;
      break;
    }
    text = next.text;
    applied += next.applied;
    current = lintSource(text, result.filePath, options);
  }
  if (applied === 0) return broken ? { kind: "skipped", reason: broken } : { kind: "nothing" };
  return { kind: "fixed", text, applied, ...(broken ? { note: `some fixes were not applied: ${broken}` } : {}) };
}

export interface FixOutcome {
  filePath: string;
  /** Problems fixed in the file written; 0 when it was not written. */
  applied: number;
  /** Why the file was not fixed, or not fully. */
  note?: string;
  /** The fixes could not be written (refused, or the write failed): what was asked was not done. */
  failed?: true;
}

/**
 * Plans and writes the fixes of every file; returns only the files that had something
 * to fix. Each file is written whole or not at all, and the event loop gets a turn
 * between files, so that SIGINT or SIGTERM (see signals.ts) stops the run between two writes.
 */
export async function fixFiles(
  results: readonly FileResult[],
  optionsOf: (filePath: string) => LintOptions,
  { policy = {}, unwritable = () => undefined }: { policy?: WritePolicy; unwritable?: (filePath: string) => string | undefined } = {},
): Promise<FixOutcome[]> {
  const outcomes: FixOutcome[] = [];
  for (const result of results) {
    const plan = planFixes(result, optionsOf(result.filePath));
    if (plan.kind === "nothing") continue;
    const refused = unwritable(result.filePath);
    if (refused !== undefined) {
      outcomes.push({ filePath: result.filePath, applied: 0, note: `not fixed: ${refused}`, failed: true });
      continue;
    }
    if (plan.kind === "skipped") {
      outcomes.push({ filePath: result.filePath, applied: 0, note: `not fixed: ${plan.reason}` });
      continue;
    }
    try {
      // The BOM is taken from the file itself: the text that was linted has none.
      const current = fs.readFileSync(result.filePath, "utf8");
      const bom = current.startsWith(BOM) ? BOM : "";
      if (current.slice(bom.length) !== result.text) throw new ChangedMeanwhile();
      writeFileAtomic(result.filePath, bom + plan.text, policy);
      outcomes.push({ filePath: result.filePath, applied: plan.applied, ...(plan.note ? { note: plan.note } : {}) });
    } catch (error) {
      const changed = error instanceof ChangedMeanwhile;
      outcomes.push({ filePath: result.filePath, applied: 0, note: `not fixed: ${describeWriteError(error)}`, ...(changed ? {} : { failed: true as const }) });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return outcomes;
}

class ChangedMeanwhile extends Error {}

function describeWriteError(error: unknown): string {
  if (error instanceof ChangedMeanwhile) return "the file changed while it was being linted";
  if (error instanceof WriteRefused) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") return "cannot write the file (permission denied)";
  if (code === "EROFS") return "cannot write the file (read-only file system)";
  if (code === "ENOENT") return "the file is gone";
  return `cannot write the file (${code ?? (error instanceof Error ? error.message : String(error))})`;
}
