import fs from "node:fs";
import path from "node:path";
import { parseFile, type ParseOptions } from "../parser/parse-file.js";
import type { ParsedFile } from "../parser/types.js";
import { SourceText } from "../source/source-text.js";
import { lintParsed, type FileResult, type LintOptions } from "./lint.js";
import { readMigration } from "./read-migration.js";
import { downSectionStart, findPartner, findRollbackBlock, type PartnerFile } from "../facts/rollback-block.js";
import { runnerOf, type FileRunner } from "../runners/file-runner.js";
import { forwardOnlyReason, type FolderAccess } from "./forward-only.js";
import { resultInOriginal, Substitution } from "./placeholders.js";
import { isFile } from "../files/is-file.js";
import { activeRecorder, entryKind, type FsRecorder } from "../files/fs-recorder.js";
import { FolderHistories, type KeptReplays } from "./folder-history.js";

/** How the engine sees the project's files: rollback partners, and what tells which runner runs a file (src/runners/). */
export interface FileAccess extends FolderAccess {
  /** Parses a file's text; a run may remember recent parses, since a migration and its rollback each need the other's. */
  parse?(filePath: string, text: string, options?: ParseOptions): ParsedFile;
  /** The last parse of a file this run made, with the text it parsed (what a replay of the folder reuses). */
  recent?(filePath: string): { text: string; parsed: ParsedFile } | undefined;
  /** The run's replays of migration folders: each file's linting knows what the earlier migrations of its folder did. */
  histories?: FolderHistories;
  /** SHA-256 of the files the cache has keyed in this run (by absolute path), so that a folder's history is not read and hashed again. */
  digests?: Map<string, string>;
}


function readText(filePath: string): string | undefined {
  const result = readMigration(filePath);
  return result.ok ? result.text : undefined;
}

function listFolder(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    // An unreadable folder has nothing to offer.
    return [];
  }
}

function quietList(recorder: FsRecorder, dir: string): fs.Dirent[] {
  try {
    return recorder.listQuietly(dir);
  } catch {
    return [];
  }
}

/** The disk as it is at each call. */
export const diskAccess: FileAccess = { exists: isFile, read: readText, list: (dir) => listFolder(dir).map((entry) => entry.name) };

/**
 * The disk for one run over many files: each folder is listed once, instead of
 * a stat for every possible rollback partner of every file, and the last few
 * parses are kept for the rollback partner that needs them next.
 */
export function createRunDiskAccess(kept?: KeptReplays): FileAccess {
  const listings = new Map<string, { names: string[]; files: Map<string, boolean>; entries: fs.Dirent[]; byName: Map<string, fs.Dirent>; noted: boolean }>();
  // A recorded run (src/project/run-record.ts) records what it uses of each listing: whether a name is there (a
  // runner's marker file, a rollback partner), or all of it (list()), so that an unrelated new file in a folder
  // up the tree does not make the next run lint again.
  const recorder = activeRecorder();
  const listing = (dir: string) => {
    let entries = listings.get(dir);
    if (!entries) {
      entries = { names: [], files: new Map(), entries: recorder ? quietList(recorder, dir) : listFolder(dir), byName: new Map(), noted: false };
      for (const entry of entries.entries) {
        entries.names.push(entry.name);
        entries.byName.set(entry.name, entry);
        if (entry.isFile() || entry.isSymbolicLink()) entries.files.set(entry.name, entry.isFile());
      }
      listings.set(dir, entries);
    }
    return entries;
  };
  const recent = new Map<string, { text: string; standardConformingStrings: boolean | undefined; psqlVariables: boolean | undefined; parsed: ParsedFile }>();
  const remembered = new Map<string, unknown>();
  return {
    histories: new FolderHistories(kept),
    digests: new Map(),
    exists(filePath) {
      const dir = path.dirname(filePath);
      const name = path.basename(filePath);
      const found = listing(dir);
      const plainFile = found.files.get(name);
      if (recorder) recorder.noteName(dir, name, plainFile === undefined ? "-" : entryKind(found.byName.get(name)));
      return plainFile === undefined ? false : plainFile || isFile(filePath);
    },
    read: readText,
    list: (dir) => {
      const found = listing(dir);
      // Once per folder: the listing is the same every time it is asked for in a run.
      if (recorder && !found.noted) {
        recorder.noteListing(dir, found.entries);
        found.noted = true;
      }
      return found.names;
    },
    recent: (filePath) => recent.get(filePath),
    parse(filePath, text, options = {}) {
      const known = recent.get(filePath);
      const { standardConformingStrings, psqlVariables } = options;
      if (known?.text === text && known.standardConformingStrings === standardConformingStrings && known.psqlVariables === psqlVariables) return known.parsed;
      const parsed = parseFile(new SourceText(text), options);
      recent.set(filePath, { text, standardConformingStrings, psqlVariables, parsed });
      // Files are linted in sorted order, so a migration and its rollback come close together.
      if (recent.size > RECENT_PARSES) recent.delete(recent.keys().next().value!);
      return parsed;
    },
    remember<T>(key: string, compute: () => T): T {
      if (!remembered.has(key)) remembered.set(key, compute());
      return remembered.get(key) as T;
    },
  };
}

const RECENT_PARSES = 8;

/**
 * Lints one migration's text. The file path names its rollback partner; `files`
 * is how the partner is looked up (the disk by default).
 */
export function lintSource(text: string, filePath: string, options: LintOptions, files: FileAccess = diskAccess): FileResult {
  const placeholders = options.placeholders ?? [];
  // Positions are string indices in the text without its BOM: replace there, and keep the BOM.
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const substitution = placeholders.length > 0 ? Substitution.of(text.slice(bom.length), placeholders) : undefined;
  if (!substitution) return lintText(text, filePath, options, files);
  return resultInOriginal(lintText(bom + substitution.text, filePath, options, files), substitution, new SourceText(text));
}

/**
 * How a migration is run, where its rollback is, and, for a forward migration without a rollback file where the
 * runner has rollbacks, why none is asked of it when its folder goes forward only (worked out when first asked:
 * it reads the earlier migrations of the folder): what its findings depend on besides its text and the options.
 */
export function runnerAndPartner(filePath: string, text: string, options: LintOptions, files: FileAccess): { runner: FileRunner; partner: PartnerFile; forwardOnly: () => string | undefined } {
  const { runner, partner } = runnerAndPartnerOf(filePath, text, options, files);
  const asked = partner.role === "forward" && partner.partnerPath === undefined && runner.rollback !== "none" && !runner.notAMigration;
  let reason: { value: string | undefined } | undefined;
  const forwardOnly = () => (reason ??= { value: asked ? forwardOnlyReason(filePath, files, (file, fileText) => runnerAndPartnerOf(file, fileText, options, files).partner.partnerPath) : undefined }).value;
  return { runner, partner, forwardOnly };
}

function runnerAndPartnerOf(filePath: string, text: string, options: LintOptions, files: FileAccess): { runner: FileRunner; partner: PartnerFile } {
  const runner = runnerOf(filePath, text, files, options.settings);
  return { runner, partner: runner.partner ?? findPartner(filePath, files.exists, options.rollbackPatterns, files.list && ((dir) => files.list!(dir))) };
}

/**
 * The result of a file that is no migration (dbmate's schema dump, a Sqitch verify script, another database's
 * migrations, …: runners/not-a-migration.ts): nothing is linted, and `skipped` says why. Undefined for a migration.
 */
export function notAMigrationResult(text: string, filePath: string, options: LintOptions, files: FileAccess = diskAccess): FileResult | undefined {
  const reason = runnerOf(filePath, text, files, options.settings).notAMigration;
  return reason === undefined ? undefined : skippedResult(text, filePath, reason);
}

function skippedResult(text: string, filePath: string, reason: string): FileResult {
  const source = new SourceText(text);
  return { filePath, findings: [], errors: [], text: source.text, hasBom: source.hasBom, skipped: reason };
}

/** Whether psql runs the runner's files (Sqitch): their psql variables are read as psql replaces them. */
export function runsInPsql(runner: FileRunner): boolean {
  return runner.profile?.name === "sqitch";
}

/** How a migration is parsed: with the configured standard_conforming_strings, and psql's variables when psql runs it. */
export function parseOptionsFor(runner: FileRunner, options: LintOptions): ParseOptions {
  return { standardConformingStrings: options.settings.standardConformingStrings, ...(runsInPsql(runner) ? { psqlVariables: true } : {}) };
}

function lintText(text: string, filePath: string, options: LintOptions, files: FileAccess): FileResult {
  const { runner, partner, forwardOnly } = runnerAndPartner(filePath, text, options, files);
  if (runner.notAMigration) return skippedResult(text, filePath, runner.notAMigration);
  const parseOptions = parseOptionsFor(runner, options);
  const parse = files.parse ?? ((_path: string, source: string) => parseFile(new SourceText(source), parseOptions));
  const parsed = parse(filePath, text, parseOptions);
  const forwardFile = partner.role === "rollback" && partner.partnerPath ? files.read(partner.partnerPath) : undefined;
  const forwardText = forwardFile === undefined ? undefined : (options.placeholders && Substitution.of(forwardFile, options.placeholders)?.text) || forwardFile;
  const forward = forwardText === undefined || !partner.partnerPath ? undefined : parse(partner.partnerPath, forwardText, parseOptions);
  const rollback = {
    role: partner.role,
    partnerPath: partner.partnerPath,
    block: partner.role === "forward" ? findRollbackBlock(parsed) : undefined,
    downSectionStart: downSectionStart(parsed.comments),
    forward,
  };
  const before = partner.role === "forward" ? files.histories?.before(filePath, runner, options, files) : undefined;
  let asked: string | undefined;
  const result = lintParsed(parsed, filePath, { ...rollback, forwardOnly: () => (asked = forwardOnly()) }, runner, options, undefined, before);
  if (asked === undefined) return result;
  return { ...result, notes: [...(result.notes ?? []), { line: 1, message: `no rollback asked of it (require-rollback): ${asked}` }] };
}
