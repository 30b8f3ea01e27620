import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { runnerAndPartner, type FileAccess } from "../engine/lint-source.js";
import type { FatalError, FileResult, LintOptions } from "../engine/lint.js";
import type { Note } from "../engine/results.js";
import type { Finding } from "../engine/rule.js";
import { writeFileAtomic } from "../files/write-file.js";

/** Bumped when the cache file's shape changes. */
const FORMAT = 1;

interface Entry {
  key: string;
  findings: Finding[];
  errors: FatalError[];
  hasBom?: boolean;
  notes?: Note[];
  skipped?: string;
}

interface CacheFile {
  format: number;
  version: string;
  entries: Record<string, Entry>;
}

/**
 * `--cache`: each file's findings, keyed by a hash of everything they depend on —
 * the file's bytes, how its runner runs it, its rollback partner (which file, and the
 * forward migration's bytes when this file is a rollback), the lint options its configuration gives it,
 * and migsafe's version. A hit costs a read and a hash, no parsing. Entries of files
 * not linted in a run are kept, so linting one folder does not forget another.
 */
export class ResultCache {
  readonly file: string;
  hits = 0;
  misses = 0;
  private readonly entries: Record<string, Entry>;
  private changed = false;

  private constructor(
    file: string,
    private readonly version: string,
    entries: Record<string, Entry>,
  ) {
    this.file = file;
    this.entries = entries;
  }

  /** Loads the cache of the project around `cwd`; a missing, unreadable or foreign cache starts empty. */
  static load(cwd: string, version: string): ResultCache {
    const file = path.join(cacheFolder(cwd), "results.json");
    let entries: Record<string, Entry> = Object.create(null) as Record<string, Entry>;
    try {
      const loaded = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<CacheFile>;
      if (loaded.format === FORMAT && loaded.version === version && typeof loaded.entries === "object" && loaded.entries !== null) {
        entries = Object.assign(entries, loaded.entries);
      }
    } catch {
      // No cache yet, or one that cannot be used: every file is linted.
    }
    return new ResultCache(file, version, entries);
  }

  /** The key of a file's result: it changes whenever the result could. */
  keyOf(filePath: string, bytes: Uint8Array, options: LintOptions, files: FileAccess): string {
    const hash = createHash("sha256");
    hash.update(`${FORMAT}\0${this.version}\0${optionsKey(options)}\0`);
    hash.update(bytes);
    const { runner, partner, forwardOnly } = runnerAndPartner(filePath, Buffer.from(bytes).toString("utf8"), options, files);
    hash.update(`\0${runner.wrapping}\0${runner.reason}\0${runner.rollback ?? ""}\0${partner.role}\0${partner.partnerPath ?? ""}\0`);
    hash.update(`${runner.notAMigration ?? ""}\0${forwardOnly() ?? ""}\0`);
    if (partner.role === "rollback" && partner.partnerPath) hash.update(files.read(partner.partnerPath) ?? "\0unreadable");
    return hash.digest("hex");
  }

  get(filePath: string, key: string, text: string): FileResult | undefined {
    const entry = this.entries[filePath];
    if (entry?.key !== key) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const bom = entry.hasBom === true;
    return {
      filePath,
      findings: entry.findings,
      errors: entry.errors,
      text: bom ? text.slice(1) : text,
      ...(entry.hasBom === undefined ? {} : { hasBom: bom }),
      ...(entry.notes ? { notes: entry.notes } : {}),
      ...(entry.skipped === undefined ? {} : { skipped: entry.skipped }),
    };
  }

  set(filePath: string, key: string, result: FileResult): void {
    this.entries[filePath] = {
      key,
      findings: result.findings,
      errors: result.errors,
      ...(result.hasBom === undefined ? {} : { hasBom: result.hasBom }),
      ...(result.notes ? { notes: result.notes } : {}),
      ...(result.skipped === undefined ? {} : { skipped: result.skipped }),
    };
    this.changed = true;
  }

  /** Writes the cache atomically; a cache that cannot be written is not an error of the run. Returns why it was not written. */
  save(): string | undefined {
    if (!this.changed) return undefined;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const content: CacheFile = { format: FORMAT, version: this.version, entries: this.entries };
      writeFileAtomic(this.file, JSON.stringify(content));
      this.changed = false;
      return undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? String(error);
    }
  }
}

/** Where the cache lives: node_modules/.cache/migsafe in the nearest folder up from `cwd` with a package.json or node_modules, else in `cwd`. */
export function cacheFolder(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) || fs.existsSync(path.join(dir, "node_modules"))) return path.join(dir, "node_modules", ".cache", "migsafe");
    if (path.dirname(dir) === dir) return path.join(path.resolve(cwd), "node_modules", ".cache", "migsafe");
  }
}

/** The options as text: rule ids stand for the rules (their code is covered by the version). */
function optionsKey(options: LintOptions): string {
  const { rules, ...rest } = options;
  return JSON.stringify({ rules: rules.map((rule) => rule.meta.id), ...rest });
}
