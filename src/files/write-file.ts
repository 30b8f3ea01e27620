import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Replaces a file's content atomically: writes a temporary file next to it (same
 * folder, so the rename stays on one file system) with the original's mode, then
 * renames it over the original. A symbolic link is followed, not replaced. A file
 * that does not exist yet is created with the default mode (0666 less the umask).
 */
export function writeFileAtomic(filePath: string, content: string): void {
  const existing = statOf(filePath);
  const target = existing ? fs.realpathSync(filePath) : path.resolve(filePath);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.migsafe.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, "wx", existing ? 0o600 : 0o666);
    fs.writeFileSync(fd, content, "utf8");
    if (existing) {
      fs.fchmodSync(fd, existing.mode & 0o7777);
      try {
        fs.fchownSync(fd, existing.uid, existing.gid);
      } catch {
        // Only a privileged user can give the file away; keeping the mode is what matters.
      }
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

function statOf(filePath: string): fs.Stats | undefined {
  try {
    return fs.statSync(filePath);
  } catch {
    return undefined;
  }
}

/** Writes the report atomically; returns why it could not, or undefined. */
export function writeReport(filePath: string, report: string): string | undefined {
  try {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    writeFileAtomic(filePath, report);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const reasons: Record<string, string> = {
      ENOENT: "its folder does not exist",
      ENOTDIR: "its folder does not exist",
      EACCES: "permission denied",
      EPERM: "permission denied",
      EISDIR: "it is a folder",
      EROFS: "read-only file system",
    };
    return (code && reasons[code]) ?? code ?? (error instanceof Error ? error.message : String(error));
  }
}
