/**
 * Loads the linter bundle (dist/run.cjs) with V8's code cache: the bytecode of the functions a run compiled, kept
 * per user, so that the next run neither parses the 1.3 MB bundle nor compiles those functions again (Node 20 has no
 * compile cache for ES modules; `vm.Script` takes one for a script).
 *
 * Cached bytecode is code: whoever can write the cache file can run code as the user. It is kept in the user's own
 * cache folder ($XDG_CACHE_HOME/migsafe/code, ~/.cache/migsafe/code by default), made with mode 0700, and a file is
 * used only when it is a regular file owned by the user running migsafe and writable by no one else. V8 itself
 * checks that the data was made by the same V8 version with the same flags, and refuses it otherwise (the run then
 * compiles as without a cache, and replaces the file). The file's name holds the bundle's identity (path, size,
 * mtime, ctime, inode): a bundle changed in any way has another name. `MIGSAFE_NO_CODE_CACHE=1` turns it off.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { makeFolder } from "../files/write-file.js";

export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** How the bundle was compiled: from the cache, or from source (and why the cache was not used). */
  compiled: "from the code cache" | "from source";
  /** Writes the code cache when the bundle was compiled from source; call it when the run is over, so that the functions it compiled are in it. */
  keepCode(): void;
}

/** Where a user's code caches are kept. */
export function codeCacheFolder(env: Readonly<Record<string, string | undefined>>): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache"), "migsafe", "code");
}

/** Runs the CommonJS bundle `file` and returns its exports, its compiled code taken from (and later kept in) the user's code cache. */
export function loadBundle(file: string, env: Readonly<Record<string, string | undefined>>): LoadedBundle {
  const source = fs.readFileSync(file, "utf8");
  const cacheFile = env.MIGSAFE_NO_CODE_CACHE === "1" ? undefined : cacheFileOf(file, env);
  const cachedData = cacheFile === undefined ? undefined : readTrusted(cacheFile);
  // The bundle runs as Node runs a CommonJS module: in a function of its exports, require, module and paths.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    // No importModuleDynamically: Node 20 does not give it to code deserialised from a cache, so the bundle must not
    // import() anything (it require()s its optional packages; test/cli/code-cache.test.ts checks the bundle).
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as Record<string, unknown> };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, path.dirname(file));
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    compiled: fromCache ? "from the code cache" : "from source",
    keepCode() {
      if (fromCache || cacheFile === undefined) return;
      try {
        writeOwn(cacheFile, script.createCachedData());
      } catch {
        // A cache that cannot be written only means the next run compiles again.
      }
    },
  };
}

/** The cache file of this bundle, this Node and this machine; undefined when the bundle cannot be stat'ed. */
function cacheFileOf(file: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  try {
    const stat = fs.statSync(file);
    const identity = [path.resolve(file), stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, process.version, process.arch, process.execPath].join("\0");
    return path.join(codeCacheFolder(env), `${path.basename(file)}-${createHash("sha256").update(identity).digest("hex").slice(0, 32)}.v8`);
  } catch {
    return undefined;
  }
}

/** The file's bytes when only this user (or the superuser) can have written it; undefined otherwise. */
function readTrusted(cacheFile: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    // Opened once and checked through the descriptor: what is checked is what is read.
    fd = fs.openSync(cacheFile, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || !writableByUserAlone(stat)) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Owned by the user running migsafe, and writable by no group or other user. */
function writableByUserAlone(stat: fs.Stats): boolean {
  // Windows has no owners here: the folder is in the user's own profile.
  const owned = typeof process.getuid !== "function" || stat.uid === process.getuid();
  return owned && (stat.mode & 0o022) === 0;
}

/** Writes the file through a temporary file in the same folder (made 0700, the file 0600), renamed over it: a reader never sees half a file. */
function writeOwn(cacheFile: string, data: Buffer): void {
  const folder = path.dirname(cacheFile);
  // One level at a time (write-file.ts): Node 20's recursive mkdir never returns for some paths (`/proc/…`).
  makeFolder(folder, 0o700);
  const folderStat = fs.lstatSync(folder);
  if (!folderStat.isDirectory() || !writableByUserAlone(folderStat)) return;
  const temporary = path.join(folder, `.${path.basename(cacheFile)}.${process.pid}.${Date.now()}`);
  fs.writeFileSync(temporary, data, { mode: 0o600, flag: "wx" });
  try {
    fs.renameSync(temporary, cacheFile);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  pruneOlder(folder, cacheFile);
}

/** Each build and each Node version has its own file: only the most recent few of a bundle are kept. */
const KEPT_PER_BUNDLE = 4;

function pruneOlder(folder: string, kept: string): void {
  const prefix = `${path.basename(kept).replace(/-[0-9a-f]+\.v8$/, "")}-`;
  const others = fs
    .readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".v8") && name !== path.basename(kept))
    .map((name) => ({ file: path.join(folder, name), mtime: fs.statSync(path.join(folder, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { file } of others.slice(KEPT_PER_BUNDLE - 1)) fs.rmSync(file, { force: true });
}
