import path from "node:path";
import { createRunDiskAccess, type FileAccess } from "../engine/lint-source.js";
import { lintFile } from "../embedded/lint-file.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import { VERSION_FOLDER } from "../runners/detect.js";

/** Files linted between two results posted or yielded: small enough to stream, large enough that posting costs nothing. */
const BATCH = 8;

/** The files of a one-migration-per-folder layout (Prisma, Diesel), whose history is the folder above; so is a version folder's (temporal's `v1.10`). */
const ONE_PER_FOLDER = new Set(["migration.sql", "up.sql", "down.sql"]);

/**
 * The files of `paths` (their indexes) in groups that one thread lints whole, in the order of `paths`. A migration's
 * lint replays the earlier migrations of its folder, so a folder split between threads is parsed by each of them:
 * grouped, it is parsed once. The group is the folder a history most likely spans, guessed from the path alone (a
 * wrong guess costs time, never a result: each thread replays what it needs). Groups are claimed in path order, the
 * order the report is written in: taken largest first, every result waited for the groups before it (corpus ×20:
 * 434 MB peak, all of the report held until the end).
 */
export function historyGroups(paths: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  paths.forEach((each, index) => {
    const key = historyFolderGuess(each);
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  // A Map keeps the order its keys were added in: the order of each group's first file.
  return [...groups.values()];
}

function historyFolderGuess(filePath: string): string {
  const dir = path.dirname(path.resolve(filePath));
  return ONE_PER_FOLDER.has(path.basename(filePath)) || VERSION_FOLDER.test(path.basename(dir)) ? path.dirname(dir) : dir;
}

/**
 * Claims groups from a counter shared by every thread of the run until none is left, and lints each group's files in
 * batches; yields each batch's results with their indexes in `paths`.
 */
export function* claimedBatches(paths: readonly string[], groups: readonly number[][], next: Int32Array, options: LintOptions, files: FileAccess): Generator<[number, FileResult][]> {
  for (let g = Atomics.add(next, 0, 1); g < groups.length; g = Atomics.add(next, 0, 1)) {
    const group = groups[g]!;
    for (let start = 0; start < group.length; start += BATCH) {
      yield group.slice(start, start + BATCH).map((index): [number, FileResult] => [index, lintFile(paths[index]!, options, files)]);
    }
  }
}

/** Lints claimed groups until none is left, calling `done` with each batch. */
export function lintClaimedBatches(paths: readonly string[], groups: readonly number[][], next: Int32Array, options: LintOptions, done: (claimed: [number, FileResult][]) => void): void {
  for (const claimed of claimedBatches(paths, groups, next, options, createRunDiskAccess())) done(claimed);
}
