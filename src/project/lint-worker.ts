/** A worker thread of a parallel run: claims batches of files from the shared queue, lints them, posts each batch's results, then "done". */
import { parentPort, workerData } from "node:worker_threads";
import { allRules } from "../../rules/index.js";
import type { FileResult, LintOptions } from "../engine/lint.js";
import { loadParser } from "../parser/pg.js";
import { lintClaimedBatches } from "./work-queue.js";
import { startRecording, type RecordedInputs } from "../files/fs-recorder.js";

export interface WorkerInput {
  paths: string[];
  /** The indexes of `paths` in groups that one thread lints whole (work-queue.ts). */
  groups: number[][];
  /** The lint options without the rules (functions cannot cross threads): the worker runs migsafe's own. */
  options: Omit<LintOptions, "rules">;
  queue: SharedArrayBuffer;
  /** Record what this thread reads, and post it before "done" (run-record.ts). */
  record?: boolean;
}

/** A batch's results, each with its index in `paths`, or the end of the worker's share. */
export type WorkerMessage = [number, FileResult][] | { inputs: RecordedInputs } | "done";

const { paths, groups, options, queue, record } = workerData as WorkerInput;
const recorder = record ? startRecording() : undefined;
await loadParser();
// Each batch is posted as soon as it is linted, so that no thread holds every result of a large run.
lintClaimedBatches(paths, groups, new Int32Array(queue), { ...options, rules: allRules }, (claimed) => parentPort!.postMessage(claimed satisfies WorkerMessage));
if (recorder) parentPort!.postMessage({ inputs: recorder.stop() } satisfies WorkerMessage);
parentPort!.postMessage("done" satisfies WorkerMessage);
