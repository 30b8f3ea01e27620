import path from "node:path";
import { parseFile } from "../parser/parse-file.js";
import { isComment, tokenize } from "../parser/tokens.js";
import type { Comment, ParsedFile, Statement } from "../parser/types.js";
import type { Range } from "../source/source-text.js";

export type MigrationRole = "forward" | "rollback";

/** Statements that change nothing to undo: transaction control and session settings. */
const NOTHING_TO_UNDO = new Set(["TransactionStmt", "VariableSetStmt", "VariableShowStmt"]);

/** True for a statement a rollback would have to undo (not transaction control or a session setting). */
export function changesSomething(statement: Statement): boolean {
  return !NOTHING_TO_UNDO.has(statement.kind);
}

export interface PartnerFile {
  role: MigrationRole;
  /** For a forward migration: its rollback file; for a rollback file: its forward migration. */
  partnerPath: string | undefined;
}

const ROLLBACK_SUFFIXES = ["_rollback.sql", ".rollback.sql", "-rollback.sql", ".down.sql"];

/**
 * Pairs a migration with its rollback by name: `x.sql` ↔ `x_rollback.sql` / `x.down.sql`,
 * and `…up.sql` ↔ `…down.sql` (`up.sql`/`down.sql` in one folder, `x.up.sql`, `x_up.sql`).
 * A file is a rollback only when its forward migration is beside it: `012_users_no_rollback.sql`
 * without `012_users_no.sql` is a forward migration whose name happens to end that way.
 * With `list` (the names in a folder), an up/down file whose partner of the same name is missing is paired by its
 * version instead, as golang-migrate and Concourse pair them (`1510_add_jobs.up.sql` ↔ `1510_add_job.down.sql`),
 * when exactly one file of the other direction has that version.
 */
export function findPartner(filePath: string, exists: (file: string) => boolean, patterns: readonly string[] = [], list?: (dir: string) => readonly string[]): PartnerFile {
  const dir = path.dirname(filePath);
  const base = path.basename(filePath);
  const within = (name: string) => path.join(dir, name);
  const forward = forwardCandidates(base, patterns).map(within).find(exists);
  if (forward) return { role: "rollback", partnerPath: forward };

  if (/(^|[._-])up\.sql$/i.test(base)) {
    const rollback = within(`${base.slice(0, base.length - "up.sql".length)}down.sql`);
    if (exists(rollback)) return { role: "forward", partnerPath: rollback };
    const byVersion = list && sameVersion(base, () => list(dir));
    return { role: "forward", partnerPath: byVersion ? within(byVersion) : undefined };
  }
  const upByVersion = list && sameVersion(base, () => list(dir));
  if (upByVersion) return { role: "rollback", partnerPath: within(upByVersion) };
  const stem = base.replace(/\.sql$/i, "");
  const candidates = [...patterns.map((pattern) => pattern.replace("{name}", stem)), ...ROLLBACK_SUFFIXES.map((suffix) => `${stem}${suffix}`)];
  return { role: "forward", partnerPath: candidates.map(within).find(exists) };
}

/** A version, a separator, a name, and `.up.sql`/`_down.sql`: `1510262030_add_jobs.up.sql`. */
const VERSIONED_UP_DOWN = /^(\d+)[._-].*[._-](up|down)\.sql$/i;

/**
 * The file of the other direction (down for an up file, up for a down file) with the same version as `base`, when
 * the version has exactly one file of each direction.
 */
function sameVersion(base: string, names: () => readonly string[]): string | undefined {
  const match = VERSIONED_UP_DOWN.exec(base);
  if (!match) return undefined;
  const [, version, direction] = match;
  const byDirection = { up: [] as string[], down: [] as string[] };
  for (const name of names()) {
    const candidate = VERSIONED_UP_DOWN.exec(name);
    if (candidate !== null && candidate[1] === version) byDirection[candidate[2]!.toLowerCase() as "up" | "down"].push(name);
  }
  const other = direction!.toLowerCase() === "up" ? byDirection.down : byDirection.up;
  return byDirection.up.length === 1 && byDirection.down.length === 1 ? other[0] : undefined;
}

/** The names the forward migration of `base` would have, if `base` is named as a rollback. */
function forwardCandidates(base: string, patterns: readonly string[]): string[] {
  const fromPatterns = patterns.map((pattern) => patternMatcher(pattern).exec(base)?.[1]).filter((stem) => stem !== undefined);
  const candidates = fromPatterns.map((stem) => `${stem}.sql`);
  const downMatch = /(^|[._-])down\.sql$/i.exec(base);
  if (downMatch) {
    const stem = base.slice(0, base.length - "down.sql".length);
    candidates.push(`${stem}up.sql`, ...(downMatch[1] === "." ? [`${stem.slice(0, -1)}.sql`] : []));
  }
  const suffix = ROLLBACK_SUFFIXES.slice(0, 3).find((candidate) => base.toLowerCase().endsWith(candidate));
  if (suffix) candidates.push(`${base.slice(0, base.length - suffix.length)}.sql`);
  return candidates;
}

/** `{name}.undo.sql` → /^(.+)\.undo\.sql$/ */
function patternMatcher(pattern: string): RegExp {
  const [before, after] = pattern.split("{name}").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${before}(.+)${after}$`);
}

/** A rollback written in comments: SQL to run, or a plan in words. */
export type RollbackBlock = RollbackSql | RollbackPlan;

export interface RollbackSql {
  kind: "sql";
  /** The comment(s) holding the rollback. */
  range: Range;
  /** The rollback SQL parsed in place: positions are positions in the migration file. */
  parsed: ParsedFile;
}

/** A rollback plan in prose (`-- Rollback: restore from backup`, `/* Down: not reversible *\/`): nothing to parse or run. */
export interface RollbackPlan {
  kind: "plan";
  range: Range;
  /** The plan as written, trimmed. */
  plan: string;
}

/**
 * The heading word as the first word of a comment (after decoration such as `==` or `*`), alone or with a
 * second word that names the rollback (`Rollback plan:`, `Down migration:`).
 */
const HEADING_WORD = /^[\s\-=#*]*(?:rollback|down|revert|undo)(?:[^\S\r\n]+(?:plan|sql|script|steps|migration|instructions))?(?![\w$])/i;
/** What may follow the heading word on its line before the rollback: a colon, and closing decoration (`== Undo ==`, `-- Rollback --`). */
const AFTER_HEADING_WORD = /^[^\S\r\n]*(:?)(?:[^\S\r\n]*[-=#*]+(?=\s|$))?[^\S\r\n]*/;
/** Runner markers after which the file's SQL is the down migration (goose, dbmate, sql-migrate). */
const DOWN_MARKER = /^--\s*(\+goose\s+down|migrate:down|\+migrate\s+down)\b/i;
/** Any goose, dbmate or sql-migrate marker: an instruction to the runner, never rollback SQL. */
const RUNNER_MARKER = /^--\s*(\+goose\b|migrate:|\+migrate\b)/i;
/** Between two line comments on consecutive lines. */
const ONE_LINE_BREAK = /^[ \t]*(\r\n|\r|\n)[ \t]*$/;
/** The keywords PostgreSQL statements start with: rollback text that starts otherwise is prose. */
const STATEMENT_START = new Set([
  "ABORT", "ALTER", "ANALYZE", "BEGIN", "CALL", "CHECKPOINT", "CLOSE", "CLUSTER", "COMMENT", "COMMIT", "COPY", "CREATE",
  "DEALLOCATE", "DECLARE", "DELETE", "DISCARD", "DO", "DROP", "END", "EXECUTE", "EXPLAIN", "FETCH", "GRANT", "IMPORT",
  "INSERT", "LISTEN", "LOAD", "LOCK", "MERGE", "MOVE", "NOTIFY", "PREPARE", "REASSIGN", "REFRESH", "REINDEX", "RELEASE",
  "RESET", "REVOKE", "ROLLBACK", "SAVEPOINT", "SECURITY", "SELECT", "SET", "SHOW", "START", "TABLE", "TRUNCATE",
  "UNLISTEN", "UPDATE", "VACUUM", "VALUES", "WITH",
]);

/** Where a down section begins in a file that holds both directions (goose, dbmate, sql-migrate). */
export function downSectionStart(comments: readonly Comment[]): number | undefined {
  return comments.find((comment) => comment.kind === "line" && DOWN_MARKER.test(comment.text.trim()))?.range.start;
}

/** A rollback heading found in a comment: where the text after it starts and where its line ends (string indices in the file). */
interface Heading {
  rest: Range;
  /** It has a colon, or SQL after it on its line: a heading even in the middle of a paragraph of comments. */
  explicit: boolean;
}

/**
 * A rollback written in comments: a comment whose first word is "rollback", "down", "revert" or "undo", followed
 * by a colon, the end of its line, or SQL (`-- Rollback:` over a slash-star block or a run of `--` lines, a
 * slash-star block whose first line says so, `-- rollback: DROP TABLE t;` on one line). A comment that merely
 * starts with the word (`-- ROLLBACK SAFETY: …`, `-- undo the damage of 011`) is no heading. What follows the
 * heading is SQL when it starts with a statement's keyword and parses or has a `;`; otherwise it is a plan in words.
 */
export function findRollbackBlock(parsed: ParsedFile): RollbackBlock | undefined {
  const { comments, source } = parsed;
  const text = source.text;
  for (let i = 0; i < comments.length; i++) {
    const comment = comments[i]!;
    if (comment.kind === "block") {
      const bodyStart = comment.range.start + 2;
      const bodyEnd = comment.text.endsWith("*/") ? comment.range.end - 2 : comment.range.end;
      const previous = comments[i - 1];
      const above = previous && /^\s*$/.test(text.slice(previous.range.end, comment.range.start)) ? lineHeading(previous, text) : undefined;
      if (above && (above.explicit || !continuesParagraph(comments, i - 1, text))) {
        // The block's own first line may repeat the heading (`-- Rollback:` over `/* Rollback: restore … */`).
        const own = headingIn(text, bodyStart, bodyEnd);
        const caption = own ? [above.rest, own.rest] : [above.rest];
        const below = { start: own ? own.rest.end : bodyStart, end: bodyEnd };
        return rollbackAfter(text, { start: previous!.range.start, end: comment.range.end }, caption, [below]);
      }
      const heading = headingIn(text, bodyStart, bodyEnd);
      if (!heading) continue;
      return rollbackAfter(text, comment.range, [heading.rest], [{ start: heading.rest.end, end: bodyEnd }]);
    }
    if (comment.kind !== "line" || DOWN_MARKER.test(comment.text)) continue;
    const heading = lineHeading(comment, text);
    if (!heading || (!heading.explicit && continuesParagraph(comments, i, text))) continue;
    const run = lineCommentRun(comments, i, text);
    const below = run.slice(1).map((line) => ({ start: line.range.start + 2, end: line.range.end }));
    // A heading line alone heads the block comment under it, if there is one (see above); alone, it heads nothing.
    if (below.length === 0 && (comments[i + 1]?.kind === "block" || isBlank(text, heading.rest))) continue;
    return rollbackAfter(text, { start: comment.range.start, end: run[run.length - 1]!.range.end }, [heading.rest], below);
  }
  return undefined;
}

function lineHeading(comment: Comment, text: string): Heading | undefined {
  return comment.kind === "line" && !RUNNER_MARKER.test(comment.text) ? headingIn(text, comment.range.start + 2, comment.range.end) : undefined;
}

/** The heading at the start of the comment body text[start, end), if it starts with one. */
function headingIn(text: string, start: number, end: number): Heading | undefined {
  const body = text.slice(start, end);
  const word = HEADING_WORD.exec(body);
  if (!word) return undefined;
  const after = AFTER_HEADING_WORD.exec(body.slice(word[0].length))!;
  const restStart = word[0].length + after[0].length;
  const restEnd = restStart + /^[^\r\n]*/.exec(body.slice(restStart))![0].length;
  const rest = body.slice(restStart, restEnd);
  const colon = after[1] === ":";
  const sql = startsWithStatement(rest);
  if (!colon && !sql && rest.trim() !== "") return undefined;
  return { rest: { start: start + restStart, end: start + restEnd }, explicit: colon || sql };
}

/** The line comment directly continues a comment on the line above: it is not the first line of its paragraph. */
function continuesParagraph(comments: readonly Comment[], index: number, text: string): boolean {
  const previous = comments[index - 1];
  return previous?.kind === "line" && ONE_LINE_BREAK.test(text.slice(previous.range.end, comments[index]!.range.start));
}

/**
 * The rollback under a heading: `caption` is the text after the heading on its line(s), `below` the comment text
 * under it. A caption that starts with SQL is part of the SQL; one in words heads the SQL below it, or is the plan.
 */
function rollbackAfter(text: string, range: Range, caption: Range[], below: Range[]): RollbackBlock | undefined {
  const sqlInCaption = caption.some((part) => startsWithStatement(text.slice(part.start, part.end)));
  const regions = sqlInCaption ? [...caption, ...below] : below;
  const body = regions.map((region) => text.slice(region.start, region.end)).join("\n");
  const words = caption.map((part) => text.slice(part.start, part.end).trim()).filter((part) => part !== "");
  if (body.trim() === "") return words.length > 0 && !sqlInCaption ? { kind: "plan", range, plan: words.join(" ") } : { kind: "sql", range, parsed: parseInPlace(text, regions) };
  const parsed = parseInPlace(text, regions);
  if (startsWithStatement(body) && (parsed.errors.length === 0 || body.includes(";"))) return { kind: "sql", range, parsed };
  return { kind: "plan", range, plan: [...(sqlInCaption ? [] : words), body.trim()].join(" ").replace(/\s+/g, " ") };
}

/** The text's first token of code is a keyword a statement starts with. */
function startsWithStatement(sql: string): boolean {
  const first = tokenize(sql).tokens.find((token) => !isComment(token));
  return first?.type === "keyword" && STATEMENT_START.has(first.upper);
}

function isBlank(text: string, range: Range): boolean {
  return text.slice(range.start, range.end).trim() === "";
}

function lineCommentRun(comments: readonly Comment[], from: number, text: string): Comment[] {
  const run = [comments[from]!];
  for (let j = from + 1; j < comments.length; j++) {
    const next = comments[j]!;
    const gap = text.slice(run[run.length - 1]!.range.end, next.range.start);
    if (next.kind !== "line" || RUNNER_MARKER.test(next.text) || !ONE_LINE_BREAK.test(gap)) break;
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
