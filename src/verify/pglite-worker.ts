import { Worker } from "node:worker_threads";
import type { DatabaseError } from "./database.js";

/** What the worker thread answers: rows, or PostgreSQL's error; once started, the data folder initdb made (to keep), or whether it started from the given one; the files of its data folder. */
type Answer = { id: number; rows?: Record<string, unknown>[]; error?: DatabaseError; template?: ArrayBuffer; fromTemplate?: boolean; files?: DataFile[] };

/** A file or folder (no data) of PGlite's data folder, by its path in it. */
export interface DataFile {
  path: string;
  mode: number;
  data?: ArrayBuffer;
}

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
// The data folder's files (of the instance this one replaces, shut down) are written into PGlite's in-memory file system
// before PostgreSQL starts, which then finds its data folder and resumes: no tar is made or read, and MEMFS takes the
// transferred bytes as they are (canOwn), so that a restart holds the folder once, not four times.
const PGDATA = "/pglite/data";
const preloaded = (MemoryFS, files) => new (class extends MemoryFS {
  async initialSyncFs() {
    const FS = this.pg.Module.FS;
    FS.mkdirTree(PGDATA);
    for (const file of files) {
      const where = PGDATA + "/" + file.path;
      if (file.data === undefined) {
        FS.mkdirTree(where);
      } else {
        const stream = FS.open(where, "w+");
        FS.write(stream, new Uint8Array(file.data), 0, file.data.byteLength, 0, true);
        FS.close(stream);
      }
      FS.chmod(where, file.mode);
    }
  }
})();
const filesOf = (FS) => {
  const files = [];
  // Paths relative to PGDATA ("" is PGDATA itself), folders before what they hold.
  const walk = (folder) => {
    for (const name of FS.readdir(folder === "" ? PGDATA : PGDATA + "/" + folder)) {
      if (name === "." || name === "..") continue;
      const relative = folder === "" ? name : folder + "/" + name;
      const where = PGDATA + "/" + relative;
      const { mode } = FS.stat(where);
      if (FS.isDir(mode)) {
        files.push({ path: relative, mode });
        walk(relative);
      } else {
        files.push({ path: relative, mode, data: FS.readFile(where).buffer });
      }
    }
  };
  walk("");
  return files;
};
(async () => {
  const { PGlite, MemoryFS } = require(workerData.pglite);
  const extensions = {};
  for (const [name, modulePath] of workerData.extensions) extensions[name] = require(modulePath)[name];
  const startParams = [...PGlite.defaultStartParams, ...workerData.startParams];
  // From the files of the instance this one replaces, which must load; from the kept data folder when there is one
  // (pglite-template.ts); otherwise initdb, and the folder it made is sent back to be kept, before anything runs on it.
  let db;
  let template;
  if (workerData.files) {
    db = await PGlite.create({ extensions, startParams, fs: preloaded(MemoryFS, workerData.files) });
  } else if (workerData.dataDir) {
    try {
      db = await PGlite.create({ extensions, startParams, loadDataDir: new Blob([workerData.dataDir]) });
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
      if (kind === "files") {
        // Shut down cleanly first: a data folder copied from a running instance starts with crash recovery, after
        // which every sequence jumps ahead by the values it had logged in advance (a serial column's next id with it).
        const FS = db.Module.FS;
        await db.close();
        const files = filesOf(FS);
        parentPort.postMessage({ id, files }, files.flatMap((file) => (file.data ? [file.data] : [])));
        return;
      }
      const rows = kind === "exec" ? (await db.exec(sql), []) : (await db.query(sql, params)).rows;
      parentPort.postMessage({ id, rows });
    } catch (error) {
      const e = error || {};
      parentPort.postMessage({ id, error: { message: text(e.message) || String(error), code: text(e.code), detail: text(e.detail), hint: text(e.hint), position: Number(e.position) || undefined } });
    }
  });
  parentPort.postMessage({ id: 0, template, fromTemplate: template === undefined && workerData.files === undefined && workerData.dataDir !== undefined }, template ? [template] : []);
})().catch((error) => parentPort.postMessage({ id: 0, error: { message: String((error && error.message) || error) } }));
`;

export interface WorkerStart {
  /** The resolved path of `@electric-sql/pglite`. */
  pglite: string;
  /** Extensions to load: [name PGlite knows it by, resolved module path]. */
  extensions: readonly (readonly [string, string])[];
  startParams: readonly string[];
  /** A data folder (tar) to start from, transferred to the worker; initdb runs when it does not load. */
  dataDir?: ArrayBuffer;
  /** The files of a data folder to start from (a restart: see {@link PgliteWorker.files}), transferred to the worker. */
  files?: readonly DataFile[];
  /** Whether to send back the data folder initdb made, to be kept. */
  keep?: boolean;
}

export interface PgliteWorker {
  /** Resolves once PostgreSQL answers: how it started, and the data folder initdb made when `keep` was asked. */
  readonly ready: Promise<{ fromDataDir: boolean; template?: Uint8Array }>;
  /** One request; rejects with PostgreSQL's error, or with `reason` of {@link stop} when the worker is stopped meanwhile. */
  call(kind: "exec" | "query", sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** The files of the data folder, moved out of the worker after PostgreSQL shut down (the worker is of no use after). */
  files(): Promise<DataFile[]>;
  /** Whether a request is waiting for its answer. */
  readonly busy: boolean;
  /** Terminates the thread; waiting requests reject with `reason` and code 57014 (query_canceled). */
  stop(reason: string): Promise<void>;
  /** Called once when the thread ends by itself (a crash), with why; not after {@link stop}. */
  onLost(listener: (reason: string) => void): void;
}

type Waiting = { resolve: (answer: Answer) => void; reject: (error: unknown) => void };

/** Starts PGlite in a worker thread of its own. */
export function startPgliteWorker(start: WorkerStart): PgliteWorker {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { pglite: start.pglite, extensions: start.extensions, startParams: start.startParams, dataDir: start.dataDir, files: start.files, keep: start.keep === true },
    transferList: [...(start.dataDir ? [start.dataDir] : []), ...(start.files ?? []).flatMap((file) => (file.data ? [file.data] : []))],
  });
  worker.unref();
  const waiting = new Map<number, Waiting>();
  let next = 1;
  let ended = false;
  let lostListener: ((reason: string) => void) | undefined;
  const rejectAll = (reason: string) => {
    for (const { reject } of waiting.values()) reject(Object.assign(new Error(reason), { code: "57014" }));
    waiting.clear();
    worker.unref();
  };
  const lose = (reason: string) => {
    if (ended) return;
    ended = true;
    rejectAll(reason);
    lostListener?.(reason);
  };
  worker.on("message", (answer: Answer) => {
    const pending = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (waiting.size === 0) worker.unref();
    if (answer.error) pending?.reject(Object.assign(new Error(answer.error.message), answer.error));
    else pending?.resolve(answer);
  });
  worker.on("error", (error) => lose(`the embedded PostgreSQL (PGlite) failed: ${error.message}`));
  worker.on("exit", () => lose("the embedded PostgreSQL (PGlite) stopped"));

  const request = (id: number, message?: object): Promise<Answer> => {
    if (ended) return Promise.reject(Object.assign(new Error("the embedded PostgreSQL (PGlite) stopped"), { code: "57P01" }));
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      // Referenced while a request waits, so that the process does not exit under it.
      worker.ref();
      if (message) worker.postMessage({ id, ...message });
    });
  };
  return {
    ready: request(0).then((answer) => ({
      fromDataDir: answer.fromTemplate === true,
      ...(answer.template ? { template: new Uint8Array(answer.template) } : {}),
    })),
    async call(kind, sql, params) {
      return (await request(next++, { kind, sql, params: params ? [...params] : undefined })).rows ?? [];
    },
    async files() {
      const answer = await request(next++, { kind: "files" });
      if (!answer.files) throw new Error("PGlite sent no data folder");
      return answer.files;
    },
    get busy() {
      return waiting.size > 0;
    },
    async stop(reason) {
      ended = true;
      rejectAll(reason);
      await worker.terminate();
    },
    onLost(listener) {
      lostListener = listener;
    },
  };
}
