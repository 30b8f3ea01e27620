/**
 * What verify's session holds between two migrations beyond the database's files: what a restart of PGlite from a
 * copy of its data folder (pglite-database.ts, to give memory back) would keep, set again, or lose.
 */

interface Queryable {
  query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** The settings the migrations (or verify) SET in the session: set again after a restart. */
export type SessionSettings = readonly (readonly [name: string, value: string])[];

/** Either the settings to carry over, or why the session cannot be carried over (it holds state a new one would not have). */
export type SessionState = { settings: SessionSettings } | { lost: string };

interface StateRow extends Record<string, unknown> {
  temporary: number;
  prepared: number;
  cursors: number;
  advisory: number;
  listening: number;
  session_user: string;
  current_user: string;
  names: string[] | null;
  values: string[] | null;
}

const STATE_SQL = `SELECT
  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.pg_my_temp_schema())::int
    + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc WHERE pronamespace = pg_catalog.pg_my_temp_schema())::int
    + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_type WHERE typnamespace = pg_catalog.pg_my_temp_schema())::int AS temporary,
  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_statements WHERE from_sql)::int AS prepared,
  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_cursors WHERE name <> '')::int AS cursors,
  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid())::int AS advisory,
  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_listening_channels())::int AS listening,
  session_user::text AS session_user,
  current_user::text AS current_user,
  (SELECT pg_catalog.array_agg(name ORDER BY name) FROM pg_catalog.pg_settings WHERE source = 'session') AS names,
  (SELECT pg_catalog.array_agg(setting ORDER BY name) FROM pg_catalog.pg_settings WHERE source = 'session') AS values`;

/**
 * Reads the session's state. `user` is the user a new session starts as: a session whose user or role the migrations
 * changed (`SET SESSION AUTHORIZATION`, `SET ROLE`) is not carried over, nor one that holds temporary objects,
 * prepared statements, cursors, advisory locks or LISTENs. (What no catalog shows — a sequence's `currval` — is not
 * carried over either; a migration that reads another migration's `currval` is the one case a restart changes.)
 */
export async function sessionState(db: Queryable, user: string): Promise<SessionState> {
  const [row] = await db.query<StateRow>(STATE_SQL);
  if (!row) throw new Error("no row");
  const held = [
    [row.temporary, "temporary objects"],
    [row.prepared, "prepared statements"],
    [row.cursors, "open cursors"],
    [row.advisory, "advisory locks"],
    [row.listening, "LISTEN channels"],
  ].flatMap(([count, what]) => (Number(count) > 0 ? [what as string] : []));
  if (row.session_user !== user || row.current_user !== user) held.push(`the role ${row.current_user} (set by a migration)`);
  if (held.length > 0) return { lost: `the session holds ${held.join(", ")}` };
  const names = row.names ?? [];
  const values = row.values ?? [];
  return { settings: names.map((name, index) => [name, values[index] ?? ""] as const) };
}

/** Sets the carried-over settings in a new session. */
export async function restoreSettings(db: Queryable, settings: SessionSettings): Promise<void> {
  if (settings.length === 0) return;
  await db.query(
    "SELECT pg_catalog.set_config(name, value, false) FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS s(name, value)",
    [settings.map(([name]) => name), settings.map(([, value]) => value)],
  );
}
