/**
 * Whether the project writes rollbacks: a folder of migrations none of which, up to a given one, has a rollback
 * (a rollback file, a down section with SQL, a rollback block in comments) is a project that goes forward only,
 * at least until then, whatever its runner could run. Asking one migration for a rollback there is noise.
 */
import path from "node:path";
import { isComment, toComment, tokenize } from "../parser/tokens.js";
import { SourceText } from "../source/source-text.js";
import { downSectionStart, findPartner, findRollbackBlock } from "../facts/rollback-block.js";
import type { ProjectFiles } from "../runners/detect.js";

export interface FolderAccess extends ProjectFiles {
  /** Keeps what `compute` answers for `key` for the rest of the run; without it, everything is worked out again. */
  remember?<T>(key: string, compute: () => T): T;
}

/** Statements that change nothing a rollback would undo. */
const NOTHING_TO_UNDO = new Set(["BEGIN", "COMMIT", "END", "START", "TRANSACTION", "SET", "RESET", ";"]);

/**
 * Names compared as runners order them: by name, with version numbers compared as numbers (`2_x` before `10_x`).
 * The collator is made on first use: making one loads ICU's data (≈6 ms), which a run that asks no folder skips.
 */
let collator: Intl.Collator | undefined;
const BY_VERSION = (a: string, b: string): number => (collator ??= new Intl.Collator("en", { numeric: true })).compare(a, b);

/** Folder-per-migration layouts (Diesel's `<name>/up.sql`, Prisma's `<name>/migration.sql`): the migration is its folder. */
const FOLDER_MIGRATION = /^(up|migration)\.sql$/i;

/** A goose, dbmate or sql-migrate down marker, anywhere in a file. */
const DOWN_MARKER = /^[ \t]*--[ \t]*(\+goose[ \t]+down|migrate:down|\+migrate[ \t]+down)\b/im;
/** A comment that may head a rollback block: worth lexing the file for. */
const ROLLBACK_WORD = /(--|\/\*)[\s\-=#*]*(rollback|down|revert|undo)\b/i;

/**
 * Why no rollback is asked of the forward migration at `filePath`: its folder holds other migrations, and none of
 * those that run before it has a rollback. Undefined when one has (the project writes rollbacks), or when the
 * file is alone in its folder (nothing says what the project does). Only the migrations before it are read. `partnerOf` is the rollback file of a
 * migration, as the engine finds it.
 */
export function forwardOnlyReason(filePath: string, files: FolderAccess, partnerOf: (file: string, text: string) => string | undefined): string | undefined {
  const file = path.normalize(filePath);
  const folder = folderOf(file);
  const kind = FOLDER_MIGRATION.test(path.basename(file)) ? path.basename(file) : path.extname(file);
  const makeScan = () => new FolderScan(migrationsOf(folder, path.basename(file), files), (migration) => hasRollback(migration, files, partnerOf));
  const scan = files.remember ? files.remember(`forward-only\0${folder}\0${kind}`, makeScan) : makeScan();
  return scan.reasonFor(file);
}

/**
 * A folder's migrations in the order they run, read for rollbacks from the first on, as far as asked and no further:
 * each file's answer costs a lookup, and a run over the whole folder reads each migration once (not once per later
 * migration, which a folder of a thousand files made a million comparisons).
 */
class FolderScan {
  private readonly ordered: { file: string; shown: string }[];
  private readonly position = new Map<string, number>();
  /** How many migrations, from the first, were read; and whether the last of them has a rollback (the scan stops there). */
  private read = 0;
  private rollbackSeen = false;

  constructor(
    migrations: readonly string[],
    private readonly hasRollback: (migration: string) => boolean,
  ) {
    this.ordered = migrations.map((file) => ({ file, shown: shownName(file) })).sort((a, b) => BY_VERSION(a.shown, b.shown));
    this.ordered.forEach(({ file }, index) => this.position.set(file, index));
  }

  reasonFor(file: string): string | undefined {
    const index = this.position.get(file);
    if (index === undefined || this.ordered.length < 2) return undefined;
    // The migrations that run before this one: those that sort strictly before it (an equal name is not before it).
    let earlier = index;
    while (earlier > 0 && BY_VERSION(this.ordered[earlier - 1]!.shown, this.ordered[index]!.shown) === 0) earlier--;
    // Only the migrations that run before this one count; the first with a rollback ends the scan.
    while (!this.rollbackSeen && this.read < earlier) {
      if (this.hasRollback(this.ordered[this.read]!.file)) this.rollbackSeen = true;
      this.read++;
    }
    // The first migration with a rollback is the last one read.
    if (this.rollbackSeen && this.read - 1 < earlier) return undefined;
    const before = earlier === 0 ? "it is the first migration of its folder" : `none of the ${earlier} migrations before it in its folder has a rollback (no rollback file, down section with SQL, or rollback block)`;
    return `${before}: the project goes forward only, at least so far`;
  }
}

function folderOf(file: string): string {
  return FOLDER_MIGRATION.test(path.basename(file)) ? path.dirname(path.dirname(file)) : path.dirname(file);
}

function shownName(file: string): string {
  return FOLDER_MIGRATION.test(path.basename(file)) ? path.join(path.basename(path.dirname(file)), path.basename(file)) : path.basename(file);
}

/** The migrations of a folder (in no particular order): its listing alone tells which files exist, without a stat each. */
function migrationsOf(folder: string, base: string, files: FolderAccess): string[] {
  const names = files.list?.(folder) ?? [];
  if (FOLDER_MIGRATION.test(base)) return names.map((name) => path.join(folder, name, base)).filter((candidate) => files.exists(candidate));
  const present = new Set(names);
  const here = (candidate: string) => path.dirname(candidate) === folder && present.has(path.basename(candidate));
  return names
    .filter((name) => path.extname(name).toLowerCase() === path.extname(base).toLowerCase())
    .map((name) => path.join(folder, name))
    .filter((candidate) => findPartner(candidate, here, [], () => names).role === "forward");
}

/** A rollback file, a down section with SQL, or a rollback block in comments: read with the lexer alone, since every earlier migration is read. */
function hasRollback(file: string, files: FolderAccess, partnerOf: (file: string, text: string) => string | undefined): boolean {
  const text = files.read(file);
  if (text === undefined) return false;
  if (partnerOf(file, text) !== undefined) return true;
  if (!DOWN_MARKER.test(text) && !ROLLBACK_WORD.test(text)) return false;
  const source = new SourceText(text);
  const tokens = tokenize(source.text).tokens;
  const comments = tokens.filter(isComment).map(toComment);
  const down = downSectionStart(comments);
  if (down !== undefined && tokens.some((token) => token.start > down && !isComment(token) && !NOTHING_TO_UNDO.has(token.upper))) return true;
  return findRollbackBlock({ source, comments, statements: [], doBlockStatements: [], dynamicSql: [], errors: [] }) !== undefined;
}
