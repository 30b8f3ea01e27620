import fs from "node:fs";
import path from "node:path";
import { rawFilesOf, type FilePath } from "./raw-path.js";
import { compareText } from "./compare-text.js";

/** fast-glob costs a third of start-up: loaded only when a folder or a glob needs it, not for plain file paths. */
const loadFastGlob = async () => (await import("fast-glob")).default;

/** The folders linted when no path is given, relative to the working directory. */
export const DEFAULT_FOLDERS: readonly string[] = ["migrations", "db/migrations", "supabase/migrations", "prisma/migrations"];

/** A file to lint, by absolute path; `error` when the argument that named it matched nothing. */
export interface Target extends FilePath {
  error?: string;
}

/**
 * Expands the command-line arguments into the files to lint, sorted by path and
 * without duplicates. A folder means its `**\/*.sql`, plus its TypeScript/JavaScript
 * files (`.ts .mts .cts .js .mjs .cjs`, not `.d.ts`) that sit in a folder named
 * `migrations` (the folder given, one below it, or the one it sits in; see SCRIPT_FOLDER); an argument that exists is
 * taken literally (a file whatever its extension), otherwise a glob is expanded
 * with fast-glob. A path that does not exist is kept, so that reading it reports
 * the problem alongside the other files.
 */
export async function findFiles(patterns: readonly string[], cwd: string, { sorted = true }: { sorted?: boolean } = {}): Promise<Target[]> {
  const found = new Map<string, Target>();
  const add = (target: Target) => {
    if (!found.has(target.path)) found.set(target.path, target);
  };

  for (const pattern of patterns) {
    const absolute = path.resolve(cwd, pattern);
    const stat = statOrUndefined(absolute);
    if (stat?.isDirectory()) {
      for (const target of await expandFolder(absolute)) add(target);
    } else if (stat || !(await loadFastGlob()).isDynamicPattern(pattern)) {
      add({ path: absolute });
    } else {
      const matches = await expandGlob(pattern, cwd);
      if (matches.length === 0) add({ path: absolute, error: "no files match this pattern" });
      for (const target of matches) add(target);
    }
  }
  // Unsorted: in the order of the arguments, each folder's and glob's files sorted (verify --order as-given).
  return sorted ? [...found.values()].sort((a, b) => compareText(a.path, b.path)) : [...found.values()];
}

/** The default migration folders that exist in `cwd`, as absolute paths. */
export function defaultFolders(cwd: string): string[] {
  return DEFAULT_FOLDERS.map((folder) => path.join(cwd, folder)).filter((folder) => statOrUndefined(folder)?.isDirectory());
}

async function expandFolder(folder: string): Promise<Target[]> {
  try {
    const files = await globFiles(["**/*.sql", "**/*.{ts,mts,cts,js,mjs,cjs}"], {
      cwd: folder,
      caseSensitiveMatch: false,
      ignore: ["**/node_modules/**", "**/*.d.{ts,mts,cts}"],
    });
    return files.filter((file) => folderSelects(folder, file)).flatMap(targetsOf);
  } catch (error) {
    return [{ path: folder, error: `cannot list the folder: ${errorText(error)}` }];
  }
}

/** A folder name that marks the scripts under it as migrations (Knex, TypeORM, Sequelize, node-pg-migrate, MikroORM all default to it). */
export const SCRIPT_FOLDER = /^migrations$/i;

/** Whether linting `folder` lints `file` (a path inside it): SQL files, and scripts under a `migrations` folder. */
function folderSelects(folder: string, file: string): boolean {
  return /\.sql$/i.test(file) || (/\.(?:ts|mts|cts|js|mjs|cjs)$/i.test(file) && !/\.d\.(?:ts|mts|cts)$/i.test(file) && isScriptMigration(folder, file));
}

/**
 * For the files git names (--changed-since, --staged): a test of whether the command
 * line's patterns would lint a file, answered without listing folders — the file may
 * exist only in the git index. A folder selects what `findFiles` would find in it,
 * a file itself, a glob its matches.
 */
export async function fileSelector(patterns: readonly string[], cwd: string): Promise<(file: string) => boolean> {
  const fg = await loadFastGlob();
  const picomatch = (await import("picomatch")).default;
  const tests = patterns.map((pattern): ((file: string) => boolean) => {
    const absolute = path.resolve(cwd, pattern);
    const stat = statOrUndefined(absolute);
    if (stat?.isDirectory()) {
      return (file) => isInside(absolute, file) && !file.split(path.sep).includes("node_modules") && folderSelects(absolute, file);
    }
    if (stat || !fg.isDynamicPattern(pattern)) return (file) => file === absolute;
    const matches = picomatch(pattern);
    return (file) => matches(path.relative(cwd, file).split(path.sep).join("/"));
  });
  return (file) => tests.some((test) => test(file));
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== "" && relative.split(path.sep)[0] !== ".." && !path.isAbsolute(relative);
}

/**
 * A script found in a folder is a migration when a folder on its path, from the parent of the folder given
 * down, is named `migrations`: the folder given (`db/migrations`), one below it, or the one it sits in
 * (a folder per database, `migrations/postgres`, as TypeORM projects that support several keep them).
 */
function isScriptMigration(folder: string, file: string): boolean {
  const relative = path.relative(path.dirname(path.dirname(folder)), path.dirname(file));
  return relative.split(path.sep).some((part) => SCRIPT_FOLDER.test(part));
}

async function expandGlob(pattern: string, cwd: string): Promise<Target[]> {
  try {
    const files = await globFiles([pattern], { cwd });
    return files.flatMap(targetsOf);
  } catch (error) {
    return [{ path: path.resolve(cwd, pattern), error: `cannot expand the pattern: ${errorText(error)}` }];
  }
}

/**
 * The files matching the patterns, by absolute path. Symbolic links to files count;
 * linked folders are not entered: a link to a parent folder would list the same files
 * forty times over (until ELOOP), and two such links never end.
 */
async function globFiles(patterns: string[], options: { cwd: string; caseSensitiveMatch?: boolean; ignore?: string[] }): Promise<string[]> {
  const fg = await loadFastGlob();
  // Synchronous: a walk of many small folders (lemmy's 343) is one callback per folder otherwise, 1.2–4× slower in a
  // process that globs once.
  const entries = fg.sync(patterns, { ...options, absolute: true, onlyFiles: false, followSymbolicLinks: false, objectMode: true });
  return entries.filter((entry) => entry.dirent.isFile() || (entry.dirent.isSymbolicLink() && statOrUndefined(entry.path)?.isFile())).map((entry) => entry.path);
}

/** A path fast-glob found; one that was not UTF-8 came back lossy (U+FFFD), and is found again by its bytes. */
function targetsOf(file: string): Target[] {
  const absolute = path.resolve(file);
  return absolute.includes("\uFFFD") ? rawFilesOf(absolute) : [{ path: absolute }];
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return code ?? (error instanceof Error ? error.message : String(error));
}
