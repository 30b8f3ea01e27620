/**
 * The parts of a migration: the runner's sections (the whole file, or the up and down sections
 * of a goose, dbmate or sql-migrate file), the down section, a rollback block written in
 * comments, and the rollback file beside it.
 */
import type { ParsedFile, Statement } from "../parser/types.js";
import type { MigrationRole, RollbackBlock } from "./rollback-block.js";

export interface RunnerSection {
  /** String index where the section starts. */
  start: number;
  /** True when the runner wraps the section in a transaction of its own. */
  wraps: boolean;
  /** Why migsafe thinks so, for messages. */
  reason: string;
  /** "file", or "up section" / "down section" of a file with runner markers. */
  label: string;
}

/**
 * A section that the caller found where the text cannot say: a migration function of a TS/JS file
 * (`up`, `down`, or a hook the configuration names), whose SQL was put together in the order the
 * sections run. Each is a migration of its own: it runs separately, in a transaction of its own.
 */
export interface GivenSection {
  /** String index where the section starts. */
  start: number;
  /** "up function", "down function", …, for messages. */
  label: string;
  /** Whether the runner wraps the section in a transaction, when the caller knows; else as `assumeInTransaction` says. */
  wraps?: boolean;
  /** Why the caller knows, for messages (with `wraps`). */
  reason?: string;
}

/** What is known of the migration's rollback before its facts are worked out. */
export interface RollbackInput {
  /** "rollback" for a rollback file, or for the down section of a file holding both directions. */
  role: MigrationRole;
  /** The sibling file: the rollback of a forward migration, or the forward migration of a rollback. */
  partnerPath: string | undefined;
  /** A rollback written in comments inside the file. */
  block: RollbackBlock | undefined;
  /** Where a goose/dbmate-style down section starts, if the file has one. */
  downSectionStart: number | undefined;
  /** The forward migration of a rollback file, parsed. */
  forward?: ParsedFile | undefined;
}

export const NO_ROLLBACK: RollbackInput = { role: "forward", partnerPath: undefined, block: undefined, downSectionStart: undefined };

const ASSUMED = "the configuration says the runner wraps each file in a transaction (assumeInTransaction)";

/** Section markers of runners that wrap each section in a transaction unless the file says otherwise. */
const MARKERS: { pattern: RegExp; wraps: (rest: string, comments: string) => boolean; runner: string; off: string }[] = [
  { pattern: /^--\s*\+goose\s+(up|down)\b(.*)$/i, wraps: (_rest, comments) => !/^--\s*\+goose\s+no\s+transaction\b/im.test(comments), runner: "goose", off: "-- +goose NO TRANSACTION" },
  { pattern: /^--\s*migrate:(up|down)\b(.*)$/i, wraps: (rest) => !/\btransaction:\s*false\b/i.test(rest), runner: "dbmate", off: "transaction:false" },
  { pattern: /^--\s*\+migrate\s+(up|down)\b(.*)$/i, wraps: (rest) => !/\bnotransaction\b/i.test(rest), runner: "sql-migrate", off: "notransaction" },
];

export class Sections {
  /**
   * How the runner runs the file: one section, wrapped or not as `assumeInTransaction` says, or,
   * for a file with goose (`-- +goose Up`), dbmate (`-- migrate:up`) or sql-migrate (`-- +migrate Up`)
   * markers, one section per marker, wrapped in a transaction unless the marker (or goose's
   * `-- +goose NO TRANSACTION`) turns it off: those runners' own defaults, whatever the setting says.
   * Sections the caller gives (the functions of a TS/JS migration) replace all of that.
   */
  readonly runner: readonly RunnerSection[];

  constructor(
    parsed: ParsedFile,
    assumeInTransaction: boolean,
    readonly rollback: RollbackInput,
    given?: readonly GivenSection[],
  ) {
    this.runner = given && given.length > 0 ? given.map((section) => givenSection(section, assumeInTransaction)) : runnerSections(parsed, assumeInTransaction);
  }

  sectionOf(statement: Statement): RunnerSection {
    const at = (statement.parent ?? statement).range.start;
    let found = this.runner[0]!;
    for (const section of this.runner) if (section.start <= at) found = section;
    return found;
  }

  /** True when the statement is (part of) a rollback: a rollback file, or a down section. */
  isRollback(statement: Statement): boolean {
    return this.rollback.role === "rollback" || this.inDownSection(statement);
  }

  inDownSection(statement: Statement): boolean {
    const start = this.rollback.downSectionStart;
    return start !== undefined && statement.range.start >= start;
  }
}

function givenSection({ start, label, wraps, reason }: GivenSection, assumed: boolean): RunnerSection {
  if (wraps !== undefined) return { start, wraps, reason: reason ?? "", label };
  return { start, wraps: assumed, reason: assumed ? ASSUMED : "", label };
}

function runnerSections(parsed: ParsedFile, assumed: boolean): RunnerSection[] {
  const sections: RunnerSection[] = [{ start: 0, wraps: assumed, reason: assumed ? ASSUMED : "", label: "file" }];
  const lineComments = parsed.comments.filter((comment) => comment.kind === "line");
  if (!lineComments.some((comment) => comment.text.includes("+goose") || comment.text.includes("migrate"))) return sections;
  const comments = parsed.comments.map((comment) => ({ comment, text: comment.text.trim() }));
  const allComments = comments.map((c) => c.text).join("\n");
  for (const { comment, text } of comments) {
    if (comment.kind !== "line") continue;
    for (const marker of MARKERS) {
      const match = marker.pattern.exec(text);
      if (!match) continue;
      const wraps = marker.wraps(match[2] ?? "", allComments);
      const reason = wraps
        ? `${marker.runner} runs each migration in a transaction (its ${text} marker has no ${marker.off})`
        : `${marker.runner} runs this migration without a transaction (${marker.off})`;
      sections.push({ start: comment.range.start, wraps, reason, label: `${match[1]!.toLowerCase()} section` });
    }
  }
  return sections;
}
