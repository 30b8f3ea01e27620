/**
 * Whether the project writes rollbacks: a folder of migrations none of which, up to a given one, has a rollback
 * (a rollback file, a down section with SQL, a rollback block in comments) is a project that goes forward only,
 * at least until then, whatever its runner could run. Asking one migration for a rollback there is noise.
 */
import path from "node:path";
import { parseFile } from "../parser/parse-file.js";
import type { ParsedFile } from "../parser/types.js";
import { SourceText } from "../source/source-text.js";
import { changesSomething, downSectionStart, findPartner, findRollbackBlock } from "../facts/rollback-block.js";
import type { ProjectFiles } from "../runners/detect.js";

export interface FolderAccess extends ProjectFiles {
  parse?(filePath: string, text: string): ParsedFile;
  /** Keeps what `compute` answers for `key` for the rest of the run; without it, everything is worked out again. */
  remember?<T>(key: string, compute: () => T): T;
}

/** The migrations of a folder, in the order they run, and the index of the first one with a rollback (-1: none has one). */
interface FolderRollbacks {
  migrations: string[];
  firstWithRollback: number;
}

/** Names compared as runners order them: by name, with version numbers compared as numbers (`2_x` before `10_x`). */
const BY_VERSION = new Intl.Collator("en", { numeric: true }).compare;

/** Folder-per-migration layouts (Diesel's `<name>/up.sql`, Prisma's `<name>/migration.sql`): the migration is its folder. */
const FOLDER_MIGRATION = /^(up|migration)\.sql$/i;

/** A goose, dbmate or sql-migrate down marker, anywhere in a file. */
const DOWN_MARKER = /^[ \t]*--[ \t]*(\+goose[ \t]+down|migrate:down|\+migrate[ \t]+down)\b/im;
/** A comment that may head a rollback block: worth parsing the file for. */
const ROLLBACK_WORD = /(--|\/\*)[\s\-=#*]*(rollback|down|revert|undo)\b/i;

/**
 * Why no rollback is asked of the forward migration at `filePath`: its folder holds other migrations, and none of
 * those that run before it has a rollback. Undefined when one has (the project writes rollbacks), or when the
 * file is alone in its folder (nothing says what the project does). `partnerOf` is the rollback file of a
 * migration, as the engine finds it.
 */
export function forwardOnlyReason(filePath: string, files: FolderAccess, partnerOf: (file: string, text: string) => string | undefined): string | undefined {
  const file = path.normalize(filePath);
  const folder = folderOf(file);
  const compute = () => folderRollbacks(folder, path.basename(file), files, partnerOf);
  const kind = FOLDER_MIGRATION.test(path.basename(file)) ? path.basename(file) : path.extname(file);
  const { migrations, firstWithRollback } = files.remember ? files.remember(`forward-only\0${folder}\0${kind}`, compute) : compute();
  const at = migrations.indexOf(file);
  if (at < 0 || migrations.length < 2) return undefined;
  if (firstWithRollback < 0) return `none of the ${migrations.length} migrations of its folder has a rollback (no rollback file, down section with SQL, or rollback block): the project goes forward only`;
  if (firstWithRollback <= at) return undefined;
  return `no migration of its folder before ${shownName(migrations[firstWithRollback]!)} has a rollback (no rollback file, down section with SQL, or rollback block): the project went forward only until then`;
}

function folderOf(file: string): string {
  return FOLDER_MIGRATION.test(path.basename(file)) ? path.dirname(path.dirname(file)) : path.dirname(file);
}

function shownName(file: string): string {
  return FOLDER_MIGRATION.test(path.basename(file)) ? path.join(path.basename(path.dirname(file)), path.basename(file)) : path.basename(file);
}

function folderRollbacks(folder: string, base: string, files: FolderAccess, partnerOf: (file: string, text: string) => string | undefined): FolderRollbacks {
  const names = [...(files.list?.(folder) ?? [])].sort(BY_VERSION);
  const migrations = FOLDER_MIGRATION.test(base)
    ? names.map((name) => path.join(folder, name, base)).filter((candidate) => files.exists(candidate))
    : names
        .filter((name) => path.extname(name).toLowerCase() === path.extname(base).toLowerCase())
        .map((name) => path.join(folder, name))
        .filter((candidate) => files.exists(candidate) && findPartner(candidate, files.exists).role === "forward");
  return { migrations, firstWithRollback: migrations.findIndex((migration) => hasRollback(migration, files, partnerOf)) };
}

function hasRollback(file: string, files: FolderAccess, partnerOf: (file: string, text: string) => string | undefined): boolean {
  const text = files.read(file);
  if (text === undefined) return false;
  if (partnerOf(file, text) !== undefined) return true;
  if (!DOWN_MARKER.test(text) && !ROLLBACK_WORD.test(text)) return false;
  const parsed = files.parse ? files.parse(file, text) : parseFile(new SourceText(text));
  const down = downSectionStart(parsed.comments);
  if (down !== undefined && parsed.statements.some((statement) => statement.range.start > down && changesSomething(statement))) return true;
  return findRollbackBlock(parsed) !== undefined;
}
