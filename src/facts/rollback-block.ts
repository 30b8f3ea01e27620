import path from "node:path";
import { parseFile } from "../parser/parse-file.js";
import type { Comment, ParsedFile } from "../parser/types.js";
import type { Range } from "../source/source-text.js";

export type MigrationRole = "forward" | "rollback";

export interface PartnerFile {
  role: MigrationRole;
  /** For a forward migration: its rollback file; for a rollback file: its forward migration. */
  partnerPath: string | undefined;
}

const ROLLBACK_SUFFIXES = ["_rollback.sql", ".rollback.sql", "-rollback.sql", ".down.sql"];

/**
 * Pairs a migration with its rollback by name: `x.sql` ↔ `x_rollback.sql` / `x.down.sql`,
 * and `…up.sql` ↔ `…down.sql` (`up.sql`/`down.sql` in one folder, `x.up.sql`, `x_up.sql`).
 */
export function findPartner(filePath: string, exists: (file: string) => boolean, patterns: readonly string[] = []): PartnerFile {
  const dir = path.dirname(filePath);
  const base = path.basename(filePath);
  const lower = base.toLowerCase();
  const within = (name: string) => path.join(dir, name);

  for (const pattern of patterns) {
    const stem = patternMatcher(pattern).exec(base)?.[1];
    if (stem !== undefined) {
      const forward = within(`${stem}.sql`);
      return { role: "rollback", partnerPath: exists(forward) ? forward : undefined };
    }
  }

  const downMatch = /(^|[._-])down\.sql$/i.exec(base);
  if (downMatch) {
    const stem = base.slice(0, base.length - "down.sql".length);
    const candidates = [`${stem}up.sql`, ...(downMatch[1] === "." ? [`${stem.slice(0, -1)}.sql`] : [])];
    return { role: "rollback", partnerPath: candidates.map(within).find(exists) };
  }
  for (const suffix of ROLLBACK_SUFFIXES.slice(0, 3)) {
    if (lower.endsWith(suffix)) {
      const forward = within(`${base.slice(0, base.length - suffix.length)}.sql`);
      return { role: "rollback", partnerPath: exists(forward) ? forward : undefined };
    }
  }
  if (/(^|[._-])up\.sql$/i.test(base)) {
    const rollback = within(`${base.slice(0, base.length - "up.sql".length)}down.sql`);
    return { role: "forward", partnerPath: exists(rollback) ? rollback : undefined };
  }
  const stem = base.replace(/\.sql$/i, "");
  const candidates = [...patterns.map((pattern) => pattern.replace("{name}", stem)), ...ROLLBACK_SUFFIXES.map((suffix) => `${stem}${suffix}`)];
  return { role: "forward", partnerPath: candidates.map(within).find(exists) };
}

/** `{name}.undo.sql` → /^(.+)\.undo\.sql$/ */
function patternMatcher(pattern: string): RegExp {
  const [before, after] = pattern.split("{name}").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${before}(.+)${after}$`);
}

export interface RollbackBlock {
  /** The comment(s) holding the rollback. */
  range: Range;
  /** The rollback SQL parsed in place: positions are positions in the migration file. */
  parsed: ParsedFile;
}

const HEADING = /^[\s\-=#*]*(rollback|down|revert|undo)\b/i;
const HEADING_LINE = /^[\s\-=#*]*(rollback|down|revert|undo)\b[^;]*$/i;
/** The heading word (and its colon) before SQL on the same line: `/* Rollback: DROP TABLE x; *\/`. */
const HEADING_PREFIX = /^[\s\-=#*]*(rollback|down|revert|undo)\b[^\S\r\n]*:?(?:[^\S\r\n]*[-=#*]+(?=\s|$))?/i;
/** Runner markers after which the file's SQL is the down migration (goose, dbmate, sql-migrate). */
const DOWN_MARKER = /^--\s*(\+goose\s+down|migrate:down|\+migrate\s+down)\b/i;
/** Any goose, dbmate or sql-migrate marker: an instruction to the runner, never rollback SQL. */
const RUNNER_MARKER = /^--\s*(\+goose\b|migrate:|\+migrate\b)/i;

/** Where a down section begins in a file that holds both directions (goose, dbmate, sql-migrate). */
export function downSectionStart(comments: readonly Comment[]): number | undefined {
  return comments.find((comment) => comment.kind === "line" && DOWN_MARKER.test(comment.text.trim()))?.range.start;
}

/**
 * A rollback written in comments: a block comment whose text begins with or is
 * headed by "rollback"/"down" (`-- Rollback:` followed by a slash-star block, or a
 * slash-star block whose first line says so), or a run of `--` lines headed that way.
 */
export function findRollbackBlock(parsed: ParsedFile): RollbackBlock | undefined {
  const { comments, source } = parsed;
  const text = source.text;
  for (let i = 0; i < comments.length; i++) {
    const comment = comments[i]!;
    if (comment.kind === "block") {
      const previous = comments[i - 1];
      const headed =
        previous?.kind === "line" && HEADING.test(previous.value) && /^\s*$/.test(text.slice(previous.range.end, comment.range.start));
      if (!headed && !HEADING.test(comment.value)) continue;
      const bodyStart = comment.range.start + 2;
      const bodyEnd = comment.text.endsWith("*/") ? comment.range.end - 2 : comment.range.end;
      const sqlStart = bodyStart + sqlOffset(text.slice(bodyStart, bodyEnd), headed);
      const range = { start: headed ? previous!.range.start : comment.range.start, end: comment.range.end };
      return { range, parsed: parseInPlace(text, [{ start: sqlStart, end: bodyEnd }]) };
    }
    if (comment.kind === "line" && HEADING_LINE.test(comment.value) && !DOWN_MARKER.test(comment.text)) {
      const run = lineCommentRun(comments, i, text);
      if (run.length < 2) continue;
      const regions = run.slice(1).map((line) => ({ start: line.range.start + 2, end: line.range.end }));
      const range = { start: comment.range.start, end: run[run.length - 1]!.range.end };
      return { range, parsed: parseInPlace(text, regions) };
    }
  }
  return undefined;
}

/**
 * Where the SQL of a rollback block comment starts, in its body. The heading may follow
 * empty or decorated lines (`/*\n  Rollback: restore from backup\n*\/`): a heading line
 * without a `;` is skipped whole; otherwise the SQL starts after the heading word and its colon.
 */
function sqlOffset(body: string, headedByPreviousComment: boolean): number {
  if (headedByPreviousComment) {
    const firstLine = /^[^\r\n]*/.exec(body)![0];
    return HEADING_LINE.test(firstLine) ? firstLine.length : 0;
  }
  const heading = HEADING_PREFIX.exec(body);
  if (!heading) return 0;
  const afterHeading = heading.index + heading[0].length;
  const restOfLine = /^[^\r\n]*/.exec(body.slice(afterHeading))![0];
  return restOfLine.includes(";") ? afterHeading : afterHeading + restOfLine.length;
}

function lineCommentRun(comments: readonly Comment[], from: number, text: string): Comment[] {
  const run = [comments[from]!];
  for (let j = from + 1; j < comments.length; j++) {
    const next = comments[j]!;
    const gap = text.slice(run[run.length - 1]!.range.end, next.range.start);
    if (next.kind !== "line" || RUNNER_MARKER.test(next.text) || !/^[ \t]*(\r\n|\r|\n)[ \t]*$/.test(gap)) break;
    run.push(next);
  }
  return run;
}

/**
 * Parses the given regions of the file as SQL, every other character blanked
 * (line breaks kept), so that positions in the result are positions in the file.
 */
function parseInPlace(text: string, regions: Range[]): ParsedFile {
  const end = regions[regions.length - 1]!.end;
  let blanked = "";
  let cursor = 0;
  for (const region of regions) {
    blanked += blank(text.slice(cursor, region.start)) + text.slice(region.start, region.end);
    cursor = region.end;
  }
  blanked += blank(text.slice(cursor, end));
  return parseFile(blanked);
}

function blank(text: string): string {
  return text.replace(/[^\r\n]/g, " ");
}
