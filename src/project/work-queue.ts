import { createRunDiskAccess, type FileAccess } from "../engine/lint-source.js";
import { lintFile } from "../embedded/lint-file.js";
import type { FileResult, LintOptions } from "../engine/lint.js";

/** Files claimed at a time: small enough to balance the threads, large enough that claiming costs nothing. */
const BATCH = 8;

/**
 * Claims the next batch of `paths` from a counter shared by every thread of the run
 * and lints it; undefined when none is left. Each result comes with its index in `paths`.
 */
export function lintNextBatch(paths: readonly string[], next: Int32Array, options: LintOptions, files: FileAccess): [number, FileResult][] | undefined {
  const start = Atomics.add(next, 0, BATCH);
  if (start >= paths.length) return undefined;
  const claimed: [number, FileResult][] = [];
  for (let i = start; i < Math.min(start + BATCH, paths.length); i++) claimed.push([i, lintFile(paths[i]!, options, files)]);
  return claimed;
}

/** Lints claimed batches until none is left, calling `done` with each. */
export function lintClaimedBatches(paths: readonly string[], next: Int32Array, options: LintOptions, done: (claimed: [number, FileResult][]) => void): void {
  const files = createRunDiskAccess();
  for (let claimed = lintNextBatch(paths, next, options, files); claimed; claimed = lintNextBatch(paths, next, options, files)) done(claimed);
}
