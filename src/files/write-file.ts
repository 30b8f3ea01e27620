import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** A write migsafe will not do, with the reason in one line (the file is left as it was). */
export class WriteRefused extends Error {
  override name = "WriteRefused";
}

/** What a write may touch. */
export interface WritePolicy {
  /** The project's folder: a path inside it that leads outside through a symbolic link is refused… */
  projectRoot?: string;
  /** …unless this is set (--write-outside-project). */
  outsideProject?: boolean;
}

/** The temporary files being written, removed by removePendingTempFiles when the process is interrupted. */
const pendingTempFiles = new Set<string>();

/** Removes every temporary file a write left (called on SIGINT/SIGTERM). */
export function removePendingTempFiles(): void {
  for (const temp of pendingTempFiles) fs.rmSync(temp, { force: true });
  pendingTempFiles.clear();
}

/**
 * Replaces a file's content atomically: writes a temporary file next to it (same
 * folder, so the rename stays on one file system) with the original's mode, owner
 * and group, then renames it over the original, so the file is always either the
 * old or the new one. A symbolic link is followed, not replaced. A file that does not
 * exist yet is created with the default mode (0666 less the umask).
 *
 * Refused (WriteRefused) rather than done differently from what the user expects: a
 * read-only file (its owner said not to change it; renaming over it would ignore that),
 * a file with other hard links (a new copy would leave them the old content), a file
 * whose owner, group or mode a new copy cannot keep, and a path that leaves the project
 * through a symbolic link (unless the policy allows it).
 */
export function writeFileAtomic(filePath: string, content: string | Uint8Array, policy: WritePolicy = {}, { durable = true }: { durable?: boolean } = {}): void {
  AtomicFile.open(filePath, policy).finish(content, { durable });
}

/**
 * A file written in parts and replaced atomically at the end, as writeFileAtomic does at once: what a streamed
 * report writes into, so that a report of any size never has to be held in memory whole.
 */
export class AtomicFile {
  private constructor(
    private readonly temp: string,
    private readonly target: string,
    private readonly existing: fs.Stats | undefined,
    private fd: number | undefined,
  ) {}

  /** Checks the target as writeFileAtomic does and opens the temporary file beside it; throws WriteRefused or the system's error. */
  static open(filePath: string, policy: WritePolicy = {}): AtomicFile {
    const existing = statOf(filePath);
    const target = realTarget(filePath);
    checkTarget(filePath, target, existing, policy);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.migsafe.tmp`);
    const fd = fs.openSync(temp, "wx", existing ? 0o600 : 0o666);
    pendingTempFiles.add(temp);
    return new AtomicFile(temp, target, existing, fd);
  }

  write(content: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error("the file is already closed");
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(this.fd, bytes, offset, bytes.length - offset);
  }

  /**
   * Gives the new file the original's owner and mode, flushes it to disk and renames it over the original. Not
   * `durable`: no flush, for a file that may be lost in a crash (a cache: rebuilt when missing, refused when torn).
   */
  commit({ durable = true }: { durable?: boolean } = {}): void {
    if (this.fd === undefined) throw new Error("the file is already closed");
    if (this.existing) keepOwnerAndMode(this.fd, this.existing);
    if (durable) fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.renameSync(this.temp, this.target);
    pendingTempFiles.delete(this.temp);
  }

  /** Writes the last part and commits; on any failure the temporary file is removed and the original left as it was. */
  finish(content: string | Uint8Array, options: { durable?: boolean } = {}): void {
    try {
      this.write(content);
      this.commit(options);
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Removes the temporary file; the original is left as it was. */
  abort(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.temp, { force: true });
    pendingTempFiles.delete(this.temp);
  }
}

function keepOwnerAndMode(fd: number, existing: fs.Stats): void {
  fs.fchmodSync(fd, existing.mode & 0o7777);
  try {
    fs.fchownSync(fd, existing.uid, existing.gid);
  } catch {
    // Only root can give a file away: checked below.
  }
  const written = fs.fstatSync(fd);
  if (written.uid !== existing.uid || written.gid !== existing.gid) {
    throw new WriteRefused(`a new copy cannot keep its owner and group (${existing.uid}:${existing.gid}); only they or root can rewrite it`);
  }
  if ((written.mode & 0o7777) !== (existing.mode & 0o7777)) throw new WriteRefused(`a new copy cannot keep its mode (${octal(existing.mode)})`);
}

function checkTarget(filePath: string, target: string, existing: fs.Stats | undefined, policy: WritePolicy): void {
  if (policy.projectRoot !== undefined && !policy.outsideProject) {
    const root = path.resolve(policy.projectRoot);
    if (isInside(path.resolve(filePath), root) && !isInside(target, realPath(root))) {
      throw new WriteRefused(`it leads outside the project through a symbolic link (to ${target}); pass --write-outside-project to write there`);
    }
  }
  if (!existing) return;
  if (existing.isDirectory()) throw new WriteRefused("it is a folder");
  if (!existing.isFile()) throw new WriteRefused("it is not a regular file");
  if ((existing.mode & 0o222) === 0) throw new WriteRefused(`it is read-only (mode ${octal(existing.mode)}): make it writable to let migsafe change it`);
  if (existing.nlink > 1) throw new WriteRefused(`it has ${existing.nlink} hard links: a new copy would leave the other names with the old content`);
}

/** The file a write lands in: the path with every symbolic link resolved (of its folder, when the file does not exist yet). */
function realTarget(filePath: string): string {
  const absolute = path.resolve(filePath);
  try {
    return fs.realpathSync(absolute);
  } catch {
    return path.join(realPath(path.dirname(absolute)), path.basename(absolute));
  }
}

function realPath(filePath: string): string {
  try {
    return fs.realpathSync(filePath);
  } catch {
    return filePath;
  }
}

function isInside(filePath: string, folder: string): boolean {
  const relative = path.relative(folder, filePath);
  return relative === "" || (!relative.startsWith(`..${path.sep}`) && relative !== ".." && !path.isAbsolute(relative));
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, "0")}`;
}

function statOf(filePath: string): fs.Stats | undefined {
  try {
    return fs.statSync(filePath);
  } catch {
    return undefined;
  }
}

/**
 * `mkdir -p`, one level at a time: Node 20's `mkdirSync(…, { recursive: true })` never
 * returns for some paths (`/proc/nope`: the kernel answers ENOENT for a folder whose
 * parent exists, and Node retries forever).
 */
export function makeFolder(folder: string, mode?: number): void {
  const missing: string[] = [];
  for (let current = path.resolve(folder); !fs.existsSync(current); current = path.dirname(current)) {
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  for (const dir of missing.reverse()) fs.mkdirSync(dir, mode === undefined ? undefined : { mode });
}

/** Writes the report atomically; returns why it could not, or undefined. */
export function writeReport(filePath: string, report: string, policy: WritePolicy = {}): string | undefined {
  const opened = openReport(filePath, policy);
  if (typeof opened === "string") return opened;
  try {
    opened.finish(report);
    return undefined;
  } catch (error) {
    return whyNotWritten(error);
  }
}

/** Opens a report file to be written in parts (AtomicFile), creating its folder; or says why it cannot be written. */
export function openReport(filePath: string, policy: WritePolicy = {}): AtomicFile | string {
  try {
    makeFolder(path.dirname(filePath));
  } catch (error) {
    return `cannot create its folder ${path.dirname(filePath)} (${errorCode(error)})`;
  }
  try {
    return AtomicFile.open(filePath, policy);
  } catch (error) {
    return whyNotWritten(error);
  }
}

/** A failed write in a few words: the refusal, or the system's error as a reason. */
export function whyNotWritten(error: unknown): string {
  if (error instanceof WriteRefused) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ENOENT: "its folder does not exist",
    ENOTDIR: "its folder does not exist",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EISDIR: "it is a folder",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
  };
  return (code && reasons[code]) ?? errorCode(error);
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error));
}
