import fs from "node:fs";

export type ReadResult = { ok: true; text: string } | { ok: false; message: string; line?: number };

// ignoreBOM keeps a BOM in the text, so that SourceText sees it and --fix writes it back.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Every statement's syntax tree is kept while a file is linted (≈2.5 KB for a one-line
 * INSERT), so memory grows with the statement count: 5 MB of one-line INSERTs (200,000
 * statements) peaks at ≈1 GB, and 50 MB ran out of memory. A larger file is refused
 * with a reason instead of crashing the run.
 */
export const MAX_MIGRATION_BYTES = 5 * 1024 * 1024;

/** Reads a migration as UTF-8 text, refusing binary, mis-encoded and oversized files with a reason (a Buffer path: a name that is not UTF-8). */
export function readMigration(filePath: string | Buffer): ReadResult {
  let bytes: Buffer;
  try {
    // Checked before reading, so that a huge file is not read into memory only to be refused.
    const size = fs.statSync(filePath).size;
    if (size > MAX_MIGRATION_BYTES) return tooLarge(size);
    bytes = fs.readFileSync(filePath);
  } catch (error) {
    return { ok: false, message: describeReadError(error) };
  }
  return decodeMigration(bytes);
}

export function decodeMigration(bytes: Uint8Array): ReadResult {
  if (bytes.length > MAX_MIGRATION_BYTES) return tooLarge(bytes.length);
  // What Windows PowerShell 5 writes with `>`: its NUL bytes would otherwise call it binary.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, message: "UTF-16 text: save the migration as UTF-8", line: 1 };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ok: false, message: "binary file (contains a NUL byte): not a SQL migration", line: lineAt(bytes, nul) };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return { ok: false, message: "not valid UTF-8: save the migration as UTF-8", line: lineAt(bytes, bad) };
  }
}

function tooLarge(size: number): ReadResult {
  const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return { ok: false, message: `too large to lint (${mb(size)}; the limit is ${mb(MAX_MIGRATION_BYTES)}): if it loads data rather than changing the schema, exclude it in the configuration` };
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "file not found";
    case "EISDIR":
      return "is a directory, not a file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ELOOP":
      return "too many levels of symbolic links";
    default:
      return `cannot read file${code ? ` (${code})` : ""}`;
  }
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 10 || (bytes[i] === 13 && bytes[i + 1] !== 10)) line++;
  }
  return line;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    const width = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
    if (width === 0) return i;
    try {
      utf8.decode(bytes.subarray(i, i + width));
    } catch {
      return i;
    }
    i += width;
  }
  return bytes.length;
}
