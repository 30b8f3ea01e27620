import fs from "node:fs";
import { parseFile } from "../parser/parse-file.js";
import { SourceText } from "../source/source-text.js";
import { lintParsed, type FileResult, type LintOptions } from "./lint.js";
import { readMigration } from "./read-migration.js";
import { downSectionStart, findPartner, findRollbackBlock } from "./rollback.js";

export interface FileAccess {
  exists(filePath: string): boolean;
  read(filePath: string): string | undefined;
}

export const diskAccess: FileAccess = {
  exists: (filePath) => {
    try {
      return fs.statSync(filePath).isFile();
    } catch {
      return false;
    }
  },
  read: (filePath) => {
    const result = readMigration(filePath);
    return result.ok ? result.text : undefined;
  },
};

/**
 * Lints one migration's text. The file path names its rollback partner; `files`
 * is how the partner is looked up (the disk by default).
 */
export function lintSource(text: string, filePath: string, options: LintOptions, files: FileAccess = diskAccess): FileResult {
  const parsed = parseFile(new SourceText(text));
  const partner = findPartner(filePath, files.exists);
  const forwardText = partner.role === "rollback" && partner.partnerPath ? files.read(partner.partnerPath) : undefined;
  const forward = forwardText === undefined ? undefined : parseFile(forwardText);
  const rollback = {
    role: partner.role,
    partnerPath: partner.partnerPath,
    block: partner.role === "forward" ? findRollbackBlock(parsed) : undefined,
    downSectionStart: downSectionStart(parsed.comments),
  };
  return lintParsed(parsed, filePath, rollback, forward, options);
}

/** Reads and lints one migration file; a file that cannot be read is a fatal error, not a crash. */
export function lintFile(filePath: string, options: LintOptions, files: FileAccess = diskAccess): FileResult {
  const read = readMigration(filePath);
  if (!read.ok) {
    const loc = read.line === undefined ? undefined : { start: { line: read.line, column: 1 }, end: { line: read.line, column: 1 } };
    return { filePath, findings: [], errors: [{ message: read.message, ...(loc ? { loc } : {}) }] };
  }
  return lintSource(read.text, filePath, options, files);
}
