import { createRunDiskAccess, lintFile } from "../engine/lint-source.js";
import type { FileResult, LintOptions } from "../engine/lint.js";

/** Files claimed at a time: small enough to balance the threads, large enough that claiming costs nothing. */
const BATCH = 8;

/**
 * Lints batches of `paths` claimed from a counter shared by every thread of the run,
 * until none is left. Returns each result with its index in `paths`.
 */
export function lintClaimedBatches(paths: readonly string[], next: Int32Array, options: LintOptions): [number, FileResult][] {
  const files = createRunDiskAccess();
  const results: [number, FileResult][] = [];
  for (let start = Atomics.add(next, 0, BATCH); start < paths.length; start = Atomics.add(next, 0, BATCH)) {
    for (let i = start; i < Math.min(start + BATCH, paths.length); i++) results.push([i, lintFile(paths[i]!, options, files)]);
  }
  return results;
}
