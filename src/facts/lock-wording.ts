/**
 * PostgreSQL's table lock levels and what each one blocks, worded once so that
 * every rule explains locks the same way.
 * https://www.postgresql.org/docs/current/explicit-locking.html
 */
/** Every table lock mode, weakest first, numbered as in PostgreSQL's lock.h: a higher number is a stronger lock. */
export const LOCK_MODE_STRENGTH = {
  "ACCESS SHARE": 1,
  "ROW SHARE": 2,
  "ROW EXCLUSIVE": 3,
  "SHARE UPDATE EXCLUSIVE": 4,
  SHARE: 5,
  "SHARE ROW EXCLUSIVE": 6,
  EXCLUSIVE: 7,
  "ACCESS EXCLUSIVE": 8,
} as const;

export type LockMode = keyof typeof LOCK_MODE_STRENGTH;

/** The modes a migration's statements take that rules talk about. */
export type LockLevel =
  | "ACCESS EXCLUSIVE"
  | "EXCLUSIVE"
  | "SHARE ROW EXCLUSIVE"
  | "SHARE"
  | "SHARE UPDATE EXCLUSIVE"
  | "ROW EXCLUSIVE";

const BLOCKS: Record<LockLevel, string> = {
  "ACCESS EXCLUSIVE": "every read and write of the table",
  EXCLUSIVE: "every write of the table; only plain reads go on",
  "SHARE ROW EXCLUSIVE": "every write of the table and other schema changes; reads go on",
  SHARE: "INSERT, UPDATE and DELETE on the table; reads go on",
  "SHARE UPDATE EXCLUSIVE": "other schema changes, VACUUM and index builds on the table; reads and writes go on",
  "ROW EXCLUSIVE": "only schema changes that need SHARE or stronger; reads and writes go on",
};

/** "an ACCESS EXCLUSIVE lock, which blocks every read and write of the table" */
export function describeLock(level: LockLevel): string {
  return `${level.startsWith("ACCESS") || level.startsWith("EXCLUSIVE") ? "an" : "a"} ${level} lock, which blocks ${BLOCKS[level]}`;
}

/** What a lock level blocks, for messages that name the lock themselves. */
export function lockBlocks(level: LockLevel): string {
  return BLOCKS[level];
}

/**
 * Why a waiting lock is an outage: it queues behind the transactions holding the table,
 * and every later query queues behind it.
 */
export const LOCK_QUEUE =
  "While it waits for running transactions on the table, every query that arrives after it waits too: a long-running query turns the migration into an outage";
