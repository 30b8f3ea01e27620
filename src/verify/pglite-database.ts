import type { VerifyDatabase } from "./database.js";

/**
 * An embedded PostgreSQL in this process (PGlite: PostgreSQL compiled to WebAssembly),
 * in memory, empty, one session. Starting it takes a few seconds; `@electric-sql/pglite`
 * is loaded only here, so `migsafe lint` never pays for it.
 */
export async function openPgliteDatabase(): Promise<VerifyDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create();
  try {
    const rows = (await db.query<{ version: string; num: string }>("SELECT pg_catalog.version() AS version, pg_catalog.current_setting('server_version_num') AS num")).rows;
    const version = rows[0]?.version ?? "";
    const num = Number(rows[0]?.num);
    const names = /PostgreSQL (\S+) \(PGlite (\S+)\)/.exec(version);
    const description = names ? `PGlite ${names[2]} (PostgreSQL ${names[1]})` : "PGlite";
    let closed = false;
    return {
      description,
      majorVersion: Number.isFinite(num) ? Math.floor(num / 10000) : 0,
      async exec(sql) {
        await db.exec(sql);
      },
      async query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
        return (await db.query<Row>(sql, params ? [...params] : undefined)).rows;
      },
      async close() {
        if (closed) return;
        closed = true;
        await db.close();
      },
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
