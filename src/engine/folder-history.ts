/**
 * A folder of migrations is a history: before a migration runs, its runner has applied the earlier ones. For a run
 * over many files, each folder is replayed once (facts/schema-before.ts), file after file in the runner's order
 * (runners/migration-order.ts), as far as the files linted need it; each file is read and parsed once, the parse
 * shared with its lint through the run's parse cache. A file that is not a migration, a rollback, and a script
 * migration (whose SQL this layer cannot read) are not replayed: what they mention becomes unknown.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { MigrationFacts, type SchemaBefore } from "../facts/index.js";
import { downSectionStart } from "../facts/rollback-block.js";
import { SchemaReplay, type SavedReplay } from "../facts/schema-before.js";
import { parseFile } from "../parser/parse-file.js";
import { SCRIPT } from "../runners/detect.js";
import type { FileRunner } from "../runners/file-runner.js";
import { migrationSequence, sequenceKey } from "../runners/migration-order.js";
import { SourceText } from "../source/source-text.js";
import type { LintOptions } from "./lint.js";
import { parseOptionsFor, runnerAndPartner, type FileAccess } from "./lint-source.js";
import { Substitution } from "./placeholders.js";

interface FolderReplay {
  /** The folder's sequence (migration-order.ts sequenceKey), and its folder. */
  key: string;
  folder: string;
  /** The options of the file that started the replay: they decide how the earlier files read. */
  options: LintOptions;
  /** Position of each migration of the folder in the runner's order. */
  positions: Map<string, number>;
  files: string[];
  replay: SchemaReplay;
  /** How many files have been replayed. */
  replayed: number;
  /** Fingerprints of the folder's history: [i] covers the files before position i. */
  fingerprints: string[];
  /** How many files the replay restored from a saved one had replayed (0: none restored). */
  restored: number;
}

/** A replay kept between runs: what it knows after the first `replayed` files of a sequence, whose fingerprint is `fingerprint`. */
export interface KeptReplay {
  replayed: number;
  fingerprint: string;
  replay: SavedReplay;
}

/** Where replays are kept between runs (the `--cache`): by sequence and the options that read it. */
export interface KeptReplays {
  find(sequence: string, options: LintOptions): KeptReplay | undefined;
  keep(sequence: string, options: LintOptions, kept: KeptReplay): void;
}

/**
 * Folder replays a thread holds at once, the most recently used. A replay holds every value each of its folder's
 * migrations set, so a run that held all of them grew with the project (corpus ×20: 120 folders, 434 MB peak);
 * a thread lints a folder's files together (work-queue.ts), so an older replay is seldom asked again, and one that is
 * is replayed again (or restored from the cache's kept replay): time, never a different result.
 */
const MAX_FOLDERS = 4;

export class FolderHistories {
  readonly #folders = new Map<string, FolderReplay | undefined>();
  /** Folders let go of (MAX_FOLDERS) whose replay had started from a kept one. */
  readonly #restoredBefore: { folder: string; migrations: number }[] = [];
  /** The runner of the last forward migration linted: the file the next one's replay most often starts with. */
  #last: { file: string; runner: FileRunner } | undefined;

  constructor(private readonly kept?: KeptReplays) {}

  /** The schema the earlier migrations of the file's folder leave; undefined when the file is in no known sequence. */
  before(filePath: string, runner: FileRunner, options: LintOptions, files: FileAccess): SchemaBefore | undefined {
    const found = this.#folderOf(filePath, runner, options, files);
    this.#last = { file: path.resolve(filePath), runner };
    if (!found) return undefined;
    const { folder, at } = found;
    if (folder.replayed === 0 && at > 0) this.#restore(folder, files);
    for (; folder.replayed < at; folder.replayed++) this.#replayFile(folder, folder.replayed, options, files);
    return folder.replay.before(at);
  }

  /** What the earlier migrations of the file's folder are (their paths and texts), for a cache key; "" when none are read. */
  fingerprint(filePath: string, runner: FileRunner, options: LintOptions, files: FileAccess): string {
    const found = this.#folderOf(filePath, runner, options, files);
    return found ? this.#fingerprintAt(found.folder, found.at, files) : "";
  }

  /** The folders whose replay started from a kept one, with how many of their migrations it had replayed. */
  get restored(): { folder: string; migrations: number }[] {
    const held = [...this.#folders.values()].flatMap((folder) => (folder && folder.restored > 0 ? [{ folder: folder.folder, migrations: folder.restored }] : []));
    return [...this.#restoredBefore, ...held];
  }

  /** Keeps each replay that went further than the one it was restored from, for the next run. */
  keepReplays(files: FileAccess): void {
    for (const folder of this.#folders.values()) if (folder) this.#keep(folder, files);
  }

  #keep(folder: FolderReplay, files: FileAccess): void {
    if (!this.kept || folder.replayed <= folder.restored) return;
    this.kept.keep(folder.key, folder.options, { replayed: folder.replayed, fingerprint: this.#fingerprintAt(folder, folder.replayed, files), replay: folder.replay.saved });
  }

  /** Lets go of the least recently used replay when more than MAX_FOLDERS are held, keeping it for the next run first. */
  #letGo(files: FileAccess): void {
    while (this.#folders.size > MAX_FOLDERS) {
      const [key, folder] = this.#folders.entries().next().value!;
      this.#folders.delete(key);
      if (!folder) continue;
      this.#keep(folder, files);
      if (folder.restored > 0) this.#restoredBefore.push({ folder: folder.folder, migrations: folder.restored });
    }
  }

  /** Starts from a kept replay when the files it replayed are still the first of the sequence, unchanged. */
  #restore(folder: FolderReplay, files: FileAccess): void {
    const kept = this.kept?.find(folder.key, folder.options);
    if (!kept || kept.replayed > folder.files.length || kept.fingerprint !== this.#fingerprintAt(folder, kept.replayed, files)) return;
    folder.replay = SchemaReplay.restored(kept.replay, new Set(folder.options.change ?? []));
    folder.replayed = folder.restored = kept.replayed;
  }

  #fingerprintAt(folder: FolderReplay, at: number, files: FileAccess): string {
    while (folder.fingerprints.length <= at) {
      const i = folder.fingerprints.length - 1;
      const file = folder.files[i]!;
      // A file the cache keyed already is known by its digest; another is read (the same text gives the same fingerprint either way).
      const content = files.digests?.get(file) ?? createHash("sha256").update(files.read(file) ?? "\0unreadable").digest("hex");
      folder.fingerprints.push(createHash("sha256").update(`${folder.fingerprints[i]}\0${file}\0${content}`).digest("hex"));
    }
    return folder.fingerprints[at]!;
  }

  #folderOf(filePath: string, runner: FileRunner, options: LintOptions, files: FileAccess): { folder: FolderReplay; at: number } | undefined {
    const profile = runner.profile;
    if (!profile) return undefined;
    const file = path.resolve(filePath);
    const key = sequenceKey(file, profile);
    let folder = this.#folders.get(key);
    if (this.#folders.has(key)) {
      // Most recently used last (MAX_FOLDERS).
      this.#folders.delete(key);
      this.#folders.set(key, folder);
    } else {
      const sequence = migrationSequence(file, profile, files);
      folder = sequence && {
        key,
        folder: sequence.folder,
        options,
        files: sequence.files,
        positions: new Map(sequence.files.map((each, i) => [each, i])),
        replay: new SchemaReplay(new Set(options.change ?? [])),
        replayed: 0,
        fingerprints: [""],
        restored: 0,
      };
      this.#folders.set(key, folder);
      this.#letGo(files);
    }
    const at = folder?.positions.get(file);
    return folder && at !== undefined ? { folder, at } : undefined;
  }

  #replayFile(folder: FolderReplay, at: number, options: LintOptions, files: FileAccess): void {
    const file = folder.files[at]!;
    // The file linted just before is the one replayed next, most often: its text, parse and runner are known already.
    const recent = this.#last?.file === file ? files.recent?.(file) : undefined;
    const read = recent?.text ?? files.read(file);
    if (read === undefined) return;
    const text = recent ? recent.text : (options.placeholders && Substitution.of(read, options.placeholders)?.text) || read;
    try {
      // before() is asked only for a forward migration.
      const runner = recent ? this.#last!.runner : forwardRunner(file, read, options, files);
      if (!runner) return;
      if (SCRIPT.test(file)) return folder.replay.unreadable(at, text);
      const parseOptions = parseOptionsFor(runner, options);
      const parsed = recent?.parsed ?? (files.parse ? files.parse(file, text, parseOptions) : parseFile(new SourceText(text), parseOptions));
      const facts = new MigrationFacts(parsed, options.settings, { role: "forward", partnerPath: undefined, block: undefined, downSectionStart: downSectionStart(parsed.comments) }, runner);
      folder.replay.replay(at, { path: file, parsed, statements: facts.order.statements, names: facts.names, isRollback: (statement) => facts.sections.isRollback(statement) });
    } catch {
      // A migration that cannot be replayed leaves what it mentions unknown, never a wrong answer.
      folder.replay.unreadable(at, text);
    }
  }
}

/** The runner of a forward migration; undefined for a rollback, or a file that is not a migration. */
function forwardRunner(file: string, text: string, options: LintOptions, files: FileAccess): FileRunner | undefined {
  const { runner, partner } = runnerAndPartner(file, text, options, files);
  return runner.notAMigration || partner.role === "rollback" ? undefined : runner;
}
