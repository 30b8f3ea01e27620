import type { Extension } from "@electric-sql/pglite";
import type { VerifyDatabase } from "./database.js";

type Loader = () => Promise<Extension>;

/**
 * The contrib extensions PGlite ships, by the name CREATE EXTENSION uses. Each one is
 * loaded into PGlite when it starts, which costs time: only those the migrations create
 * are loaded (see extensionsIn).
 */
const CONTRIB: Record<string, Loader> = {
  amcheck: async () => (await import("@electric-sql/pglite/contrib/amcheck")).amcheck,
  bloom: async () => (await import("@electric-sql/pglite/contrib/bloom")).bloom,
  btree_gin: async () => (await import("@electric-sql/pglite/contrib/btree_gin")).btree_gin,
  btree_gist: async () => (await import("@electric-sql/pglite/contrib/btree_gist")).btree_gist,
  citext: async () => (await import("@electric-sql/pglite/contrib/citext")).citext,
  cube: async () => (await import("@electric-sql/pglite/contrib/cube")).cube,
  dict_int: async () => (await import("@electric-sql/pglite/contrib/dict_int")).dict_int,
  dict_xsyn: async () => (await import("@electric-sql/pglite/contrib/dict_xsyn")).dict_xsyn,
  earthdistance: async () => (await import("@electric-sql/pglite/contrib/earthdistance")).earthdistance,
  file_fdw: async () => (await import("@electric-sql/pglite/contrib/file_fdw")).file_fdw,
  fuzzystrmatch: async () => (await import("@electric-sql/pglite/contrib/fuzzystrmatch")).fuzzystrmatch,
  hstore: async () => (await import("@electric-sql/pglite/contrib/hstore")).hstore,
  intarray: async () => (await import("@electric-sql/pglite/contrib/intarray")).intarray,
  isn: async () => (await import("@electric-sql/pglite/contrib/isn")).isn,
  lo: async () => (await import("@electric-sql/pglite/contrib/lo")).lo,
  ltree: async () => (await import("@electric-sql/pglite/contrib/ltree")).ltree,
  moddatetime: async () => (await import("@electric-sql/pglite/contrib/moddatetime")).moddatetime,
  pageinspect: async () => (await import("@electric-sql/pglite/contrib/pageinspect")).pageinspect,
  pg_buffercache: async () => (await import("@electric-sql/pglite/contrib/pg_buffercache")).pg_buffercache,
  pg_freespacemap: async () => (await import("@electric-sql/pglite/contrib/pg_freespacemap")).pg_freespacemap,
  pg_stat_statements: async () => (await import("@electric-sql/pglite/contrib/pg_stat_statements")).pg_stat_statements,
  pg_surgery: async () => (await import("@electric-sql/pglite/contrib/pg_surgery")).pg_surgery,
  pg_trgm: async () => (await import("@electric-sql/pglite/contrib/pg_trgm")).pg_trgm,
  pg_visibility: async () => (await import("@electric-sql/pglite/contrib/pg_visibility")).pg_visibility,
  pg_walinspect: async () => (await import("@electric-sql/pglite/contrib/pg_walinspect")).pg_walinspect,
  pgcrypto: async () => (await import("@electric-sql/pglite/contrib/pgcrypto")).pgcrypto,
  seg: async () => (await import("@electric-sql/pglite/contrib/seg")).seg,
  tablefunc: async () => (await import("@electric-sql/pglite/contrib/tablefunc")).tablefunc,
  tcn: async () => (await import("@electric-sql/pglite/contrib/tcn")).tcn,
  tsm_system_rows: async () => (await import("@electric-sql/pglite/contrib/tsm_system_rows")).tsm_system_rows,
  tsm_system_time: async () => (await import("@electric-sql/pglite/contrib/tsm_system_time")).tsm_system_time,
  unaccent: async () => (await import("@electric-sql/pglite/contrib/unaccent")).unaccent,
  "uuid-ossp": async () => (await import("@electric-sql/pglite/contrib/uuid_ossp")).uuid_ossp,
};

/** The extension names of the CREATE EXTENSION statements in some SQL (comments included: loading one too many is harmless). */
export function extensionsIn(sql: string): string[] {
  const names = [...sql.matchAll(/\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"([^"]+)"|([\w$-]+))/gi)].map((match) => match[1] ?? match[2]!.toLowerCase());
  return [...new Set(names)];
}

export interface PgliteOptions {
  /** Extensions (CREATE EXTENSION names) to make available; those PGlite does not ship are left out, and CREATE EXTENSION reports them. */
  extensions?: readonly string[];
}

/**
 * An embedded PostgreSQL in this process (PGlite: PostgreSQL compiled to WebAssembly),
 * in memory, empty, one session. Starting it takes a few seconds; `@electric-sql/pglite`
 * is loaded only here, so `migsafe lint` never pays for it.
 */
export async function openPgliteDatabase(options: PgliteOptions = {}): Promise<VerifyDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const extensions: Record<string, Extension> = {};
  for (const name of new Set(options.extensions ?? [])) {
    const load = Object.hasOwn(CONTRIB, name) ? CONTRIB[name] : undefined;
    if (load) extensions[name.replace(/-/g, "_")] = await load();
  }
  const db = await PGlite.create({ extensions });
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
