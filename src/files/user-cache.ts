/**
 * Files kept in the user's own cache folder ($XDG_CACHE_HOME/migsafe, ~/.cache/migsafe by default): the linter's code
 * cache (src/cli/code-cache.ts) and PGlite's initialised data folder (src/verify/pglite-template.ts). Either could
 * change what migsafe does, so a file is used only when it is a regular file owned by the user running migsafe and
 * writable by no one else, opened without following a link; folders are made 0700 and files 0600.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeFolder } from "./write-file.js";

/** The folder of one kind of user cache (`code`, `pglite`). */
export function userCacheFolder(env: Readonly<Record<string, string | undefined>>, kind: string): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache"), "migsafe", kind);
}

/** The file's bytes when only this user (or the superuser) can have written it; undefined otherwise. */
export function readOwnFile(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    // Opened once and checked through the descriptor: what is checked is what is read.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
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

/**
 * Writes the file through a temporary file in the same folder (made 0700, the file 0600), renamed over it: a reader
 * never sees half a file. Returns false, writing nothing, when the folder is not the user's alone.
 */
export function writeOwnFile(file: string, data: Uint8Array | readonly Uint8Array[]): boolean {
  const folder = path.dirname(file);
  // One level at a time (write-file.ts): Node 20's recursive mkdir never returns for some paths (`/proc/…`).
  makeFolder(folder, 0o700);
  const folderStat = fs.lstatSync(folder);
  if (!folderStat.isDirectory() || !writableByUserAlone(folderStat)) return false;
  const temporary = path.join(folder, `.${path.basename(file)}.${process.pid}.${Date.now()}`);
  const fd = fs.openSync(temporary, "wx", 0o600);
  try {
    for (const part of data instanceof Uint8Array ? [data] : data) fs.writeSync(fd, part);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  return true;
}

/** Removes the files of `kept`'s folder that `sameKind` accepts, all but the `count` most recently modified (`kept` among them). */
export function keepNewest(kept: string, sameKind: (name: string) => boolean, count: number): void {
  const folder = path.dirname(kept);
  const others = fs
    .readdirSync(folder)
    .filter((name) => sameKind(name) && name !== path.basename(kept))
    .map((name) => ({ file: path.join(folder, name), mtime: fs.statSync(path.join(folder, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { file } of others.slice(count - 1)) fs.rmSync(file, { force: true });
}
