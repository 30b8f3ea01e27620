import fs from "node:fs";

export type ReadResult = { ok: true; text: string } | { ok: false; message: string; line?: number };

// ignoreBOM keeps a BOM in the text, so that SourceText sees it and --fix writes it back.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Reads a migration as UTF-8 text, refusing binary and mis-encoded files with a reason. */
export function readMigration(filePath: string): ReadResult {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(filePath);
  } catch (error) {
    return { ok: false, message: describeReadError(error) };
  }
  return decodeMigration(bytes);
}

export function decodeMigration(bytes: Uint8Array): ReadResult {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ok: false, message: "binary file (contains a NUL byte): not a SQL migration", line: lineAt(bytes, nul) };
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return { ok: false, message: "not valid UTF-8: save the migration as UTF-8", line: lineAt(bytes, bad) };
  }
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
