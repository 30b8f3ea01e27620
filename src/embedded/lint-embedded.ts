/**
 * Lints a TypeScript/JavaScript migration: the SQL embedded in it and its schema-builder
 * calls, with the SQL rules, reported in the source file's coordinates.
 *
 * Each migration function (`up`, `down`, and the hooks `migrationFunctions` names) is a section
 * of its own, a migration that the runner runs separately: the SQL and builder calls of each are
 * put together in source order, section after section (the up direction first), and the facts
 * know the sections. SQL outside them counts as the first up function's. The down direction is
 * the rollback: the rules know that `down` undoes what `up` created, and `require-rollback`
 * does not run on embedded SQL. What runs on other databases (see dialects.ts) is left out, and
 * a call whose SQL is built at run time is reported by `not-checked` instead of being linted.
 */
import { lintParsed, type FatalError, type FileResult, type LintOptions } from "../engine/lint.js";
import { diskAccess, type FileAccess } from "../engine/lint-source.js";
import { runnerOf } from "../runners/file-runner.js";
import type { Note } from "../engine/results.js";
import { fitLine, HELP_LIMIT, MESSAGE_LIMIT } from "../engine/wording.js";
import type { UncheckedSql } from "../engine/rule.js";
import type { GivenSection } from "../facts/index.js";
import { parseFile } from "../parser/parse-file.js";
import { SourceText, type Range } from "../source/source-text.js";
import notChecked from "../../rules/not-checked.js";
import { findBuilderCalls } from "./builders.js";
import { Dialects, otherDialectSyntax } from "./dialects.js";
import { extractFromProgram, normalizeTargets, parseScript, scanProgram, ScriptSyntaxError, type SqlSnippet, type TargetSpec } from "./extract.js";
import { HoleNames } from "./holes.js";

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
  /** The migration function the segment is in. */
  fn: string | undefined;
  callee: string;
  /** For a builder call: the rules whose findings are kept (undefined: all); its findings cover the whole call. */
  rules?: readonly string[];
  builder?: boolean;
  /** For a builder call: its SQL is what the library sends (see BuilderStatement.runnable). */
  runnable?: boolean;
  /** How many parts of the SQL are computed at run time. */
  placeholders: number;
  /** For a call whose SQL could not be read: why. */
  unchecked?: string;
  /** Where the segment starts in the combined SQL. */
  at: number;
}

export interface EmbeddedResult extends FileResult {
  /** How many SQL snippets and builder calls were linted. */
  snippets: number;
  builders: number;
}

/** A TS/JS migration's SQL put together, section after section, with the maps back to the source; or the result that says why there is none. */
interface Assembled {
  source: SourceText;
  base: Omit<EmbeddedResult, "findings" | "errors">;
  holes: HoleNames;
  snippets: SqlSnippet[];
  builders: readonly { sql: string }[];
  /** Builder calls left out of the SQL because migsafe does not write them (findBuilderCalls): the file cannot be run as SQL. */
  unrendered: readonly string[];
  notes: Note[];
  segments: Segment[];
  combined: string;
  sections: GivenSection[];
  downSectionStart: number | undefined;
  mapRange(range: Range): Range;
}

function assemble(rawText: string, filePath: string, options: LintOptions, embedded: EmbeddedOptions): Assembled | { result: EmbeddedResult; unrendered?: readonly string[] } {
  const source = new SourceText(rawText);
  const base = { filePath, text: source.text, hasBom: source.hasBom, snippets: 0, builders: 0 };
  const { migrationFunctions: functions, otherDatabases } = options.settings;
  const dialects = new Dialects(otherDatabases, source.text, new Set([...functions.up, ...functions.down]));
  const folder = dialects.folderDatabase(filePath);
  if (folder !== undefined) return { result: { ...base, findings: [], errors: [], notes: [{ line: 1, message: `skipped the whole file: it is under the folder ${folder}/, named for another database than PostgreSQL` }] } };
  let ast;
  try {
    ast = parseScript(source.text, filePath);
  } catch (error) {
    if (!(error instanceof ScriptSyntaxError)) throw error;
    const range = { start: error.index, end: error.index };
    return { result: { ...base, findings: [], errors: [{ message: `not valid TypeScript/JavaScript: ${error.message}`, range, loc: source.location(range) }] } };
  }

  const holes = new HoleNames();
  const scope = { targets: normalizeTargets(embedded.targets), ...scanProgram(ast, source.text, functions, dialects), holes, dialects };
  const { snippets, unchecked } = extractFromProgram(ast, source.text, scope);
  const unrendered: string[] = [];
  const builders = findBuilderCalls(ast, source.text, scope, unrendered);
  const notes: Note[] = dialects.skipped.map((part) => ({ line: source.position(part.at).line, message: `skipped ${part.reason}: not PostgreSQL's` }));
  const foreign = otherDialectOf(snippets, otherDatabases);
  if (foreign) {
    const line = source.position(foreign.at).line;
    return { result: { ...base, findings: [], errors: [], notes: [...notes, { line, message: `skipped the whole file: its SQL is ${foreign.database}'s (${foreign.marker} on line ${line}), not PostgreSQL's` }] } };
  }

  const all: Omit<Segment, "at">[] = [
    ...snippets.map((s) => ({ sql: numbersWhereNeeded(s, holes), offsets: s.offsets, ends: s.ends, range: s.range, fn: s.fn, callee: s.callee, placeholders: s.placeholders })),
    ...builders.map((b) => ({ sql: b.sql, offsets: [], ends: [], range: b.range, fn: b.fn, callee: b.callee, rules: b.rules, builder: true, runnable: b.runnable, placeholders: holes.count(b.sql) })),
    ...unchecked.map((u) => ({ sql: "", offsets: [], ends: [], range: u.range, fn: u.fn, callee: u.callee, placeholders: 0, unchecked: u.reason })),
  ];
  if (all.length === 0) return { result: { ...base, findings: [], errors: [], ...(notes.length > 0 ? { notes } : {}) }, unrendered };

  // Section by section in the order the runner calls them, each in source order.
  const order = [...functions.up, ...functions.down];
  const firstUp = functions.up.find((name) => all.some((segment) => segment.fn === name));
  const sectionName = (segment: Omit<Segment, "at">) => segment.fn ?? firstUp;
  const rank = (segment: Omit<Segment, "at">) => {
    const name = sectionName(segment);
    return name === undefined ? -1 : order.indexOf(name);
  };
  all.sort((a, b) => rank(a) - rank(b) || a.range[0] - b.range[0]);

  let combined = "";
  let downSectionStart: number | undefined;
  const sections: GivenSection[] = [];
  const segments: Segment[] = [];
  for (const segment of all) {
    const name = sectionName(segment);
    const label = name === undefined ? "file" : `${name} function`;
    if (sections[sections.length - 1]?.label !== label) {
      sections.push({ start: combined.length, label });
      if (name !== undefined && functions.down.includes(name)) downSectionStart ??= combined.length;
    }
    segments.push({ ...segment, at: combined.length });
    // A line break ends a trailing `--` comment; the `;` ends the snippet's last statement.
    combined += `${segment.sql}\n;\n`;
  }

  const toSource = (index: number): number => {
    const segment = segmentAt(segments, index);
    if (!segment) return 0;
    const local = index - segment.at;
    return local <= segment.sql.length && local < segment.offsets.length ? segment.offsets[local]! : segment.range[1];
  };
  const mapRange = (range: Range): Range => {
    // A builder call's SQL is not in the source, nor is an unchecked call's: their findings cover the whole call.
    const segment = segmentAt(segments, range.start);
    if (segment?.builder || segment?.unchecked !== undefined) return wholeCall(segment);
    const start = toSource(range.start);
    if (range.end <= range.start) return { start, end: start };
    const segment2 = segmentAt(segments, range.end - 1);
    const local = range.end - 1 - (segment2?.at ?? 0);
    const end = segment2 && local < segment2.sql.length ? segment2.ends[local]! : toSource(range.end - 1) + 1;
    return { start, end: Math.max(start, end) };
  };
  return { source, base: { ...base, snippets: snippets.length, builders: builders.length }, holes, snippets, builders, unrendered, notes, segments, combined, sections, downSectionStart, mapRange };
}

export function lintEmbeddedSource(rawText: string, filePath: string, options: LintOptions, embedded: EmbeddedOptions = {}): EmbeddedResult {
  const assembled = assemble(rawText, filePath, options, embedded);
  if ("result" in assembled) return assembled.result;
  const { source, base, holes, segments, combined, sections, downSectionStart, mapRange, notes } = assembled;
  const parsed = parseFile(new SourceText(combined), { standardConformingStrings: options.settings.standardConformingStrings });
  // A snippet with parts computed at run time that does not parse is not checked: it is no error of the file.
  const notParsed = new Map<Segment, string>();
  const errors: FatalError[] = [];
  for (const error of parsed.errors) {
    const segment = segmentAt(segments, error.range.start);
    if (segment && segment.placeholders > 0 && holes.placeholderAt(combined, error.range.start)) {
      if (!notParsed.has(segment)) notParsed.set(segment, `it does not parse without the values computed at run time (${holes.show(error.message)})`);
      continue;
    }
    const range = mapRange(error.range);
    errors.push({ message: `embedded SQL: ${holes.show(error.message)}`, ...(error.hint ? { hint: holes.show(error.hint) } : {}), range, loc: source.location(range) });
  }
  const uncheckedSql: UncheckedSql[] = [
    ...segments.filter((segment) => segment.unchecked !== undefined).map((segment) => uncheckedAt(segment, segment.unchecked!)),
    ...[...notParsed].map(([segment, reason]) => uncheckedAt(segment, reason)),
  ];
  const lineOf = (range: Range) => source.position(mapRange(range).start).line;
  const runner = runnerOf(filePath, source.text, embedded.files ?? diskAccess, options.settings);
  const result = lintParsed(parsed, filePath, { role: "forward", partnerPath: undefined, block: undefined, downSectionStart }, runner, embeddedOptions(options), {
    sections,
    lineOf,
    unchecked: uncheckedSql,
  });

  const findings = result.findings.flatMap((finding) => {
    const segment = segmentAt(segments, finding.range.start);
    if (segment?.rules && !segment.rules.includes(finding.ruleId)) return [];
    const range = finding.ruleId === notChecked.meta.id && segment ? wholeCall(segment) : mapRange(finding.range);
    // Fixes edit SQL text: they do not apply to the source file.
    const { fix: _fix, ...rest } = finding;
    // The expressions shown in place of the SQL's holes can be long: the message and help are fitted to a line again.
    const shown = { message: fitLine(holes.show(finding.message), MESSAGE_LIMIT), help: fitLine(holes.show(finding.help), HELP_LIMIT) };
    const explanation = finding.explanation === undefined ? {} : { explanation: holes.show(finding.explanation) };
    return [{ ...rest, ...shown, ...explanation, range, loc: source.location(range) }];
  });
  findings.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end || a.ruleId.localeCompare(b.ruleId));
  return { ...base, findings, errors, ...(notes.length > 0 ? { notes } : {}) };
}

function wholeCall(segment: Segment): Range {
  return { start: segment.range[0], end: segment.range[1] };
}

function uncheckedAt(segment: Segment, reason: string): UncheckedSql {
  return { range: { start: segment.at, end: segment.at }, call: `${segment.callee}(…)`, reason };
}

/**
 * A snippet's SQL with the placeholders that PostgreSQL rejects where they stand given as numbers
 * instead (`MODULUS ${count}`, `LIMIT ${n}`), so that the statement parses and is checked.
 */
function numbersWhereNeeded(snippet: SqlSnippet, holes: HoleNames): string {
  let sql = snippet.sql;
  for (let tries = 0; tries < snippet.placeholders; tries++) {
    const at = parseFile(sql)
      .errors.map((error) => holes.placeholderAt(sql, error.range.start))
      .find((placeholder) => placeholder !== undefined);
    const name = at && sql.slice(at.start, at.end);
    if (!at || !name!.startsWith("migsafe_hole_")) break;
    sql = sql.slice(0, at.start) + holes.numberFor(name!) + sql.slice(at.end);
  }
  return sql;
}

/** The first sign that the file's SQL is another database's, at a source index. */
function otherDialectOf(snippets: readonly SqlSnippet[], otherDatabases: readonly string[]): { database: string; marker: string; at: number } | undefined {
  for (const snippet of snippets) {
    const found = otherDialectSyntax(snippet.sql, otherDatabases);
    if (found) return { database: found.database, marker: found.marker, at: snippet.map(found.index) };
  }
  return undefined;
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

/** What `migsafe verify` runs of a TS/JS migration: its SQL, the down function's from `downStart`, and where a range of the SQL is in the source (a builder's SQL: the whole call). */
export interface EmbeddedMigrationSql {
  sql: string;
  downStart: number | undefined;
  toSource(range: Range): Range;
}

/**
 * The SQL of a TS/JS migration, up functions then down functions, when the file spells all of it out; otherwise why
 * verify cannot run it (a schema-builder call, SQL computed at run time, none at all).
 */
export function embeddedMigrationSql(rawText: string, filePath: string, options: LintOptions): EmbeddedMigrationSql | { problem: string } {
  const assembled = assemble(rawText, filePath, options, {});
  const unwritten = assembled.unrendered?.[0];
  const notWritten = unwritten !== undefined ? { problem: `it calls ${unwritten}, whose SQL migsafe does not write` } : undefined;
  if ("result" in assembled) return notWritten ?? { problem: "it holds no SQL migsafe can read for PostgreSQL" };
  const { segments, combined, downSectionStart, mapRange } = assembled;
  // Builder calls run as the SQL their library sends (node-pg-migrate, Knex, Kysely: BuilderStatement.runnable).
  if (segments.some((segment) => segment.builder && !segment.runnable)) return { problem: "it calls a schema builder, whose SQL its library writes at run time" };
  if (notWritten) return notWritten;
  if (segments.some((segment) => segment.unchecked !== undefined || segment.placeholders > 0)) return { problem: "some of its SQL is computed at run time" };
  return { sql: combined, downStart: downSectionStart, toSource: mapRange };
}
