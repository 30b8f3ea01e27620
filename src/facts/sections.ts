/**
 * The parts of a migration: the runner's sections (the whole file, or the up and down sections
 * of a goose, dbmate or sql-migrate file), the down section, a rollback block written in
 * comments, and the rollback file beside it.
 */
import type { ParsedFile, Statement } from "../parser/types.js";
import type { FileRunner } from "../runners/file-runner.js";
import { refusedInTransaction } from "./refused-in-transaction.js";
import type { MigrationRole, RollbackBlock } from "./rollback-block.js";

export interface RunnerSection {
  /** String index where the section starts. */
  start: number;
  /** True when the runner runs the section in a transaction. */
  wraps: boolean;
  /**
   * True when that transaction is PostgreSQL's implicit one around a query string of several statements (the
   * runner sends the section as one query): a BEGIN in it takes the transaction over, and after a COMMIT the
   * statements left form the next one.
   */
  implicit: boolean;
  /** Why migsafe thinks so, for messages. */
  reason: string;
  /** "file", or "up section" / "down section" of a file with runner markers. */
  label: string;
  /** What the migration writes to turn the runner's transaction off (`-- +goose NO TRANSACTION`, `transaction: false`): a choice of its author. */
  optedOut?: string;
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
  /** Whether the runner wraps the section in a transaction, when the caller knows; else as the file's runner wraps its migrations. */
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
  /** Why no rollback is asked of this forward migration: no migration of its folder up to it has one (engine/forward-only.ts); asked only when needed, since it reads the folder. */
  forwardOnly?: () => string | undefined;
}

export const NO_ROLLBACK: RollbackInput = { role: "forward", partnerPath: undefined, block: undefined, downSectionStart: undefined };

/** Section markers of runners that wrap each section in a transaction unless the file says otherwise. */
const MARKERS: { pattern: RegExp; wraps: (rest: string, comments: string) => boolean; runner: string; off: string }[] = [
  { pattern: /^--\s*\+goose\s+(up|down)\b(.*)$/i, wraps: (_rest, comments) => !/^--\s*\+goose\s+no\s+transaction\b/im.test(comments), runner: "goose", off: "-- +goose NO TRANSACTION" },
  { pattern: /^--\s*migrate:(up|down)\b(.*)$/i, wraps: (rest) => !/\btransaction:\s*false\b/i.test(rest), runner: "dbmate", off: "transaction:false" },
  { pattern: /^--\s*\+migrate\s+(up|down)\b(.*)$/i, wraps: (rest) => !/\bnotransaction\b/i.test(rest), runner: "sql-migrate", off: "notransaction" },
];

export class Sections {
  /**
   * How the runner runs the file: one section, run as the file's runner does (`fileRunner`: the runner
   * detected, or what the configuration says), or, for a file with goose (`-- +goose Up`), dbmate
   * (`-- migrate:up`) or sql-migrate (`-- +migrate Up`) markers, one section per marker, wrapped in a
   * transaction unless the marker (or goose's `-- +goose NO TRANSACTION`) turns it off: those runners'
   * own defaults, whatever the configuration says. Sections the caller gives (the functions of a TS/JS
   * migration) replace all of that.
   */
  readonly runner: readonly RunnerSection[];

  constructor(
    parsed: ParsedFile,
    /** The runner of the file, as the engine worked it out (src/runners/), and as `withRefusals` completes it. */
    readonly fileRunner: FileRunner,
    readonly rollback: RollbackInput,
    given?: readonly GivenSection[],
  ) {
    this.runner = given && given.length > 0 ? given.map((section) => givenSection(section, fileRunner)) : runnerSections(parsed, fileRunner);
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

/** A section the caller gives: wrapped as it says, or as the file's runner wraps its migrations. */
function givenSection({ start, label, wraps, reason }: GivenSection, runner: FileRunner): RunnerSection {
  if (wraps !== undefined) return { start, wraps, implicit: false, reason: reason ?? "", label };
  return { start, wraps: runner.wrapping !== "none", implicit: runner.wrapping === "single-query", reason: runner.reason, label, ...optedOut(runner) };
}

function runnerSections(parsed: ParsedFile, fileRunner: FileRunner): RunnerSection[] {
  const sections: RunnerSection[] = [fileSection(parsed, fileRunner)];
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
      sections.push({ start: comment.range.start, wraps, implicit: false, reason, label: `${match[1]!.toLowerCase()} section`, ...(wraps ? {} : { optedOut: marker.off }) });
    }
  }
  return sections;
}

/** The section of the whole file, as its runner runs it. */
function fileSection(parsed: ParsedFile, runner: FileRunner): RunnerSection {
  const section = { start: 0, label: "file", reason: runner.reason, implicit: false };
  if (runner.wrapping === "none") return { ...section, wraps: false, ...optedOut(runner) };
  if (runner.wrapping === "transaction") return { ...section, wraps: true };
  // PostgreSQL opens an implicit transaction only around a query of more than one statement.
  return parsed.statements.length > 1
    ? { ...section, wraps: true, implicit: true }
    : { ...section, wraps: false, reason: `${runner.reason}; a query of one statement runs on its own, outside any transaction` };
}

function optedOut(runner: FileRunner): { optedOut?: string } {
  return runner.optedOut === undefined ? {} : { optedOut: runner.optedOut };
}

/**
 * The runner as it runs this file: a runner that skips its transaction for a script whose every statement
 * PostgreSQL refuses in a transaction block (Flyway) runs such a script without one.
 */
export function withRefusals(parsed: ParsedFile, runner: FileRunner, pgVersion: number): FileRunner {
  if (!runner.aloneWhenRefused || runner.wrapping !== "transaction") return runner;
  const commands = new Set<string>();
  for (const statement of parsed.statements) {
    let refused;
    try {
      refused = refusedInTransaction(statement, pgVersion);
    } catch {
      // Unknown: the runner's usual transaction stands.
      return runner;
    }
    if (!refused) return runner;
    commands.add(refused.command);
  }
  if (commands.size === 0) return runner;
  const title = runner.profile?.title ?? "The runner";
  return { ...runner, wrapping: "none", reason: `${title} runs a script without a transaction when none of its statements can run in one (here ${[...commands].join(", ")})` };
}
