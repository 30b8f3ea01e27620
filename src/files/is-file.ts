import fs from "node:fs";

/** True when the path is a regular file (links followed); false when it is anything else, or cannot be read. */
export function isFile(filePath: string | Buffer): boolean {
  try {
    return fs.statSync(filePath).isFile();
  } catch {
    return false;
  }
}
