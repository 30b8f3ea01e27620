import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { loadOptional } from "../optional-dependency.js";
import { pgliteTemplate } from "./pglite-template.js";
import { DEFAULT_TIMEOUT_MS, timeoutText, type VerifyDatabase } from "./database.js";
import { startPgliteWorker, type DataFile } from "./pglite-worker.js";
import { restoreSettings, sessionState, type SessionState } from "./session-state.js";

/**
 * The contrib extensions PGlite ships, by the name CREATE EXTENSION uses (their module is
 * `@electric-sql/pglite/contrib/<name with _ for ->`). Each one is loaded into PGlite when it
 * starts, which costs time: only those the migrations create are loaded (see extensionsIn).
 */
const CONTRIB: ReadonlySet<string> = new Set([
  "amcheck",
  "bloom",
  "btree_gin",
  "btree_gist",
  "citext",
  "cube",
  "dict_int",
  "dict_xsyn",
  "earthdistance",
  "file_fdw",
  "fuzzystrmatch",
  "hstore",
  "intarray",
  "isn",
  "lo",
  "ltree",
  "moddatetime",
  "pageinspect",
  "pg_buffercache",
  "pg_freespacemap",
  "pg_stat_statements",
  "pg_surgery",
  "pg_trgm",
  "pg_visibility",
  "pg_walinspect",
  "pgcrypto",
  "seg",
  "tablefunc",
  "tcn",
  "tsm_system_rows",
  "tsm_system_time",
  "unaccent",
  "uuid-ossp",
]);

/**
 * Extensions PGlite has in packages of their own (npm name, pinned to the PGlite version they are built for, and the
 * export that holds the extension): optional, named in a notice when a migration creates one and it is not installed.
 */
const PACKAGED: ReadonlyMap<string, { npm: string; version: string }> = new Map([["vector", { npm: "@electric-sql/pglite-pgvector", version: "0.0.16" }]]);

/** Extensions every PostgreSQL has without loading anything. */
const BUILT_IN: ReadonlySet<string> = new Set(["plpgsql"]);

/** What verify says of an extension PGlite has no build of (PostGIS, h3, …): its CREATE EXTENSION fails there. */
export function unavailableNotice(name: string): string {
  return `the migrations create extension ${name}, which PGlite has no build of: CREATE EXTENSION ${name} will fail, and what uses it after; verify on a server that has it (--database-url)`;
}

/** Where an extension PGlite has in a package of its own is (`module`), or the notice that the package is missing; undefined for any other extension. */
export function packagedExtension(name: string, resolve: (id: string) => string): { module: string } | { notice: string } | undefined {
  const packaged = PACKAGED.get(name);
  if (!packaged) return undefined;
  try {
    return { module: resolve(packaged.npm) };
  } catch {
    return {
      notice: `the migrations create extension ${name}, which PGlite has in ${packaged.npm}, not installed: CREATE EXTENSION ${name} will fail (npm install --save-dev ${packaged.npm}@${packaged.version})`,
    };
  }
}

/**
 * The extension names of the CREATE EXTENSION statements in some SQL (comments included: loading one too many is
 * harmless), and of node-pg-migrate's `pgm.createExtension('name')` / `addExtension([...])` in a TS/JS migration.
 */
export function extensionsIn(sql: string): string[] {
  const names = [...sql.matchAll(/\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"([^"]+)"|([\w$-]+))/gi)].map((match) => match[1] ?? match[2]!.toLowerCase());
  for (const call of sql.matchAll(/\bpgm\s*\.\s*(?:create|add)Extension\s*\(\s*(\[[^\]]*\]|(['"`])[\w$-]+\2)/g)) {
    for (const literal of call[1]!.matchAll(/(['"`])([\w$-]+)\1/g)) names.push(literal[2]!);
  }
  return [...new Set(names)];
}

const PGLITE_PURPOSE = "migsafe verify without a DATABASE_URL (it runs the migrations on PGlite, PostgreSQL in WebAssembly)";

export interface PgliteOptions {
  /** Extensions (CREATE EXTENSION names) to make available; those PGlite does not ship are left out, and CREATE EXTENSION reports them. */
  extensions?: readonly string[];
  /** The longest a statement may run, in milliseconds (--timeout). Default: 60 s. */
  timeoutMs?: number;
  /** Where the user's caches and cache secret are (XDG_CACHE_HOME, HOME, MIGSAFE_CACHE_SECRET…), for the kept data folder (pglite-template.ts). Default: none kept. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How many MB the process may grow by before releaseMemory restarts PGlite (0: at every call). Default: 48. */
  restartGrowthMb?: number;
}

/** PGlite's start parameters besides its defaults: a smaller shared_buffers than PostgreSQL's 128 MB (verify's databases are small, and PGlite's memory is most of verify's). */
const START_PARAMS = ["-c", "shared_buffers=16MB"];

/**
 * How much the process's resident memory may grow over what it was when PGlite (re)started before verify restarts
 * PGlite between two migrations: WebAssembly memory only grows, and a long history grows PGlite's by hundreds of MB.
 */
const DEFAULT_RESTART_GROWTH_MB = 48;

/**
 * An embedded PostgreSQL (PGlite: PostgreSQL compiled to WebAssembly), in memory, empty, one
 * session, in a worker thread of this process. Starting it takes a few seconds;
 * `@electric-sql/pglite` is loaded only there, so `migsafe lint` never pays for it.
 *
 * A statement that runs longer than `timeoutMs` cannot be interrupted inside PGlite: the worker
 * is terminated, the database with it, and every later call fails (see {@link VerifyDatabase.lost}).
 * `cancel()` does the same.
 *
 * Between migrations, {@link VerifyDatabase.releaseMemory} starts a new instance from the files of the data folder once
 * the process has grown by `restartGrowthMb`, and terminates the old one, whose WebAssembly memory is then freed.
 */
export async function openPgliteDatabase(options: PgliteOptions = {}): Promise<VerifyDatabase> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const restartGrowth = (options.restartGrowthMb ?? DEFAULT_RESTART_GROWTH_MB) * 1024 * 1024;
  const require = createRequire(import.meta.url);
  const pglite = await loadOptional(["@electric-sql/pglite"], PGLITE_PURPOSE, async () => require.resolve("@electric-sql/pglite"));
  const wanted = [...new Set(options.extensions ?? [])];
  const extensions: [string, string][] = wanted
    .filter((name) => CONTRIB.has(name))
    .map((name) => {
      const module = name.replace(/-/g, "_");
      return [module, require.resolve(`@electric-sql/pglite/contrib/${module}`)];
    });
  const notices: string[] = [];
  for (const name of wanted) {
    const found = packagedExtension(name, (id) => require.resolve(id));
    if (found && "module" in found) extensions.push([name, found.module]);
    else if (found) notices.push(found.notice);
    else if (!CONTRIB.has(name) && !BUILT_IN.has(name)) notices.push(unavailableNotice(name));
  }
  const template = options.env ? pgliteTemplate(options.env, pgliteVersion(pglite), START_PARAMS) : undefined;
  let lost: string | undefined;
  let worker = startPgliteWorker({ pglite, extensions, startParams: START_PARAMS, dataDir: ownBuffer(template?.read()), keep: template !== undefined });
  const stop = (reason: string) => {
    lost ??= reason;
    void worker.stop(reason);
  };
  worker.onLost(stop);

  const call = (kind: "exec" | "query", sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]> => {
    if (lost) return Promise.reject(Object.assign(new Error(lost), { code: "57P01" }));
    const timer = setTimeout(
      () => stop(`${timeoutText(timeoutMs)}; PGlite cannot interrupt a running statement, so verify stopped the embedded PostgreSQL, and with it the run`),
      timeoutMs,
    );
    return worker.call(kind, sql, params).finally(() => clearTimeout(timer));
  };
  const query = async <Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) => (await call("query", sql, params)) as Row[];

  let started: "from the kept data folder" | "with initdb";
  let user: string;
  let version: string;
  let num: number;
  try {
    const ready = await worker.ready;
    if (ready.template) template?.write(ready.template);
    started = ready.fromDataDir ? "from the kept data folder" : "with initdb";
    const [row] = await query<{ version: string; num: string; user: string }>("SELECT pg_catalog.version() AS version, pg_catalog.current_setting('server_version_num') AS num, session_user::text AS user");
    version = String(row?.version ?? "");
    num = Number(row?.num);
    user = String(row?.user ?? "");
  } catch (error) {
    await worker.stop("verify could not start the embedded PostgreSQL (PGlite)");
    throw error;
  }
  let restarts = 0;
  let baseline = process.memoryUsage.rss();

  /**
   * A new instance from the files of this one's data folder (after a clean shutdown), with the session's settings; the old one terminated first
   * (both at once would hold both memories). Says what it did; never throws: when the new instance does not start, the
   * database is lost and the run stops there, as after a timeout.
   */
  const restart = async (grown: number): Promise<string> => {
    let state: SessionState;
    try {
      state = await sessionState({ query }, user);
    } catch (error) {
      return `PGlite was not restarted to give memory back: the session's state could not be read (${errorMessage(error)})`;
    }
    if ("lost" in state) return `PGlite was not restarted to give memory back: ${state.lost}, which a new session would not have`;
    const { settings } = state;
    let files: DataFile[];
    try {
      files = await worker.files();
    } catch (error) {
      // The instance shut down before its files were read: it is gone either way.
      const reason = `the embedded PostgreSQL (PGlite) could not be restarted from its data folder: ${errorMessage(error)}`;
      stop(reason);
      return reason;
    }
    const size = files.reduce((sum, file) => sum + (file.data?.byteLength ?? 0), 0);
    await worker.stop("PGlite was restarted");
    worker = startPgliteWorker({ pglite, extensions, startParams: START_PARAMS, files });
    worker.onLost(stop);
    try {
      await worker.ready;
      await restoreSettings({ query }, settings);
    } catch (error) {
      const reason = `the embedded PostgreSQL (PGlite) could not be restarted from its data folder: ${errorMessage(error)}`;
      stop(reason);
      return reason;
    }
    restarts++;
    const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
    return `PGlite restarted from its data folder (${mb(size)} MB) to give memory back, after the process grew by ${mb(grown)} MB (restart ${restarts}; ${settings.length} session settings set again)`;
  };

  const names = /PostgreSQL (\S+) \(PGlite (\S+)\)/.exec(version);
  return {
    description: names ? `PGlite ${names[2]} (PostgreSQL ${names[1]})` : "PGlite",
    notices,
    isolated: true,
    started,
    majorVersion: Number.isFinite(num) ? Math.floor(num / 10000) : 0,
    get lost() {
      return lost;
    },
    async exec(sql) {
      await call("exec", sql);
    },
    async run(sql) {
      // The extended protocol: one statement, never a second one hidden in its text.
      await call("query", sql);
    },
    query,
    async releaseMemory() {
      const grown = process.memoryUsage.rss() - baseline;
      if (lost || (restartGrowth > 0 && grown <= restartGrowth)) return undefined;
      const said = await restart(grown);
      // Restarted or not (the session holds state), asked again only after as much growth again.
      baseline = process.memoryUsage.rss();
      return said;
    },
    async cancel() {
      if (worker.busy) stop("verify was interrupted");
    },
    async close() {
      lost ??= "the embedded PostgreSQL (PGlite) was closed";
      await worker.stop(lost);
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The version of the PGlite package whose entry point is `entry` (its package.json, up the tree); "" when not found. */
function pgliteVersion(entry: string): string {
  for (let folder = path.dirname(entry); folder !== path.dirname(folder); folder = path.dirname(folder)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "@electric-sql/pglite") return String(manifest.version);
    } catch {
      // Not this folder.
    }
  }
  return "";
}

/** The bytes in an ArrayBuffer of their own, which can be transferred to a worker. */
function ownBuffer(bytes: Uint8Array | undefined): ArrayBuffer | undefined {
  if (!bytes) return undefined;
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}
