/**
 * A PostgreSQL session migsafe verify runs migrations in: an embedded PGlite, or a
 * scratch database on a real server. One session, so that `pg_locks` rows with
 * `pid = pg_backend_pid()` are the locks the migration's own statements took.
 */
export interface VerifyDatabase {
  /** What it is, for reports: e.g. "PGlite 0.5.16 (PostgreSQL 18.6)" or "PostgreSQL 15.18 at localhost:5432/migsafe_verify_x". */
  readonly description: string;
  /** What stderr says before the run: e.g. that the migrations run as an unprivileged role. */
  readonly notices?: readonly string[];
  /**
   * True for an instance of verify's own that nothing else uses and that reaches nothing outside itself (PGlite, in
   * its WebAssembly sandbox): what a migration does to roles and database privileges, and its dynamic SQL, stay in it
   * (refusals.ts). Unset for a server.
   */
  readonly isolated?: boolean;
  /** How it started, for `--debug` (PGlite: "from the kept data folder" or "with initdb", pglite-template.ts). */
  readonly started?: string;
  /** The server's major version (server_version_num / 10000). */
  readonly majorVersion: number;
  /** Runs verify's own SQL, one or more statements with no parameters (the simple query protocol); --seed too. */
  exec(sql: string): Promise<void>;
  /**
   * Runs one statement of a migration, through the extended query protocol, which takes exactly
   * one statement: should the server read the text differently from migsafe's parser, a second
   * statement hidden in it is an error, not a statement run unchecked.
   */
  run(sql: string): Promise<void>;
  /** Runs one statement with parameters and returns its rows. */
  query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Between two migrations: gives memory back when the database holds much of it (PGlite restarts from a copy of its
   * data folder, with the session's settings), and says what it did, for `--debug`; undefined when it did nothing.
   */
  releaseMemory?(): Promise<string | undefined>;
  /** Cancels the statement running now, if any (SIGINT, SIGTERM). */
  cancel(): Promise<void>;
  /**
   * Why the database is gone for good (PGlite stopped after a statement ran past --timeout), or
   * undefined. A server session that ends is opened again on the next call instead.
   */
  readonly lost?: string | undefined;
  /** Ends the session; a scratch database on a server is dropped, and an error doing so is thrown. */
  close(): Promise<void>;
}

/** The longest a statement may run by default (--timeout): 60 s. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** "the statement ran longer than --timeout (60 s)". */
export function timeoutText(timeoutMs: number): string {
  const seconds = timeoutMs / 1000;
  return `the statement ran longer than --timeout (${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s)`;
}

/** A PostgreSQL error as verify reports it. */
export interface DatabaseError {
  message: string;
  /** SQLSTATE, e.g. "23502". */
  code?: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement, when PostgreSQL gives one. */
  position?: number;
}

/** Reads a thrown error from PGlite or node-postgres as a DatabaseError. */
export function databaseError(error: unknown): DatabaseError {
  const e = error as { message?: unknown; code?: unknown; detail?: unknown; hint?: unknown; position?: unknown };
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const position = Number(e?.position);
  return {
    message: text(e?.message) ?? String(error),
    ...(text(e?.code) ? { code: text(e.code) } : {}),
    ...(text(e?.detail) ? { detail: text(e.detail) } : {}),
    ...(text(e?.hint) ? { hint: text(e.hint) } : {}),
    ...(Number.isInteger(position) && position > 0 ? { position } : {}),
  };
}
