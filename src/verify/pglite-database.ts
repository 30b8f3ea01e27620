import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import fs from "node:fs";
import path from "node:path";
import { loadOptional } from "../optional-dependency.js";
import { pgliteTemplate } from "./pglite-template.js";
import { DEFAULT_TIMEOUT_MS, timeoutText, type DatabaseError, type VerifyDatabase } from "./database.js";

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

/** The extension names of the CREATE EXTENSION statements in some SQL (comments included: loading one too many is harmless). */
export function extensionsIn(sql: string): string[] {
  const names = [...sql.matchAll(/\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"([^"]+)"|([\w$-]+))/gi)].map((match) => match[1] ?? match[2]!.toLowerCase());
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
}

/** What the worker thread answers: rows, or PostgreSQL's error; once started, the data folder initdb made (to keep), or whether it started from the kept one. */
type Answer = { id: number; rows?: Record<string, unknown>[]; error?: DatabaseError; template?: ArrayBuffer; fromTemplate?: boolean };

/** PGlite's start parameters besides its defaults: a smaller shared_buffers than PostgreSQL's 128 MB (verify's databases are small, and PGlite's memory is most of verify's). */
const START_PARAMS = ["-c", "shared_buffers=16MB"];

/**
 * PGlite in a worker thread: the thread that runs PostgreSQL's WebAssembly is busy until a
 * statement ends (statement_timeout has no effect in PGlite, and `SELECT pg_sleep(3600)` blocks
 * its thread for an hour), so it is not migsafe's. Written as CommonJS text (a Worker's `eval`)
 * so that it runs the same from the TypeScript sources and from the bundle; `require` paths
 * come resolved from here.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const text = (value) => (typeof value === "string" && value !== "" ? value : undefined);
(async () => {
  const { PGlite } = require(workerData.pglite);
  const extensions = {};
  for (const [name, modulePath] of workerData.extensions) extensions[name] = require(modulePath)[name];
  const startParams = [...PGlite.defaultStartParams, ...workerData.startParams];
  // From the kept data folder when there is one (pglite-template.ts); otherwise initdb, and the folder it made is sent
  // back to be kept, before anything runs on it.
  let db;
  let template;
  if (workerData.template) {
    try {
      db = await PGlite.create({ extensions, startParams, loadDataDir: new Blob([workerData.template]) });
    } catch {
      db = undefined;
    }
  }
  if (!db) {
    db = await PGlite.create({ extensions, startParams });
    if (workerData.keep) template = await (await db.dumpDataDir("none")).arrayBuffer();
  }
  parentPort.on("message", async ({ id, kind, sql, params }) => {
    try {
      const rows = kind === "exec" ? (await db.exec(sql), []) : (await db.query(sql, params)).rows;
      parentPort.postMessage({ id, rows });
    } catch (error) {
      const e = error || {};
      parentPort.postMessage({ id, error: { message: text(e.message) || String(error), code: text(e.code), detail: text(e.detail), hint: text(e.hint), position: Number(e.position) || undefined } });
    }
  });
  parentPort.postMessage({ id: 0, template, fromTemplate: template === undefined && workerData.template !== undefined }, template ? [template] : []);
})().catch((error) => parentPort.postMessage({ id: 0, error: { message: String((error && error.message) || error) } }));
`;

/**
 * An embedded PostgreSQL (PGlite: PostgreSQL compiled to WebAssembly), in memory, empty, one
 * session, in a worker thread of this process. Starting it takes a few seconds;
 * `@electric-sql/pglite` is loaded only there, so `migsafe lint` never pays for it.
 *
 * A statement that runs longer than `timeoutMs` cannot be interrupted inside PGlite: the worker
 * is terminated, the database with it, and every later call fails (see {@link VerifyDatabase.lost}).
 * `cancel()` does the same.
 */
export async function openPgliteDatabase(options: PgliteOptions = {}): Promise<VerifyDatabase> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const require = createRequire(import.meta.url);
  const pglite = await loadOptional(["@electric-sql/pglite"], PGLITE_PURPOSE, async () => require.resolve("@electric-sql/pglite"));
  const wanted = [...new Set(options.extensions ?? [])];
  const extensions = wanted
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
  // The kept folder's bytes move to the worker in a buffer of their own (transferred, not copied again).
  const keptBuffer = ownBuffer(template?.read());
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { pglite, extensions, startParams: START_PARAMS, template: keptBuffer, keep: template !== undefined },
    transferList: keptBuffer ? [keptBuffer] : [],
  });
  let started: "from the kept data folder" | "with initdb" = "with initdb";
  worker.unref();
  const waiting = new Map<number, { resolve: (rows: Record<string, unknown>[]) => void; reject: (error: unknown) => void }>();
  let lost: string | undefined;
  let next = 1;
  const stop = (reason: string) => {
    lost ??= reason;
    void worker.terminate();
    for (const { reject } of waiting.values()) reject(Object.assign(new Error(reason), { code: "57014" }));
    waiting.clear();
  };
  worker.on("message", (answer: Answer) => {
    if (answer.id === 0 && answer.fromTemplate) started = "from the kept data folder";
    if (answer.id === 0 && answer.template) template?.write(new Uint8Array(answer.template));
    const pending = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (answer.error) pending?.reject(Object.assign(new Error(answer.error.message), answer.error));
    else pending?.resolve(answer.rows ?? []);
  });
  worker.on("error", (error) => stop(`the embedded PostgreSQL (PGlite) failed: ${error.message}`));
  worker.on("exit", () => stop("the embedded PostgreSQL (PGlite) stopped"));

  const call = (kind: "exec" | "query", sql: string, params?: readonly unknown[], id = next++): Promise<Record<string, unknown>[]> => {
    if (lost) return Promise.reject(Object.assign(new Error(lost), { code: "57P01" }));
    return new Promise((resolve, reject) => {
      const timer =
        id === 0
          ? undefined
          : setTimeout(
              () => stop(`${timeoutText(timeoutMs)}; PGlite cannot interrupt a running statement, so verify stopped the embedded PostgreSQL, and with it the run`),
              timeoutMs,
            );
      waiting.set(id, {
        resolve: (rows) => (clearTimeout(timer), resolve(rows)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      if (id !== 0) worker.postMessage({ id, kind, sql, params: params ? [...params] : undefined });
    });
  };

  try {
    worker.ref();
    await call("exec", "", undefined, 0);
    const rows = await call("query", "SELECT pg_catalog.version() AS version, pg_catalog.current_setting('server_version_num') AS num");
    const version = String(rows[0]?.version ?? "");
    const num = Number(rows[0]?.num);
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
      async query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
        return (await call("query", sql, params)) as Row[];
      },
      async cancel() {
        if (waiting.size > 0) stop("verify was interrupted");
      },
      async close() {
        lost ??= "the embedded PostgreSQL (PGlite) was closed";
        await worker.terminate();
      },
    };
  } catch (error) {
    await worker.terminate();
    throw error;
  } finally {
    worker.unref();
  }
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
