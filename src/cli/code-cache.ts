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
import path from "node:path";
import vm from "node:vm";
import { keepNewest, readOwnFile, userCacheFolder, writeOwnFile } from "../files/user-cache.js";

export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** How the bundle was compiled: from the cache, or from source (and why the cache was not used). */
  compiled: "from the code cache" | "from source";
  /** Writes the code cache when the bundle was compiled from source; call it when the run is over, so that the functions it compiled are in it. */
  keepCode(): void;
}

/** Where a user's code caches are kept. */
export function codeCacheFolder(env: Readonly<Record<string, string | undefined>>): string {
  return userCacheFolder(env, "code");
}

/** Runs the CommonJS bundle `file` and returns its exports, its compiled code taken from (and later kept in) the user's code cache. */
export function loadBundle(file: string, env: Readonly<Record<string, string | undefined>>): LoadedBundle {
  const source = fs.readFileSync(file, "utf8");
  const cacheFile = env.MIGSAFE_NO_CODE_CACHE === "1" ? undefined : cacheFileOf(file, env);
  const cachedData = cacheFile === undefined ? undefined : readOwnFile(cacheFile);
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

/** Writes the cache file (user-cache.ts) and removes the bundle's older ones. */
function writeOwn(cacheFile: string, data: Buffer): void {
  if (!writeOwnFile(cacheFile, data)) return;
  const prefix = `${path.basename(cacheFile).replace(/-[0-9a-f]+\.v8$/, "")}-`;
  keepNewest(cacheFile, (name) => name.startsWith(prefix) && name.endsWith(".v8"), KEPT_PER_BUNDLE);
}

/** Each build and each Node version has its own file: only the most recent few of a bundle are kept. */
const KEPT_PER_BUNDLE = 4;
