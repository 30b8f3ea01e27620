/**
 * Lints a TypeScript/JavaScript migration: the SQL embedded in it and its schema-builder
 * calls, with the SQL rules, reported in the source file's coordinates.
 *
 * The file's SQL is linted as one migration, in source order: SQL and builder calls of
 * the `up` function (and any outside `up`/`down`) first, then those of `down` as the
 * file's down section, so the rules know that `down` undoes what `up` created. The
 * down function is the rollback: `require-rollback` does not run on embedded SQL.
 */
import { lintParsed, type FatalError, type FileResult, type LintOptions } from "../engine/lint.js";
import { diskAccess, type FileAccess } from "../engine/lint-source.js";
import { runnerOf } from "../runners/file-runner.js";
import { parseFile } from "../parser/parse-file.js";
import { SourceText, type Range } from "../source/source-text.js";
import { findBuilderCalls } from "./builders.js";
import { extractFromProgram, normalizeTargets, parseScript, ScriptSyntaxError, type TargetSpec } from "./extract.js";

/** Files linted through extraction rather than as SQL. */
export const SCRIPT_EXTENSION = /\.(ts|mts|cts|js|mjs|cjs|tsx|jsx)$/i;

export interface EmbeddedOptions {
  /** Call sites holding SQL (default: DEFAULT_TARGETS). */
  targets?: readonly TargetSpec[];
  /** How the project's files are read, to tell which runner runs the migration (the disk by default). */
  files?: FileAccess;
}

interface Segment {
  sql: string;
  offsets: ArrayLike<number>;
  ends: ArrayLike<number>;
  /** Source index of the segment's start and end: where the separator after it maps. */
  range: [number, number];
  direction: "up" | "down" | undefined;
  /** For a builder call: the rules whose findings are kept; undefined for embedded SQL (all rules). */
  rules?: readonly string[];
  /** Where the segment starts in the combined SQL. */
  at: number;
}

export interface EmbeddedResult extends FileResult {
  /** How many SQL snippets and builder calls were linted. */
  snippets: number;
  builders: number;
}

export function lintEmbeddedSource(rawText: string, filePath: string, options: LintOptions, embedded: EmbeddedOptions = {}): EmbeddedResult {
  const source = new SourceText(rawText);
  const base = { filePath, text: source.text, hasBom: source.hasBom, snippets: 0, builders: 0 };
  let ast;
  try {
    ast = parseScript(source.text, filePath);
  } catch (error) {
    if (!(error instanceof ScriptSyntaxError)) throw error;
    const range = { start: error.index, end: error.index };
    return { ...base, findings: [], errors: [{ message: `not valid TypeScript/JavaScript: ${error.message}`, range, loc: source.location(range) }] };
  }

  const snippets = extractFromProgram(ast, source.text, normalizeTargets(embedded.targets));
  const builders = findBuilderCalls(ast, source.text);
  const all: Omit<Segment, "at">[] = [
    ...snippets.map((s) => ({ sql: s.sql, offsets: s.offsets, ends: s.ends, range: s.range, direction: s.direction })),
    ...builders.map((b) => ({ sql: b.sql, offsets: [], ends: [], range: b.range, direction: b.direction, rules: b.rules })),
  ];
  all.sort((a, b) => Number(a.direction === "down") - Number(b.direction === "down") || a.range[0] - b.range[0]);

  let combined = "";
  let downSectionStart: number | undefined;
  const segments: Segment[] = [];
  for (const segment of all) {
    if (segment.direction === "down" && downSectionStart === undefined) downSectionStart = combined.length;
    segments.push({ ...segment, at: combined.length });
    // A line break ends a trailing `--` comment; the `;` ends the snippet's last statement.
    combined += `${segment.sql}\n;\n`;
  }
  if (segments.length === 0) return { ...base, findings: [], errors: [] };

  const toSource = (index: number): number => {
    const segment = segmentAt(segments, index);
    if (!segment) return 0;
    const local = index - segment.at;
    return local <= segment.sql.length ? segment.offsets[local]! : segment.range[1];
  };
  const mapRange = (range: Range): Range => {
    // A builder call's SQL is not in the source: its findings cover the whole call.
    const segment = segmentAt(segments, range.start);
    if (segment?.rules) return { start: segment.range[0], end: segment.range[1] };
    const start = toSource(range.start);
    if (range.end <= range.start) return { start, end: start };
    const segment2 = segmentAt(segments, range.end - 1);
    const local = range.end - 1 - (segment2?.at ?? 0);
    const end = segment2 && local < segment2.sql.length ? segment2.ends[local]! : toSource(range.end - 1) + 1;
    return { start, end: Math.max(start, end) };
  };

  const parsed = parseFile(new SourceText(combined));
  const runner = runnerOf(filePath, source.text, embedded.files ?? diskAccess, options.settings);
  const result = lintParsed(parsed, filePath, { role: "forward", partnerPath: undefined, block: undefined, downSectionStart }, runner, embeddedOptions(options));

  const findings = result.findings.flatMap((finding) => {
    const segment = segmentAt(segments, finding.range.start);
    if (segment?.rules && !segment.rules.includes(finding.ruleId)) return [];
    const range = mapRange(finding.range);
    // Fixes edit SQL text: they do not apply to the source file.
    const { fix: _fix, ...rest } = finding;
    return [{ ...rest, range, loc: source.location(range) }];
  });
  findings.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end || a.ruleId.localeCompare(b.ruleId));
  const errors: FatalError[] = result.errors.map((error) => {
    if (!error.range) return error;
    const range = mapRange(error.range);
    return { ...error, message: `embedded SQL: ${error.message}`, range, loc: source.location(range) };
  });
  return { ...base, findings, errors, snippets: snippets.length, builders: builders.length };
}

function segmentAt(segments: readonly Segment[], index: number): Segment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  let found: Segment | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.at <= index) {
      found = segments[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

const withoutRollbackRule = new WeakMap<LintOptions, LintOptions>();

/** The run's options without require-rollback (a script migration's down() is not SQL migsafe reads), made once per run. */
function embeddedOptions(options: LintOptions): LintOptions {
  let derived = withoutRollbackRule.get(options);
  if (!derived) withoutRollbackRule.set(options, (derived = { ...options, severities: { ...options.severities, "require-rollback": "off" } }));
  return derived;
}
