/**
 * Records what a run reads from the disk and the environment, for its run record (run-record.ts): every file read
 * (its stat and a hash of its bytes), every stat, existence test and real path asked for, and every folder listed
 * (its entries, names and kinds). It wraps the functions of `node:fs` (the object every module shares, then
 * syncBuiltinESMExports for named imports) and `process.env`, so that nothing a run reads is missed whoever reads
 * it: the configuration finder, runner detection, rollback partners, folder histories, fast-glob. A worker thread
 * records its own reads and posts them back (lint-parallel.ts).
 *
 * What cannot be recorded makes the run unrepeatable (no record is written): a child process (git), a write
 * outside the cache folder (a step summary), a file opened by descriptor or named by bytes.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** A file's content as the run read it: its stat then, and the sha256 of its bytes. */
export interface FileInput {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  sha256: string;
  /** Modified within RACY_MS of being read: a later change could keep the same stat, so its content is always re-hashed. */
  racy?: boolean;
}

/** Everything a run read, by path; `unrepeatable` says why the run cannot be replayed. */
export interface RecordedInputs {
  files: Record<string, FileInput>;
  /** `s` (stat), `l` (lstat), `x` (exists) or `r` (real path) + NUL + path → what it gave (statKind / realpath). */
  probes: Record<string, string>;
  /** Folder → hash of its sorted entries (kind and name). */
  dirs: Record<string, string>;
  /** Environment variables read → their value (undefined: unset). */
  env: Record<string, string | undefined>;
  /** When the variables were listed: a hash of their names (envNamesHash). */
  envNames?: string;
  unrepeatable?: string;
}

/** A stat in a few characters: `-` none, `d` folder, `f<size>` file, `l` link (lstat), `o` other, `e<code>` error. */
export function statKind(stat: fs.Stats | undefined, error?: NodeJS.ErrnoException): string {
  if (error) return error.code === "ENOENT" || error.code === "ENOTDIR" ? "-" : `e${error.code ?? "?"}`;
  if (!stat) return "-";
  if (stat.isFile()) return `f${stat.size}`;
  if (stat.isDirectory()) return "d";
  if (stat.isSymbolicLink()) return "l";
  return "o";
}

/** An entry's kind as a name probe records it: `f` file, `l` link, `d` folder, `o` other, `-` not listed. */
export function entryKind(entry: fs.Dirent | undefined): string {
  if (!entry) return "-";
  return entry.isFile() ? "f" : entry.isSymbolicLink() ? "l" : entry.isDirectory() ? "d" : "o";
}

/** A folder's entries as one hash: each entry's kind and name, sorted. */
export function listingHash(entries: readonly fs.Dirent[]): string {
  const kinds = entries.map((entry) => `${entry.isFile() ? "f" : entry.isDirectory() ? "d" : entry.isSymbolicLink() ? "l" : "o"}${entry.name}`).sort();
  return createHash("sha256").update(kinds.join("\0")).digest("hex");
}

/** The names of the variables set, as one hash. */
export function envNamesHash(env: Readonly<Record<string, string | undefined>>): string {
  return createHash("sha256").update(Object.keys(env).sort().join("\0")).digest("hex");
}

/** Files modified less than this before they were read are always re-hashed (the racy-git problem: coarse or equal timestamps). */
export const RACY_MS = 3000;

type AnyFunction = (...args: never[]) => unknown;

export interface FsRecorder {
  readonly inputs: RecordedInputs;
  /** Says the run cannot be replayed (the first reason is kept). */
  unrepeatable(reason: string): void;
  /** Lists a folder without recording its entries: the caller records what it uses of them (noteName, noteListing). */
  listQuietly(dir: string): fs.Dirent[];
  /** The run used whether `name` is in the folder's listing, and of which kind (entryKind), not the rest of it. */
  noteName(dir: string, name: string, kind: string): void;
  /** The run used the folder's whole listing. */
  noteListing(dir: string, entries: readonly fs.Dirent[]): void;
  /** Puts node:fs, child_process and process.env back. */
  stop(): RecordedInputs;
}

let active: FsRecorder | undefined;

/** The recorder of this thread, when one runs (lint-parallel.ts asks its workers to record too). */
export function activeRecorder(): FsRecorder | undefined {
  return active;
}

/**
 * Starts recording this thread's reads. `ignored` folders (the cache folder) are neither recorded nor a reason to
 * refuse a write: what the cache holds only skips work.
 */
export function startRecording(ignored: readonly string[] = [], { racyMs = RACY_MS }: { racyMs?: number } = {}): FsRecorder {
  if (active) return active;
  const inputs: RecordedInputs = { files: {}, probes: {}, dirs: {}, env: {} };
  const originals = new Map<string, unknown>();
  const promiseOriginals = new Map<string, unknown>();
  const original = <T extends AnyFunction>(name: string) => originals.get(name) as T;
  // The folders the cache folder is made in (node_modules, node_modules/.cache): a run creates them, and nothing
  // it prints depends on them.
  const makers = new Set(ignored.flatMap((folder) => [path.dirname(folder), path.dirname(path.dirname(folder))].filter((dir) => dir.split(path.sep).includes("node_modules"))));
  const skip = (file: string) => makers.has(file) || ignored.some((folder) => file === folder || file.startsWith(folder + path.sep));
  /** Descriptors of files opened for writing in the cache folder (writeFileAtomic writes the cache through one). */
  const cacheDescriptors = new Set<number>();
  const unrepeatable = (reason: string) => void (inputs.unrepeatable ??= reason);

  /** The absolute path a fs call names, or undefined (a descriptor or bytes: the run then cannot be replayed). */
  const pathOf = (target: unknown, what: string): string | undefined => {
    if (typeof target === "string") return path.resolve(target);
    if (target instanceof URL && target.protocol === "file:") return fileURLToPath(target);
    unrepeatable(`${what} of a ${typeof target === "number" ? "file descriptor" : "path given as bytes"}`);
    return undefined;
  };
  const statSync = fs.statSync.bind(fs);
  const readdirSync = fs.readdirSync.bind(fs) as (dir: string, options: { withFileTypes: true }) => fs.Dirent[];
  const readRaw = fs.readFileSync.bind(fs) as (file: string) => Buffer;

  const noteFile = (file: string, stat: fs.Stats | undefined, bytes: Buffer) => {
    if (skip(file)) return;
    if (!stat) return unrepeatable(`${file} was read but could not be stat'ed`);
    const known = inputs.files[file];
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (known && known.sha256 !== sha256) return unrepeatable(`${file} changed while it was linted`);
    const racy = Date.now() - stat.mtimeMs < racyMs || Date.now() - stat.ctimeMs < racyMs;
    inputs.files[file] = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, sha256, ...(racy ? { racy } : {}) };
  };
  const probe = (kind: string, file: string, value: string) => {
    if (skip(file)) return;
    const key = `${kind}\0${file}`;
    const known = inputs.probes[key];
    if (known !== undefined && known !== value) unrepeatable(`${file} changed while it was linted`);
    inputs.probes[key] = value;
  };
  const noteDir = (dir: string, entries: readonly fs.Dirent[]) => {
    if (skip(dir)) return;
    const hash = listingHash(entries);
    if (inputs.dirs[dir] !== undefined && inputs.dirs[dir] !== hash) unrepeatable(`${dir} changed while it was linted`);
    inputs.dirs[dir] = hash;
  };
  const statOrUndefined = (file: string) => {
    try {
      return statSync(file);
    } catch {
      return undefined;
    }
  };
  /** Runs `call`, and records what `stat` gave for `file`, the error included. */
  const probed = <T>(kind: string, file: string | undefined, call: () => T, describe: (value: T) => string): T => {
    let value: T;
    try {
      value = call();
    } catch (error) {
      if (file) probe(kind, file, statKind(undefined, error as NodeJS.ErrnoException));
      throw error;
    }
    if (file) probe(kind, file, describe(value));
    return value;
  };
  const encodingOf = (options: unknown): BufferEncoding | undefined =>
    typeof options === "string" ? (options as BufferEncoding) : ((options as { encoding?: BufferEncoding } | undefined)?.encoding ?? undefined);
  const decode = (bytes: Buffer, options: unknown) => {
    const encoding = encodingOf(options);
    return encoding ? bytes.toString(encoding) : bytes;
  };
  /** readdir as asked for, recording the entries: read with their kinds, given back as the caller asked. */
  const listing = (dir: string | undefined, options: unknown, entries: fs.Dirent[]) => {
    if (dir) noteDir(dir, entries);
    const wanted = options as { withFileTypes?: boolean; encoding?: string; recursive?: boolean } | string | undefined;
    if (typeof wanted === "object" && wanted?.withFileTypes) return entries;
    return entries.map((entry) => entry.name);
  };
  const listable = (options: unknown, what: string) => {
    const wanted = options as { encoding?: string; recursive?: boolean } | string | undefined;
    const encoding = typeof wanted === "string" ? wanted : wanted?.encoding;
    if ((encoding !== undefined && encoding !== "utf8" && encoding !== "utf-8") || (typeof wanted === "object" && wanted?.recursive)) {
      unrepeatable(`${what} with bytes or recursively`);
      return false;
    }
    return true;
  };

  const wrappers: Record<string, AnyFunction> = {
    readFileSync: ((target: unknown, options?: unknown) => {
      const file = pathOf(target, "a read");
      if (!file) return original<(...args: unknown[]) => unknown>("readFileSync")(target, options);
      const stat = statOrUndefined(file);
      let bytes: Buffer;
      try {
        bytes = readRaw(file);
      } catch (error) {
        // A file that is not there (a package.json looked for) is an input too.
        probe("s", file, statKind(stat, stat ? undefined : (error as NodeJS.ErrnoException)));
        throw error;
      }
      noteFile(file, stat, bytes);
      return decode(bytes, options);
    }) as AnyFunction,
    statSync: ((target: unknown, options?: { throwIfNoEntry?: boolean }) => {
      const file = pathOf(target, "a stat");
      return probed("s", file, () => original<(...args: unknown[]) => fs.Stats | undefined>("statSync")(target, options), (stat) => statKind(stat));
    }) as AnyFunction,
    lstatSync: ((target: unknown, options?: { throwIfNoEntry?: boolean }) => {
      const file = pathOf(target, "a stat");
      return probed("l", file, () => original<(...args: unknown[]) => fs.Stats | undefined>("lstatSync")(target, options), (stat) => statKind(stat));
    }) as AnyFunction,
    existsSync: ((target: unknown) => {
      const file = pathOf(target, "an existence test");
      const exists = original<(...args: unknown[]) => boolean>("existsSync")(target);
      if (file) probe("x", file, exists ? "1" : "0");
      return exists;
    }) as AnyFunction,
    accessSync: ((target: unknown, mode?: number) => {
      const file = pathOf(target, "an access test");
      return probed("a" + (mode ?? 0), file, () => original<(...args: unknown[]) => void>("accessSync")(target, mode), () => "1");
    }) as AnyFunction,
    realpathSync: ((target: unknown, options?: unknown) => {
      const file = pathOf(target, "a real path");
      return probed("r", file, () => original<(...args: unknown[]) => string>("realpathSync")(target, options), String);
    }) as AnyFunction,
    readdirSync: ((target: unknown, options?: unknown) => {
      const dir = pathOf(target, "a listing");
      if (!listable(options, "a listing")) return original<(...args: unknown[]) => unknown>("readdirSync")(target, options);
      let entries: fs.Dirent[];
      try {
        entries = readdirSync(dir ?? (target as string), { withFileTypes: true });
      } catch (error) {
        if (dir) probe("d", dir, statKind(undefined, error as NodeJS.ErrnoException));
        throw error;
      }
      return listing(dir, options, entries);
    }) as AnyFunction,
    // fast-glob walks folders with the callback functions.
    readdir: ((target: unknown, options: unknown, callback?: (error: Error | null, entries?: unknown) => void) => {
      const done = (typeof options === "function" ? options : callback) as (error: Error | null, entries?: unknown) => void;
      const wanted = typeof options === "function" ? undefined : options;
      const dir = pathOf(target, "a listing");
      if (!listable(wanted, "a listing")) return original<(...args: unknown[]) => void>("readdir")(target, options, callback);
      original<(...args: unknown[]) => void>("readdir")(dir ?? target, { withFileTypes: true }, (error: NodeJS.ErrnoException | null, entries: fs.Dirent[]) => {
        if (error) {
          if (dir) probe("d", dir, statKind(undefined, error));
          return done(error);
        }
        done(null, listing(dir, wanted, entries));
      });
    }) as AnyFunction,
    stat: statCallback("stat", "s"),
    lstat: statCallback("lstat", "l"),
    readFile: ((target: unknown, options: unknown, callback?: (error: Error | null, data?: unknown) => void) => {
      const done = (typeof options === "function" ? options : callback) as (error: Error | null, data?: unknown) => void;
      const wanted = typeof options === "function" ? undefined : options;
      const file = pathOf(target, "a read");
      original<(...args: unknown[]) => void>("readFile")(target, (error: NodeJS.ErrnoException | null, bytes: Buffer) => {
        if (error) {
          if (file) probe("s", file, statKind(statOrUndefined(file), error));
          return done(error);
        }
        if (file) noteFile(file, statOrUndefined(file), bytes);
        done(null, decode(bytes, wanted));
      });
    }) as AnyFunction,
    opendirSync: refused("opendirSync", "a folder opened for reading"),
    opendir: refused("opendir", "a folder opened for reading"),
    openSync: ((target: unknown, flags?: fs.OpenMode, mode?: fs.Mode) => {
      const file = pathOf(target, "an open");
      const reading = flags === undefined || flags === "r" || flags === fs.constants.O_RDONLY;
      if (file && reading) {
        const stat = statOrUndefined(file);
        if (stat?.isFile()) noteFile(file, stat, readRaw(file));
        else probe("s", file, statKind(stat));
      } else if (!file || !skip(file)) unrepeatable(`a write to ${file ?? "a file descriptor"}`);
      const fd = original<(...args: unknown[]) => number>("openSync")(target, flags, mode);
      if (file && !reading && skip(file)) cacheDescriptors.add(fd);
      return fd;
    }) as AnyFunction,
    ...Object.fromEntries(
      ["writeFileSync", "appendFileSync", "renameSync", "rmSync", "unlinkSync", "mkdirSync", "copyFileSync", "symlinkSync", "writeFile", "appendFile", "createWriteStream", "createReadStream", "open"].map((name) => [
        name,
        ((target: unknown, ...rest: unknown[]) => {
          if (typeof target === "number" && cacheDescriptors.has(target)) return original<(...args: unknown[]) => unknown>(name)(target, ...rest);
          const file = typeof target === "string" || target instanceof URL ? pathOf(target, name) : undefined;
          // Making the cache folder makes its parents (node_modules/.cache) too.
          const parentOfIgnored = name === "mkdirSync" && file !== undefined && ignored.some((folder) => folder.startsWith(file + path.sep));
          if (parentOfIgnored) return original<(...args: unknown[]) => unknown>(name)(target, ...rest);
          if (!file || !skip(file) || (name === "renameSync" && !skip(path.resolve(String(rest[0]))))) unrepeatable(`${name} of ${file ?? "a file descriptor"}`);
          return original<(...args: unknown[]) => unknown>(name)(target, ...rest);
        }) as AnyFunction,
      ]),
    ),
  };

  function statCallback(name: "stat" | "lstat", kind: string): AnyFunction {
    return ((target: unknown, options: unknown, callback?: (error: Error | null, stat?: fs.Stats) => void) => {
      const done = (typeof options === "function" ? options : callback) as (error: Error | null, stat?: fs.Stats) => void;
      const wanted = typeof options === "function" ? undefined : options;
      const file = pathOf(target, "a stat");
      original<(...args: unknown[]) => void>(name)(target, wanted ?? {}, (error: NodeJS.ErrnoException | null, stat: fs.Stats) => {
        if (file) probe(kind, file, statKind(stat, error ?? undefined));
        done(error, stat);
      });
    }) as AnyFunction;
  }
  function refused(name: string, what: string): AnyFunction {
    return ((...args: unknown[]) => {
      unrepeatable(what);
      return original<(...args: unknown[]) => unknown>(name)(...args);
    }) as AnyFunction;
  }

  const realpathNative = fs.realpathSync.native;
  (wrappers.realpathSync as unknown as { native: unknown }).native = (target: unknown, options?: unknown) => {
    const file = pathOf(target, "a real path");
    return probed("r", file, () => (realpathNative as (...args: unknown[]) => string)(target, options), String);
  };
  const mutableFs = fs as unknown as Record<string, unknown>;
  // node:fs calls its own exports (readFileSync calls fs.openSync): inside a wrapper, every call goes straight through.
  let inside = false;
  for (const [name, wrapper] of Object.entries(wrappers)) {
    const real = mutableFs[name] as (...args: unknown[]) => unknown;
    originals.set(name, real);
    const guarded = function (this: unknown, ...args: unknown[]) {
      if (inside) return real.apply(this, args);
      inside = true;
      try {
        return (wrapper as (...args: unknown[]) => unknown)(...args);
      } finally {
        inside = false;
      }
    };
    Object.assign(guarded, wrapper);
    mutableFs[name] = guarded;
  }
  // fs.promises: not used by migsafe or its bundled dependencies today; any use would go unrecorded.
  const promises = fs.promises as unknown as Record<string, unknown>;
  for (const name of ["readFile", "stat", "lstat", "readdir", "opendir", "access", "realpath", "open"]) {
    promiseOriginals.set(name, promises[name]);
    promises[name] = (...args: unknown[]) => {
      unrepeatable(`fs.promises.${name}`);
      return (promiseOriginals.get(name) as (...args: unknown[]) => unknown)(...args);
    };
  }
  // A child process (git) reads what no record covers.
  const child = childProcess as unknown as Record<string, unknown>;
  const childOriginals = new Map<string, unknown>();
  for (const name of ["spawn", "spawnSync", "execFile", "execFileSync", "exec", "execSync", "fork"]) {
    childOriginals.set(name, child[name]);
    child[name] = (...args: unknown[]) => {
      unrepeatable(`a child process (${String(args[0])})`);
      return (childOriginals.get(name) as (...args: unknown[]) => unknown)(...args);
    };
  }
  syncBuiltinESMExports();

  // The environment: every variable read, set or not. Enumerating it (a child process's copy) makes the run unrepeatable.
  const realEnv = process.env;
  const envProxy = new Proxy(realEnv, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof name === "string") inputs.env[name] = typeof value === "string" ? value : undefined;
      return value;
    },
    has(target, name) {
      if (typeof name === "string") inputs.env[name] = target[name];
      return Reflect.has(target, name);
    },
    // A module that lists the variables (the `debug` package looks for DEBUG_*): which ones are set is an input.
    ownKeys(target) {
      inputs.envNames = envNamesHash(target);
      return Reflect.ownKeys(target);
    },
  });
  process.env = envProxy;

  const recorder: FsRecorder = {
    inputs,
    unrepeatable,
    listQuietly: (dir) => readdirSync(dir, { withFileTypes: true }),
    noteName: (dir, name, kind) => probe("n", path.join(path.resolve(dir), name), kind),
    noteListing: (dir, entries) => noteDir(path.resolve(dir), entries),
    stop() {
      for (const [name, value] of originals) mutableFs[name] = value;
      for (const [name, value] of promiseOriginals) promises[name] = value;
      for (const [name, value] of childOriginals) child[name] = value;
      syncBuiltinESMExports();
      if (process.env === envProxy) process.env = realEnv;
      active = undefined;
      return inputs;
    },
  };
  active = recorder;
  return recorder;
}

/** Adds a worker thread's reads to this thread's record. */
export function mergeInputs(into: RecordedInputs, from: RecordedInputs): void {
  for (const [file, input] of Object.entries(from.files)) {
    const known = into.files[file];
    if (known && known.sha256 !== input.sha256) into.unrepeatable ??= `${file} changed while it was linted`;
    else into.files[file] = input;
  }
  for (const [key, value] of Object.entries(from.probes)) {
    if (into.probes[key] !== undefined && into.probes[key] !== value) into.unrepeatable ??= `${key.slice(2)} changed while it was linted`;
    else into.probes[key] = value;
  }
  for (const [dir, hash] of Object.entries(from.dirs)) {
    if (into.dirs[dir] !== undefined && into.dirs[dir] !== hash) into.unrepeatable ??= `${dir} changed while it was linted`;
    else into.dirs[dir] = hash;
  }
  for (const [name, value] of Object.entries(from.env)) if (!(name in into.env)) into.env[name] = value;
  if (from.envNames) into.envNames = from.envNames;
  if (from.unrepeatable) into.unrepeatable ??= from.unrepeatable;
}
