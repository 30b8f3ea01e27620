import fs from "node:fs";
import path from "node:path";

/**
 * A path to lint. A file name that is not valid UTF-8 (`caf\xe9.sql`, written by a Latin-1
 * system) has no JavaScript string that opens it: `rawPath` then holds its bytes, which read
 * it, and `path` shows each byte that is not UTF-8 as `\xNN` (for reports and globs).
 */
export interface FilePath {
  path: string;
  rawPath?: Buffer;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** An absolute path given as bytes (from git's `-z` output, or a folder listing). */
export function filePathOf(bytes: Buffer): FilePath {
  const text = decodeUtf8(bytes);
  return text === undefined ? { path: escapeInvalidUtf8(bytes), rawPath: bytes } : { path: text };
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The bytes as text, each byte that does not start a valid UTF-8 sequence shown as `\xNN`. */
export function escapeInvalidUtf8(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; ) {
    const width = sequenceWidth(bytes[i]!);
    const decoded = width === 0 ? undefined : decodeUtf8(bytes.subarray(i, i + width));
    if (decoded === undefined) {
      text += `\\x${bytes[i]!.toString(16).padStart(2, "0")}`;
      i++;
    } else {
      text += decoded;
      i += width;
    }
  }
  return text;
}

function sequenceWidth(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte < 0xe0) return 2;
  if (byte >= 0xe0 && byte < 0xf0) return 3;
  return byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
}

/**
 * The files a folder scan reported under `lossyPath`, a path in which the names that are
 * not UTF-8 came back with U+FFFD in place of their bad bytes: found again by listing each
 * such folder as bytes (two names can share one lossy form). Regular files only, links followed.
 */
export function rawFilesOf(lossyPath: string): FilePath[] {
  const parts = lossyPath.split(path.sep);
  let candidates: Buffer[] = [Buffer.from(parts[0]!)];
  for (const part of parts.slice(1)) {
    candidates = candidates.flatMap((parent) => {
      const prefix = Buffer.concat([parent, Buffer.from(path.sep)]);
      if (!part.includes("\uFFFD")) return [Buffer.concat([prefix, Buffer.from(part)])];
      return listAsBytes(prefix)
        .filter((name) => Buffer.from(name).toString("utf8") === part)
        .map((name) => Buffer.concat([prefix, name]));
    });
  }
  return candidates.filter(isRegularFile).map(filePathOf);
}

function listAsBytes(folder: Buffer): Buffer[] {
  try {
    return fs.readdirSync(folder, { encoding: "buffer" });
  } catch {
    return [];
  }
}

function isRegularFile(file: Buffer): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
