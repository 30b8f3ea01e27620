import fs from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { createRunDiskAccess, lintFile } from "../engine/lint-source.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import type { WorkerInput } from "./lint-worker.js";
import { lintClaimedBatches } from "./work-queue.js";

/** Below this many files per thread, starting a worker (≈100 ms) costs more than it saves. */
const MIN_FILES_PER_THREAD = 200;
const WORKER_SCRIPT = fileURLToPath(new URL("./lint-worker.js", import.meta.url));

/**
 * Lints the files, on every core when there are enough of them: the main thread and
 * one worker thread per other core take batches from one shared queue, so a thread
 * that starts late or gets heavy files simply takes fewer. Results keep the order of
 * `paths`. Workers run migsafe's own rules, so a custom rule set runs on this thread.
 */
export interface ParallelLint {
  results: FileResult[];
  /** How many files each thread linted: the main thread first. */
  filesPerThread: number[];
}

export async function lintPaths(paths: readonly string[], options: LintOptions, defaultRules: boolean): Promise<ParallelLint> {
  const threads = defaultRules && fs.existsSync(WORKER_SCRIPT) ? Math.min(threadCount(), Math.floor(paths.length / MIN_FILES_PER_THREAD)) : 1;
  const queue = new SharedArrayBuffer(4);
  const next = new Int32Array(queue);
  const { rules: _rules, ...serializable } = options;
  const workers = Array.from({ length: Math.max(0, threads - 1) }, () => inWorker({ paths: [...paths], options: serializable, queue }));
  const results: FileResult[] = new Array(paths.length);
  const place = (claimed: [number, FileResult][]) => claimed.forEach(([index, result]) => (results[index] = result));
  const own = lintClaimedBatches(paths, next, options);
  place(own);
  const filesPerThread = [own.length];
  for (const claimed of await Promise.all(workers)) {
    place(claimed);
    filesPerThread.push(claimed.length);
  }
  const files = createRunDiskAccess();
  for (let i = 0; i < paths.length; i++) {
    if (results[i]) continue;
    results[i] = lintFile(paths[i]!, options, files);
    filesPerThread[0]!++;
  }
  return { results, filesPerThread };
}

/** A worker that fails returns nothing: the main thread then lints the files it had claimed. */
function inWorker(input: WorkerInput): Promise<[number, FileResult][]> {
  return new Promise((resolve) => {
    // A larger young generation: parse trees are short-lived, and fewer scavenges are faster.
    const worker = new Worker(WORKER_SCRIPT, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
    worker.once("message", (claimed: [number, FileResult][]) => {
      resolve(claimed);
      void worker.terminate();
    });
    worker.once("error", () => resolve([]));
    worker.once("exit", () => resolve([]));
  });
}

function threadCount(): number {
  const fromEnv = Number(process.env.MIGSAFE_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return Math.max(1, Math.min(os.availableParallelism(), 8));
}
