/**
 * `migsafe verify --locks`: every lock each statement took on a table that existed before its migration, as
 * PostgreSQL reported it (pg_locks), one row per statement and table, in migration and line order — as a text table,
 * JSON, or a markdown table for a pull-request comment.
 */
import type { LockMode } from "../facts/lock-wording.js";

export interface LockRow {
  /** The migration file (absolute path). */
  file: string;
  /** The statement's first line, and its text shortened to one line. */
  line: number;
  statement: string;
  /** The table, as messages name it (`users`, `audit.events`). */
  table: string;
  /** The strongest mode the statement added on the table, or, when it added none, the one it ran under. */
  mode: LockMode;
  /** The line of the statement that took `mode`, when an earlier one did. */
  heldSince?: number;
  /** Held from the statement's line to this line: the end of its transaction. */
  heldTo: number;
  /** What the lock blocks while it is held (every mode blocks at least the schema changes that take ACCESS EXCLUSIVE). */
  blocks: "reads and writes" | "writes" | "schema changes";
  /** Whether the statement rewrote the table (its file changed). */
  rewrite: boolean;
  /** How long the statement took on verify's database (nearly empty tables: a lower bound), in milliseconds. */
  durationMs: number;
}

/** What a lock mode blocks of other sessions' work: plain reads and writes, or less. */
export function blocksOf(mode: LockMode): LockRow["blocks"] {
  if (mode === "ACCESS EXCLUSIVE") return "reads and writes";
  if (mode === "EXCLUSIVE" || mode === "SHARE ROW EXCLUSIVE" || mode === "SHARE") return "writes";
  return "schema changes";
}

/** Migration order first (the order verify ran them), then line, then table: the same run gives the same table. */
export function sortRows(rows: readonly LockRow[], fileOrder: readonly string[]): LockRow[] {
  const position = new Map(fileOrder.map((file, i) => [file, i]));
  return [...rows].sort(
    (a, b) => (position.get(a.file) ?? 0) - (position.get(b.file) ?? 0) || a.line - b.line || (a.table < b.table ? -1 : a.table > b.table ? 1 : 0),
  );
}

export type LockTableFormat = "text" | "json" | "markdown";

/** The rows as `format`; `show` names a file as the report does (relative to the working folder). */
export function formatLockTable(rows: readonly LockRow[], format: LockTableFormat, show: (file: string) => string): string {
  if (format === "json") return `${JSON.stringify(rows.map((row) => ({ ...row, file: show(row.file), durationMs: Math.round(row.durationMs * 10) / 10 })), null, 2)}\n`;
  const header = ["statement", "table", "lock", "held", "blocks", "rewrite", "ms"];
  const cells = rows.map((row) => [
    `${show(row.file)}:${row.line} ${row.statement}`,
    row.table,
    row.mode,
    row.heldSince !== undefined ? `since line ${row.heldSince}, to ${row.heldTo}` : row.heldTo > row.line ? `lines ${row.line}–${row.heldTo}` : `line ${row.line}`,
    row.blocks,
    row.rewrite ? "yes" : "no",
    String(Math.round(row.durationMs)),
  ]);
  if (format === "markdown") {
    const escape = (cell: string) => cell.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/`/g, "\\`");
    const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...cells.map((row) => `| ${row.map(escape).join(" | ")} |`)];
    return `### Locks taken, by statement\n\n${rows.length === 0 ? "No statement took a lock on a table that existed before its migration.\n" : `${lines.join("\n")}\n`}`;
  }
  if (rows.length === 0) return "No statement took a lock on a table that existed before its migration.\n";
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => row.map((cell, column) => (column === row.length - 1 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join("  ").trimEnd();
  return `${[line(header), ...cells.map(line)].join("\n")}\n`;
}
