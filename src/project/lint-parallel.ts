import fs from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { createRunDiskAccess, type FileAccess } from "../engine/lint-source.js";
import { lintFile } from "../embedded/lint-file.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import type { WorkerInput, WorkerMessage } from "./lint-worker.js";
import { claimedBatches, historyGroups } from "./work-queue.js";
import { activeRecorder, mergeInputs } from "../files/fs-recorder.js";

/** Below this many files per thread, starting a worker (≈100 ms) costs more than it saves. */
const MIN_FILES_PER_THREAD = 200;
// Next to this module: dist/src/project/ in the build; in the CLI's bundle, dist/cli.js, next to which
// scripts/bundle.mjs writes dist/lint-worker.js. Run from source (.ts), there is none: one thread.
const WORKER_SCRIPT = fileURLToPath(new URL("./lint-worker.js", import.meta.url));

/**
 * Lints the files, on every core when there are enough of them: the main thread and
 * one worker thread per other core take groups of files (a folder's history each,
 * work-queue.ts) from one shared queue, so a thread that starts late or gets heavy
 * files simply takes fewer. Results keep the order of
 * `paths`. Workers run migsafe's own rules, so a custom rule set runs on this thread.
 */
export interface ParallelLint {
  results: FileResult[];
  /** How many files each thread linted: the main thread first. */
  filesPerThread: number[];
}

export async function lintPaths(paths: readonly string[], options: LintOptions, defaultRules: boolean): Promise<ParallelLint> {
  const results: FileResult[] = new Array(paths.length);
  const filesPerThread = await streamPaths(paths, options, defaultRules, (index, result) => (results[index] = result));
  return { results, filesPerThread };
}

/**
 * Lints the files as lintPaths does, handing each result to `emit` (with its index in
 * `paths`) as soon as it is ready, in no particular order, and keeping none of them.
 * `files` is the run's file access of this thread (its folder histories, parses).
 * Returns how many files each thread linted, the main thread first.
 */
export async function streamPaths(
  paths: readonly string[],
  options: LintOptions,
  defaultRules: boolean,
  emit: (index: number, result: FileResult) => void,
  files: FileAccess = createRunDiskAccess(),
): Promise<number[]> {
  const groups = historyGroups(paths);
  const threads = defaultRules && fs.existsSync(WORKER_SCRIPT) ? Math.min(threadCount(), Math.floor(paths.length / MIN_FILES_PER_THREAD), groups.length) : 1;
  const queue = new SharedArrayBuffer(4);
  const next = new Int32Array(queue);
  const emitted = new Uint8Array(paths.length);
  const place = (claimed: [number, FileResult][]) => {
    for (const [index, result] of claimed) {
      emitted[index] = 1;
      emit(index, result);
    }
  };
  const { rules: _rules, ...serializable } = options;
  // A recorded run (run-record.ts) needs the reads of its workers too: each records its own and posts them at the end.
  const record = activeRecorder() !== undefined;
  const workers = Array.from({ length: Math.max(0, threads - 1) }, () => inWorker({ paths: [...paths], groups, options: serializable, queue, record }, place));
  let own = 0;
  for (const claimed of claimedBatches(paths, groups, next, options, files)) {
    place(claimed);
    own += claimed.length;
    // Let the workers' batches in between this thread's own, so that they are not all held until the end.
    if (workers.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const filesPerThread = [own, ...(await Promise.all(workers))];
  // A worker that failed leaves files it had claimed: this thread lints them.
  for (let i = 0; i < paths.length; i++) {
    if (emitted[i]) continue;
    place([[i, lintFile(paths[i]!, options, files)]]);
    filesPerThread[0]!++;
  }
  return filesPerThread;
}

/** A worker's results go to `place` batch by batch; resolves with how many files it linted (those it could, if it failed). */
function inWorker(input: WorkerInput, place: (claimed: [number, FileResult][]) => void): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    let finished = false;
    // A small young generation (4 MB semi-spaces), as the main thread's (see src/cli/main.ts): larger ones were no faster, and held more memory.
    const worker = new Worker(WORKER_SCRIPT, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    worker.on("message", (message: WorkerMessage) => {
      if (!Array.isArray(message) && message !== "done") {
        const recorder = activeRecorder();
        if (recorder) mergeInputs(recorder.inputs, message.inputs);
        return;
      }
      if (message === "done") {
        finished = true;
        resolve(count);
        void worker.terminate();
        return;
      }
      place(message);
      count += message.length;
    });
    worker.once("error", () => {
      // What it read before it failed is not known.
      activeRecorder()?.unrepeatable("a worker thread failed");
      resolve(count);
    });
    worker.once("exit", () => {
      if (!finished) activeRecorder()?.unrepeatable("a worker thread ended early");
      resolve(count);
    });
  });
}

function threadCount(): number {
  const fromEnv = Number(process.env.MIGSAFE_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return Math.max(1, Math.min(os.availableParallelism(), 8));
}
